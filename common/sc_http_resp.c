/* sc_http_resp: sc_httpd_printf(), the response helper of both servers,
 * sc_httpd (libmicrohttpd) and sc_httpd_lite, in a file of its own so that
 * a daemon on sc_httpd_lite does not link libmicrohttpd. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sc_httpd.h"

int sc_httpd_printf(struct sc_http_resp *resp, int status, const char *type, const char *fmt, ...)
{
	va_list ap;
	char *body = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&body, fmt, ap);
	va_end(ap);
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
	if (n < 0) {
		resp->status = 500;
		return -ENOMEM;
	}
	resp->status = status;
	resp->type = type;
	resp->body = body;
	resp->len = (size_t)n;
	return 0;
}
