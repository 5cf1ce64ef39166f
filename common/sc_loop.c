/* sc_loop: epoll for fds, a binary min-heap of timers on the sc_clock seam,
 * and one signalfd for all signals. See sc_loop.h. */
#include "config.h"

#include "sc_loop.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 64
#define MAX_SIGNAL 65

struct watch {
	sc_io_fn fn; /* NULL: not watched */
	void *arg;
	uint32_t gen; /* tells a reused fd number from the one an event was for */
};

struct sc_timer {
	sc_loop *loop;
	sc_timer_fn fn;
	void *arg;
	uint64_t when;
	uint64_t seq;    /* arming order: timers armed while timers fire wait a round */
	size_t heap_idx; /* SIZE_MAX when disarmed */
	sc_timer *prev, *next; /* all timers of the loop */
};

struct sc_loop {
	sc_clock *clk;
	int epfd;
	struct watch *watches;
	size_t nwatches;
	uint32_t gen;
	sc_timer **heap;
	size_t nheap, capheap;
	uint64_t seq;
	sc_timer *timers;
	int sigfd;
	int tfd;          /* timerfd for precise wake-ups; -1 on a fake clock */
	uint64_t tfd_at;  /* what tfd is armed for, 0 = disarmed */
	sigset_t sigmask;
	struct {
		sc_signal_fn fn;
		void *arg;
	} sig[MAX_SIGNAL];
	bool stop;
};

static void on_timerfd(void *arg, int fd, uint32_t events)
{
	uint64_t expirations;

	(void)arg;
	(void)events;
	/* Only wakes the loop; run_timers() does the work. */
	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return;
}

static int setup_timerfd(sc_loop *l)
{
	int rc;

	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->tfd < 0)
		return -errno;
	rc = sc_loop_add_fd(l, l->tfd, SC_LOOP_IN, on_timerfd, l);
	return rc;
}

sc_loop *sc_loop_new(sc_clock *clk)
{
	sc_loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->clk = clk;
	l->sigfd = -1;
	l->tfd = -1;
	sigemptyset(&l->sigmask);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	if (!sc_clock_is_fake(clk) && setup_timerfd(l) < 0) {
		sc_loop_free(l);
		return NULL;
	}
	return l;
}

void sc_loop_free(sc_loop *l)
{
	if (!l)
		return;
	while (l->timers) {
		sc_timer *t = l->timers;

		l->timers = t->next;
		free(t);
	}
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->tfd >= 0)
		close(l->tfd);
	close(l->epfd);
	free(l->watches);
	free(l->heap);
	free(l);
}

sc_clock *sc_loop_clock(const sc_loop *l)
{
	return l->clk;
}

static uint32_t to_epoll(uint32_t ev)
{
	return (ev & SC_LOOP_IN ? EPOLLIN : 0) | (ev & SC_LOOP_OUT ? EPOLLOUT : 0);
}

int sc_loop_add_fd(sc_loop *l, int fd, uint32_t events, sc_io_fn fn, void *arg)
{
	struct epoll_event ev = { 0 };

	if (fd < 0 || !fn)
		return -EINVAL;
	if ((size_t)fd >= l->nwatches) {
		size_t n = (size_t)fd * 2 + 16;
		struct watch *w = realloc(l->watches, n * sizeof(*w));

		if (!w)
			return -ENOMEM;
		memset(w + l->nwatches, 0, (n - l->nwatches) * sizeof(*w));
		l->watches = w;
		l->nwatches = n;
	}
	if (l->watches[fd].fn)
		return -EEXIST;
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)++l->gen << 32 | (uint32_t)fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	l->watches[fd] = (struct watch){ fn, arg, l->gen };
	return 0;
}

int sc_loop_mod_fd(sc_loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { 0 };

	if (fd < 0 || (size_t)fd >= l->nwatches || !l->watches[fd].fn)
		return -ENOENT;
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)l->watches[fd].gen << 32 | (uint32_t)fd;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

int sc_loop_del_fd(sc_loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nwatches || !l->watches[fd].fn)
		return -ENOENT;
	/* The fd may already be closed: then the kernel has dropped it. */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->watches[fd].fn = NULL;
	return 0;
}

static void on_signalfd(void *arg, int fd, uint32_t events)
{
	sc_loop *l = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo < MAX_SIGNAL && l->sig[si.ssi_signo].fn)
			l->sig[si.ssi_signo].fn(l->sig[si.ssi_signo].arg, (int)si.ssi_signo);
}

int sc_loop_add_signal(sc_loop *l, int signo, sc_signal_fn fn, void *arg)
{
	int fd, rc;

	if (signo <= 0 || signo >= MAX_SIGNAL || !fn)
		return -EINVAL;
	sigaddset(&l->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL) < 0)
		return -errno;
	fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (l->sigfd < 0) {
		rc = sc_loop_add_fd(l, fd, SC_LOOP_IN, on_signalfd, l);
		if (rc < 0) {
			close(fd);
			return rc;
		}
		l->sigfd = fd;
	}
	l->sig[signo].fn = fn;
	l->sig[signo].arg = arg;
	return 0;
}

/* --- timers: a binary min-heap ordered by (when, seq) --- */

static bool before(const sc_timer *a, const sc_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_set(sc_loop *l, size_t i, sc_timer *t)
{
	l->heap[i] = t;
	t->heap_idx = i;
}

static void sift_up(sc_loop *l, size_t i)
{
	sc_timer *t = l->heap[i];

	while (i > 0 && before(t, l->heap[(i - 1) / 2])) {
		heap_set(l, i, l->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(l, i, t);
}

static void sift_down(sc_loop *l, size_t i)
{
	sc_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!before(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void heap_remove(sc_loop *l, sc_timer *t)
{
	size_t i = t->heap_idx;
	sc_timer *last;

	t->heap_idx = SIZE_MAX;
	if (--l->nheap == i)
		return;
	last = l->heap[l->nheap];
	heap_set(l, i, last);
	sift_down(l, i);
	sift_up(l, last->heap_idx);
}

sc_timer *sc_timer_new(sc_loop *l, sc_timer_fn fn, void *arg)
{
	sc_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->loop = l;
	t->fn = fn;
	t->arg = arg;
	t->heap_idx = SIZE_MAX;
	t->next = l->timers;
	if (l->timers)
		l->timers->prev = t;
	l->timers = t;
	return t;
}

void sc_timer_arm_at(sc_timer *t, uint64_t when)
{
	sc_loop *l = t->loop;

	if (t->heap_idx == SIZE_MAX) {
		if (l->nheap == l->capheap) {
			size_t n = l->capheap ? l->capheap * 2 : 16;
			sc_timer **h = realloc(l->heap, n * sizeof(*h));

			/* Out of memory: the timer stays disarmed; there is no
			 * better answer for a void call, and callers re-arm. */
			if (!h)
				return;
			l->heap = h;
			l->capheap = n;
		}
		heap_set(l, l->nheap++, t);
	}
	t->when = when;
	t->seq = ++l->seq;
	sift_down(l, t->heap_idx);
	sift_up(l, t->heap_idx);
}

void sc_timer_arm(sc_timer *t, uint64_t delay_ns)
{
	sc_timer_arm_at(t, sc_clock_now_ns(t->loop->clk) + delay_ns);
}

void sc_timer_stop(sc_timer *t)
{
	if (t && t->heap_idx != SIZE_MAX)
		heap_remove(t->loop, t);
}

int sc_timer_armed(const sc_timer *t)
{
	return t && t->heap_idx != SIZE_MAX;
}

void sc_timer_free(sc_timer *t)
{
	if (!t)
		return;
	sc_timer_stop(t);
	if (t->prev)
		t->prev->next = t->next;
	else
		t->loop->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	free(t);
}

/* Fire the timers due now that were armed before this round began. */
static int run_timers(sc_loop *l)
{
	uint64_t now = sc_clock_now_ns(l->clk), round = l->seq;
	int n = 0;

	while (l->nheap && l->heap[0]->when <= now && l->heap[0]->seq <= round) {
		sc_timer *t = l->heap[0];

		heap_remove(l, t);
		t->fn(t->arg);
		n++;
	}
	return n;
}

/* Arm the timerfd for the earliest timer (system clock only). */
static void arm_timerfd(sc_loop *l)
{
	uint64_t when = l->nheap ? l->heap[0]->when : 0;
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (l->tfd < 0 || when == l->tfd_at)
		return;
	/* 0 would disarm: an already-due timer is caught by wait_ms() anyway. */
	its.it_value.tv_sec = (time_t)(when / SC_NS_PER_S);
	its.it_value.tv_nsec = (long)(when % SC_NS_PER_S);
	if (when == 0)
		its.it_value.tv_nsec = 1;
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->tfd_at = when;
}

static int wait_ms(sc_loop *l, int max_wait_ms)
{
	uint64_t now, left;
	int ms;

	if (!l->nheap)
		return max_wait_ms;
	now = sc_clock_now_ns(l->clk);
	if (l->heap[0]->when <= now)
		return 0;
	if (l->tfd >= 0) {
		arm_timerfd(l);
		return max_wait_ms;
	}
	left = (l->heap[0]->when - now + SC_NS_PER_MS - 1) / SC_NS_PER_MS;
	ms = left > 3600000 ? 3600000 : (int)left;
	return (max_wait_ms >= 0 && max_wait_ms < ms) ? max_wait_ms : ms;
}

int sc_loop_run_once(sc_loop *l, int max_wait_ms)
{
	struct epoll_event ev[MAX_EVENTS];
	int n, ran = 0;

	n = epoll_wait(l->epfd, ev, MAX_EVENTS, wait_ms(l, max_wait_ms));
	if (n < 0 && errno != EINTR)
		return -errno;
	for (int i = 0; i < n; i++) {
		int fd = (int)(uint32_t)ev[i].data.u64;
		uint32_t gen = (uint32_t)(ev[i].data.u64 >> 32), e = 0;
		struct watch *w = (size_t)fd < l->nwatches ? &l->watches[fd] : NULL;

		/* Deleted or replaced by an earlier callback of this round. */
		if (!w || !w->fn || w->gen != gen)
			continue;
		e |= ev[i].events & EPOLLIN ? SC_LOOP_IN : 0;
		e |= ev[i].events & EPOLLOUT ? SC_LOOP_OUT : 0;
		e |= ev[i].events & (EPOLLERR | EPOLLHUP) ? SC_LOOP_ERR : 0;
		w->fn(w->arg, fd, e);
		ran++;
	}
	return ran + run_timers(l);
}

int sc_loop_run(sc_loop *l)
{
	l->stop = false;
	while (!l->stop) {
		int rc = sc_loop_run_once(l, -1);

		if (rc < 0)
			return rc;
	}
	return 0;
}

void sc_loop_stop(sc_loop *l)
{
	l->stop = true;
}
