/* mg_jw: JSON writer. See mg_jw.h. */
#include "config.h"

#include "mg_jw.h"

#include <stdlib.h>
#include <string.h>

void mg_jw_init(struct mg_jw *w)
{
	memset(w, 0, sizeof(*w));
}

static bool room(struct mg_jw *w, size_t n)
{
	size_t cap;
	char *p;

	if (w->failed)
		return false;
	if (w->len + n + 1 <= w->cap)
		return true;
	cap = w->cap ? w->cap : 512;
	while (cap < w->len + n + 1)
		cap *= 2;
	p = realloc(w->p, cap);
	if (!p) {
		w->failed = true;
		return false;
	}
	w->p = p;
	w->cap = cap;
	return true;
}

static void put(struct mg_jw *w, const char *s, size_t n)
{
	if (!room(w, n))
		return;
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void sep(struct mg_jw *w)
{
	if (w->comma)
		put(w, ",", 1);
	w->comma = true;
}

void mg_jw_obj(struct mg_jw *w)
{
	sep(w);
	put(w, "{", 1);
	w->comma = false;
}

void mg_jw_obj_end(struct mg_jw *w)
{
	put(w, "}", 1);
	w->comma = true;
}

void mg_jw_arr(struct mg_jw *w)
{
	sep(w);
	put(w, "[", 1);
	w->comma = false;
}

void mg_jw_arr_end(struct mg_jw *w)
{
	put(w, "]", 1);
	w->comma = true;
}

void mg_jw_key(struct mg_jw *w, const char *k)
{
	sep(w);
	put(w, "\"", 1);
	put(w, k, strlen(k));
	put(w, "\":", 2);
	w->comma = false;
}

void mg_jw_strn(struct mg_jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	sep(w);
	if (!room(w, n + 2))
		return;
	w->p[w->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			if (room(w, 1))
				w->p[w->len++] = (char)c;
		} else if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			put(w, e, 2);
		} else {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			put(w, e, 6);
		}
	}
	put(w, "\"", 1);
}

void mg_jw_str(struct mg_jw *w, const char *s)
{
	mg_jw_strn(w, s, strlen(s));
}

void mg_jw_u64(struct mg_jw *w, uint64_t v)
{
	char buf[24];
	size_t n = sizeof(buf);

	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sep(w);
	put(w, buf + n, sizeof(buf) - n);
}

void mg_jw_bool(struct mg_jw *w, bool v)
{
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void mg_jw_null(struct mg_jw *w)
{
	sep(w);
	put(w, "null", 4);
}

void mg_jw_raw(struct mg_jw *w, const char *json, size_t n)
{
	sep(w);
	put(w, json, n);
}

char *mg_jw_take(struct mg_jw *w, size_t *len)
{
	char *p = w->failed ? NULL : w->p;

	if (p) {
		p[w->len] = '\0';
		*len = w->len;
	} else {
		free(w->p);
	}
	mg_jw_init(w);
	return p;
}

void mg_jw_free(struct mg_jw *w)
{
	free(w->p);
	mg_jw_init(w);
}
