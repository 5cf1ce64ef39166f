/* Unit tests of sc_loop: fd dispatch, timers on a fake clock (order,
 * re-arming, freeing from callbacks), and signals through signalfd. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "sc_loop.h"
#include "tu.h"

static int fired[16], nfired;

static void record(void *arg)
{
	if (nfired < 16)
		fired[nfired++] = (int)(intptr_t)arg;
}

static void test_timer_order(void)
{
	sc_clock *c = sc_clock_fake_new(0);
	sc_loop *l = sc_loop_new(c);
	sc_timer *t[5];
	static const int delay_ms[5] = { 30, 10, 20, 10, 50 };

	nfired = 0;
	for (int i = 0; i < 5; i++) {
		t[i] = sc_timer_new(l, record, (void *)(intptr_t)i);
		sc_timer_arm(t[i], (uint64_t)delay_ms[i] * SC_NS_PER_MS);
	}
	sc_timer_stop(t[2]);
	CU_ASSERT_FALSE(sc_timer_armed(t[2]));
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 0), 0);
	sc_clock_fake_advance(c, 10 * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 0), 2);
	/* Equal deadlines fire in the order they were armed. */
	CU_ASSERT_EQUAL(fired[0], 1);
	CU_ASSERT_EQUAL(fired[1], 3);
	sc_timer_arm(t[1], 5 * SC_NS_PER_MS); /* re-arm after firing */
	sc_timer_arm(t[4], 1 * SC_NS_PER_MS); /* move earlier */
	sc_clock_fake_advance(c, 30 * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 0), 3);
	CU_ASSERT_EQUAL(fired[2], 4);
	CU_ASSERT_EQUAL(fired[3], 1);
	CU_ASSERT_EQUAL(fired[4], 0);
	CU_ASSERT_EQUAL(nfired, 5);
	for (int i = 0; i < 5; i++)
		sc_timer_free(t[i]);
	sc_loop_free(l);
	sc_clock_free(c);
}

static sc_timer *self;
static int rearm_count;

static void rearm_zero(void *arg)
{
	(void)arg;
	/* Armed for "now" from inside a timer: must wait for the next round,
	 * or the loop would spin here forever. */
	if (++rearm_count < 100)
		sc_timer_arm(self, 0);
}

static sc_timer *victim;

static void free_victim(void *arg)
{
	(void)arg;
	sc_timer_free(victim);
	victim = NULL;
}

static void test_timer_rearm_and_free(void)
{
	sc_clock *c = sc_clock_fake_new(1000);
	sc_loop *l = sc_loop_new(c);
	sc_timer *f;

	rearm_count = 0;
	self = sc_timer_new(l, rearm_zero, NULL);
	sc_timer_arm(self, 0);
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 0), 1);
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 0), 1);
	CU_ASSERT_EQUAL(rearm_count, 2);
	CU_ASSERT(sc_timer_armed(self));
	sc_timer_stop(self);
	/* A timer that frees itself when it fires. */
	victim = sc_timer_new(l, free_victim, NULL);
	sc_timer_arm(victim, 0);
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 0), 1);
	CU_ASSERT_PTR_NULL(victim);
	/* Freed while armed: never fires. */
	f = sc_timer_new(l, record, NULL);
	sc_timer_arm(f, 0);
	sc_timer_free(f);
	nfired = 0;
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 0), 0);
	/* Timers still attached are freed with the loop (ASan checks). */
	sc_timer_new(l, record, NULL);
	sc_loop_free(l);
	sc_clock_free(c);
}

static void test_many_timers(void)
{
	sc_clock *c = sc_clock_fake_new(0);
	sc_loop *l = sc_loop_new(c);
	enum { N = 2000 };
	static sc_timer *t[N];
	uint64_t last = 0;
	int n = 0;

	for (int i = 0; i < N; i++) {
		t[i] = sc_timer_new(l, record, NULL);
		sc_timer_arm(t[i], tu_rand_below(1000000));
	}
	for (int i = 0; i < N; i += 3)
		sc_timer_stop(t[i]);
	nfired = 0;
	for (uint64_t now = 0; now <= 1000000; now += 997) {
		sc_clock_fake_set(c, now);
		n += sc_loop_run_once(l, 0);
		CU_ASSERT(now >= last);
		last = now;
	}
	sc_clock_fake_set(c, 2000000);
	n += sc_loop_run_once(l, 0);
	CU_ASSERT_EQUAL(n, N - (N + 2) / 3);
	for (int i = 0; i < N; i++)
		CU_ASSERT_FALSE(sc_timer_armed(t[i]));
	sc_loop_free(l);
	sc_clock_free(c);
}

static int reads;

static void on_read(void *arg, int fd, uint32_t ev)
{
	char b[16];
	sc_loop *l = arg;

	CU_ASSERT(ev & SC_LOOP_IN);
	if (read(fd, b, sizeof(b)) > 0)
		reads++;
	sc_loop_del_fd(l, fd); /* from inside its own callback */
}

static void test_fds(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	int p[2];

	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	reads = 0;
	CU_ASSERT_EQUAL(sc_loop_add_fd(l, p[0], SC_LOOP_IN, on_read, l), 0);
	CU_ASSERT_EQUAL(sc_loop_add_fd(l, p[0], SC_LOOP_IN, on_read, l), -EEXIST);
	CU_ASSERT_EQUAL(sc_loop_add_fd(l, -1, SC_LOOP_IN, on_read, l), -EINVAL);
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 0), 0);
	CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 1000), 1);
	CU_ASSERT_EQUAL(reads, 1);
	CU_ASSERT_EQUAL(write(p[1], "y", 1), 1);
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 0), 0); /* deleted */
	CU_ASSERT_EQUAL(sc_loop_del_fd(l, p[0]), -ENOENT);
	CU_ASSERT_EQUAL(sc_loop_mod_fd(l, p[0], SC_LOOP_IN), -ENOENT);
	close(p[0]);
	close(p[1]);
	sc_loop_free(l);
}

static int got_signal;

static void on_signal(void *arg, int signo)
{
	got_signal = signo;
	sc_loop_stop(arg);
}

static void test_signal(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());

	got_signal = 0;
	CU_ASSERT_EQUAL(sc_loop_add_signal(l, SIGUSR1, on_signal, l), 0);
	CU_ASSERT_EQUAL(sc_loop_add_signal(l, SIGUSR2, on_signal, l), 0);
	CU_ASSERT_EQUAL(sc_loop_add_signal(l, 0, on_signal, l), -EINVAL);
	raise(SIGUSR2);
	CU_ASSERT_EQUAL(sc_loop_run(l), 0);
	CU_ASSERT_EQUAL(got_signal, SIGUSR2);
	sc_loop_free(l);
}

/* On the system clock a timer alone wakes a loop waiting forever. */
static void test_system_clock_timer(void)
{
	sc_loop *l = sc_loop_new(sc_clock_system());
	sc_timer *t = sc_timer_new(l, record, (void *)(intptr_t)7);
	int ran = 0;

	nfired = 0;
	sc_timer_arm(t, 2 * SC_NS_PER_MS);
	while (nfired == 0 && ran >= 0)
		ran = sc_loop_run_once(l, -1);
	CU_ASSERT_EQUAL(nfired, 1);
	CU_ASSERT_EQUAL(fired[0], 7);
	/* Re-armed earlier than the timerfd was set for: still fires. */
	sc_timer_arm(t, 50 * SC_NS_PER_MS);
	CU_ASSERT_EQUAL(sc_loop_run_once(l, 0), 0);
	sc_timer_arm(t, 1 * SC_NS_PER_MS);
	while (nfired == 1 && ran >= 0)
		ran = sc_loop_run_once(l, -1);
	CU_ASSERT_EQUAL(nfired, 2);
	sc_timer_free(t);
	sc_loop_free(l);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "timer order", test_timer_order },
		{ "re-arm and free from callbacks", test_timer_rearm_and_free },
		{ "many timers", test_many_timers },
		{ "file descriptors", test_fds },
		{ "signals", test_signal },
		{ "system clock timer", test_system_clock_timer },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_loop", tests);
}
