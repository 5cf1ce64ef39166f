/* mg_map: open-addressing hash tables. See mg_map.h. */
#include "config.h"

#include "mg_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static inline size_t id_hash(uint32_t k)
{
	/* Ids are dense and sequential: multiply to spread neighbours. */
	return (size_t)((uint64_t)k * 0x9e3779b97f4a7c15ULL >> 17);
}

void mg_idmap_clear(struct mg_idmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

void *mg_idmap_get(const struct mg_idmap *m, uint32_t key)
{
	size_t mask, i;

	if (!m->cap || !key)
		return NULL;
	mask = m->cap - 1;
	for (i = id_hash(key) & mask;; i = (i + 1) & mask) {
		if (m->slots[i].key == key)
			return m->slots[i].val;
		if (!m->slots[i].key)
			return NULL;
	}
}

static void id_insert(struct mg_idmap_slot *slots, size_t cap, uint32_t key, void *val)
{
	size_t mask = cap - 1, i;

	for (i = id_hash(key) & mask; slots[i].key && slots[i].key != key; i = (i + 1) & mask)
		;
	slots[i].key = key;
	slots[i].val = val;
}

static int id_grow(struct mg_idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct mg_idmap_slot *s = calloc(cap, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			id_insert(s, cap, m->slots[i].key, m->slots[i].val);
	free(m->slots);
	m->slots = s;
	m->cap = cap;
	return 0;
}

int mg_idmap_put(struct mg_idmap *m, uint32_t key, void *val)
{
	if (!key || !val)
		return -EINVAL;
	if ((m->n + 1) * 2 > m->cap) {
		void *old = mg_idmap_get(m, key);

		if (old) {
			id_insert(m->slots, m->cap, key, val);
			return 0;
		}
		if (id_grow(m) < 0)
			return -ENOMEM;
	}
	if (!mg_idmap_get(m, key))
		m->n++;
	id_insert(m->slots, m->cap, key, val);
	return 0;
}

void *mg_idmap_del(struct mg_idmap *m, uint32_t key)
{
	size_t mask, i, j;
	void *val;

	if (!m->cap || !key)
		return NULL;
	mask = m->cap - 1;
	for (i = id_hash(key) & mask; m->slots[i].key != key; i = (i + 1) & mask)
		if (!m->slots[i].key)
			return NULL;
	val = m->slots[i].val;
	/* Backward-shift: pull later entries of the probe run into the hole
	 * when their home slot allows it. */
	for (j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		size_t home = id_hash(m->slots[j].key) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].key = 0;
	m->slots[i].val = NULL;
	m->n--;
	return val;
}

void *mg_idmap_next(const struct mg_idmap *m, size_t *pos, uint32_t *key)
{
	for (; *pos < m->cap; (*pos)++) {
		if (m->slots[*pos].key) {
			if (key)
				*key = m->slots[*pos].key;
			return m->slots[(*pos)++].val;
		}
	}
	return NULL;
}

uint64_t mg_str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return h;
}

void mg_strmap_init(struct mg_strmap *m, mg_strmap_key_fn key)
{
	memset(m, 0, sizeof(*m));
	m->key = key;
}

void mg_strmap_clear(struct mg_strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

static size_t str_find(const struct mg_strmap *m, const char *key)
{
	size_t mask = m->cap - 1, i;

	for (i = mg_str_hash(key) & mask; m->slots[i]; i = (i + 1) & mask)
		if (strcmp(m->key(m->slots[i]), key) == 0)
			return i;
	return i; /* the empty slot ending the run */
}

void *mg_strmap_get(const struct mg_strmap *m, const char *key)
{
	return m->cap ? m->slots[str_find(m, key)] : NULL;
}

static int str_grow(struct mg_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	void **s = calloc(cap, sizeof(*s));
	struct mg_strmap nm = { s, cap, 0, m->key };

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i])
			s[str_find(&nm, m->key(m->slots[i]))] = m->slots[i];
	free(m->slots);
	m->slots = s;
	m->cap = cap;
	return 0;
}

int mg_strmap_add(struct mg_strmap *m, void *obj)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && str_grow(m) < 0)
		return -ENOMEM;
	i = str_find(m, m->key(obj));
	if (m->slots[i])
		return -EEXIST;
	m->slots[i] = obj;
	m->n++;
	return 0;
}

int mg_strmap_del(struct mg_strmap *m, const void *obj)
{
	size_t mask, i, j;

	if (!m->cap)
		return -ENOENT;
	mask = m->cap - 1;
	i = str_find(m, m->key(obj));
	if (!m->slots[i])
		return -ENOENT;
	for (j = (i + 1) & mask; m->slots[j]; j = (j + 1) & mask) {
		size_t home = mg_str_hash(m->key(m->slots[j])) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i] = NULL;
	m->n--;
	return 0;
}
