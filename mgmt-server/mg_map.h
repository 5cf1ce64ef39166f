/* mg_map: the two hash tables the management server indexes its objects
 * with, small enough that 100,000 clients cost a few bytes each.
 *
 * mg_idmap maps a nonzero uint32 id to a pointer (open addressing, linear
 * probing, backward-shift deletion, so no tombstones build up under churn).
 * mg_strmap finds objects by a string key that lives in the object itself:
 * the table stores only pointers and asks a callback for each object's key,
 * so a device id is never stored twice.
 *
 * Neither owns the objects it points to. Both return -ENOMEM when growing
 * fails and leave the table as it was. */
#ifndef MG_MAP_H
#define MG_MAP_H

#include <stddef.h>
#include <stdint.h>

struct mg_idmap_slot {
	uint32_t key; /* 0: empty */
	void *val;
};

struct mg_idmap {
	struct mg_idmap_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t n;
};

/* An empty map needs no set-up beyond zeroing: struct mg_idmap m = { 0 }. */
void mg_idmap_clear(struct mg_idmap *m);
/* The value stored under key, or NULL. */
void *mg_idmap_get(const struct mg_idmap *m, uint32_t key);
/* Insert or replace. key must be nonzero and val non-NULL. Returns 0,
 * -EINVAL or -ENOMEM. */
int mg_idmap_put(struct mg_idmap *m, uint32_t key, void *val);
/* Remove and return the value, or NULL when absent. */
void *mg_idmap_del(struct mg_idmap *m, uint32_t key);
static inline size_t mg_idmap_count(const struct mg_idmap *m) { return m->n; }
/* Iterate: start with *pos = 0; returns the next value (and its key in
 * *key when key is not NULL), or NULL at the end. The map must not change
 * during an iteration. */
void *mg_idmap_next(const struct mg_idmap *m, size_t *pos, uint32_t *key);

typedef const char *(*mg_strmap_key_fn)(const void *obj);

struct mg_strmap {
	void **slots;
	size_t cap;
	size_t n;
	mg_strmap_key_fn key;
};

void mg_strmap_init(struct mg_strmap *m, mg_strmap_key_fn key);
void mg_strmap_clear(struct mg_strmap *m);
void *mg_strmap_get(const struct mg_strmap *m, const char *key);
/* Insert obj (its key must not be present yet). Returns 0, -EEXIST or
 * -ENOMEM. */
int mg_strmap_add(struct mg_strmap *m, void *obj);
/* Remove obj by its key. Returns 0 or -ENOENT. */
int mg_strmap_del(struct mg_strmap *m, const void *obj);

/* FNV-1a, the strings' hash; exposed for tests. */
uint64_t mg_str_hash(const char *s);

#endif
