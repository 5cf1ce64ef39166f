/* tu_mg_http: the HTTP client of the management API's in-process tests
 * (test_mg_api, test_mg_api_lineup): one request per connection to the
 * server on ::1, its answer read by pumping the test's loop (tu_net).
 * The last answer is in tu_mg_res, owned here (its JSON freed at the next
 * answer). */
#ifndef TU_MG_HTTP_H
#define TU_MG_HTTP_H

#include <jansson.h>
#include <stdarg.h>

#include "sc_loop.h"

struct tu_mg_res {
	char raw[1 << 17];
	unsigned status;
	const char *body; /* into raw; "" when none */
	json_t *j;        /* the body as JSON, NULL if it is not */
};
extern struct tu_mg_res tu_mg_res;

/* Send a request to port (the connection closes after it); token and
 * body NULL: none. Returns the fd or -1. */
int tu_mg_send(unsigned port, const char *method, const char *token, const char *body,
	       const char *target);
/* Read the answer on fd (closed) into tu_mg_res; returns its status (0:
 * none). */
unsigned tu_mg_answer(sc_loop *l, int fd);
/* One request to the target printed from fmt/ap, and its answer. */
unsigned tu_mg_vapi(sc_loop *l, unsigned port, const char *method, const char *token,
		    const char *body, const char *fmt, va_list ap);

#endif
