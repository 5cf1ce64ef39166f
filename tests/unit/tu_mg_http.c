/* tu_mg_http: see tu_mg_http.h. */
#include "config.h"

#include "tu_mg_http.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tu.h"
#include "tu_net.h"

struct tu_mg_res tu_mg_res;

int tu_mg_send(unsigned port, const char *method, const char *token, const char *body,
	       const char *target)
{
	char req[8192], auth[600] = "", type[200] = "";

	if (token)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", token);
	if (body)
		snprintf(type, sizeof(type), "Content-Type: application/json\r\nContent-Length: %zu\r\n",
			 strlen(body));
	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s%s\r\n%s",
		 method, target, auth, type, body ? body : "");
	return tu_connect("::1", port, req);
}

unsigned tu_mg_answer(sc_loop *l, int fd)
{
	struct tu_mg_res *r = &tu_mg_res;
	char *sep;

	json_decref(r->j);
	r->j = NULL;
	r->status = 0;
	r->body = "";
	if (fd < 0)
		return 0;
	if (!tu_wait_closed(l, fd, r->raw, sizeof(r->raw)))
		CU_FAIL("no answer before the deadline");
	close(fd);
	if (sscanf(r->raw, "HTTP/1.%*d %u", &r->status) != 1)
		return 0;
	if ((sep = strstr(r->raw, "\r\n\r\n"))) {
		r->body = sep + 4;
		r->j = json_loads(r->body, 0, NULL);
	}
	return r->status;
}

unsigned tu_mg_vapi(sc_loop *l, unsigned port, const char *method, const char *token,
		    const char *body, const char *fmt, va_list ap)
{
	char target[512];

	vsnprintf(target, sizeof(target), fmt, ap);
	return tu_mg_answer(l, tu_mg_send(port, method, token, body, target));
}
