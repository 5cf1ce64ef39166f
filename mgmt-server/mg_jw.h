/* mg_jw: a small JSON writer into one growing buffer, for the answers the
 * boxes ask for many thousand times a second (tune, heartbeat), where
 * building jansson objects costs more than the rest of the request. The
 * NOC's answers use jansson; tests check both give the same JSON.
 *
 * Commas are placed by the writer; strings are escaped. Out of memory
 * sticks: mg_jw_take() then returns NULL. */
#ifndef MG_JW_H
#define MG_JW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mg_jw {
	char *p;
	size_t len, cap;
	bool failed;
	bool comma; /* a value came before: the next one needs a comma */
};

void mg_jw_init(struct mg_jw *w);
void mg_jw_obj(struct mg_jw *w);     /* { */
void mg_jw_obj_end(struct mg_jw *w); /* } */
void mg_jw_arr(struct mg_jw *w);     /* [ */
void mg_jw_arr_end(struct mg_jw *w); /* ] */
void mg_jw_key(struct mg_jw *w, const char *k); /* "k": (k is plain ASCII) */
void mg_jw_str(struct mg_jw *w, const char *s);
void mg_jw_strn(struct mg_jw *w, const char *s, size_t n);
void mg_jw_u64(struct mg_jw *w, uint64_t v);
void mg_jw_bool(struct mg_jw *w, bool v);
void mg_jw_null(struct mg_jw *w);
/* An already-encoded JSON value. */
void mg_jw_raw(struct mg_jw *w, const char *json, size_t n);
/* The text (malloc'd, NUL-terminated, length in *len), or NULL after a
 * failure; the writer is empty afterwards. */
char *mg_jw_take(struct mg_jw *w, size_t *len);
void mg_jw_free(struct mg_jw *w);

#endif
