/* mgmt_load: what the load generator's files share (mgmt_load.c: the
 * phases; mgmt_load_verify.c: blocking requests and the after-crash
 * check). */
#ifndef MGMT_LOAD_H
#define MGMT_LOAD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#define RBUF 65536
#define WBUF 2048

enum kind { K_REG, K_TUNE, K_HB, K_ADMIN };

struct box {
	uint32_t id;
	uint32_t channel, gid, gver;
	uint8_t metro;
	bool silent;
	uint16_t keygen;   /* which of its keys it presents (grows with --rekey) */
	char token[80];
};

struct conn {
	int fd;
	bool busy;
	char w[WBUF];
	size_t wlen, woff;
	char r[RBUF];
	size_t rlen;
	enum kind kind;
	uint32_t box;
	uint64_t due_ns;
	bool idle;
	bool want_out; /* EPOLLOUT armed: a write is waiting */
	struct conn *next_idle;
};

struct phase {
	const char *name;
	uint64_t total, issued, done, errors, non2xx;
	double rate;        /* requests/s, 0: closed loop */
	uint64_t start_ns, end_ns;
	uint32_t *lat_us;   /* one per completed request */
	uint64_t nlat, caplat;
};

struct load_globals {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	const char *host;
	unsigned nconn, nboxes, nchan, nmetro;
	const char *admin;
	const char *cred;
	/* Public keys: 0 none (boxes of before certificates), 1 sent at
	 * registration and with every heartbeat, 2 a new one with every
	 * heartbeat (each then signs a certificate). */
	int keys;
	const char *prefix;
	unsigned seed;
	int epfd;
	struct conn *conns;
	struct box *box;
	double *zipf;
	struct phase *ph;
	uint64_t rng;
	FILE *acklog;
	unsigned hb_ms;
	int server_pid;
	struct conn *idle; /* connections without a request */
	/* the outage phase */
	unsigned cut_metro;
	uint64_t cut_ns;
	int64_t cut_wall_ms;
};

extern struct load_globals G;

uint64_t now_ns(void);
int64_t wall_ms(void);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void request(struct conn *c, const char *method, const char *path, const char *token,
	     const char *body);
int parse_response(struct conn *c, int *status, const char **body, size_t *blen);
uint32_t json_u32(const char *s, const char *key);
/* A blocking request on its own connection: the body (malloc'd) and the
 * status, or NULL. */
char *http_sync(const char *method, const char *path, const char *token, const char *body,
		int *status);
/* GET with the admin token; NULL unless 200. */
char *admin_get(const char *path);
double json_num(const char *s, const char *key);
/* Check an --ack-log against the server; the exit status. */
int verify(const char *path);

#endif
