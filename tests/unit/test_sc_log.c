/* Unit tests of sc_log: library callbacks, level filtering, the stderr
 * sink's line format, and level names. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc_log.h"
#include "tu.h"

static char last[2048];
static int last_level, calls;

static void capture(void *ctx, int level, const char *msg)
{
	(*(int *)ctx)++;
	last_level = level;
	snprintf(last, sizeof(last), "%s", msg);
	calls++;
}

static void test_callback(void)
{
	int count = 0;
	struct sc_logger lg = { capture, &count, LOG_INFO };

	sc_logf(&lg, LOG_WARNING, "group %s: %d members", "g1", 5);
	CU_ASSERT_EQUAL(count, 1);
	CU_ASSERT_EQUAL(last_level, LOG_WARNING);
	CU_ASSERT_STRING_EQUAL(last, "group g1: 5 members");
	sc_logf(&lg, LOG_DEBUG, "not shown");
	CU_ASSERT_EQUAL(count, 1);
	lg.fn = NULL;
	sc_logf(&lg, LOG_ERR, "nowhere");
	sc_logf(NULL, LOG_ERR, "nowhere");
	CU_ASSERT_EQUAL(count, 1);
}

static void test_truncation(void)
{
	int count = 0;
	struct sc_logger lg = { capture, &count, LOG_DEBUG };
	char *big = malloc(5000);

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'x', 4999);
	big[4999] = '\0';
	sc_logf(&lg, LOG_INFO, "%s", big);
	CU_ASSERT_EQUAL(count, 1);
	CU_ASSERT_EQUAL(strlen(last), 1023);
	free(big);
}

static void test_levels(void)
{
	CU_ASSERT_EQUAL(sc_log_level_parse("debug"), LOG_DEBUG);
	CU_ASSERT_EQUAL(sc_log_level_parse("INFO"), LOG_INFO);
	CU_ASSERT_EQUAL(sc_log_level_parse("warn"), LOG_WARNING);
	CU_ASSERT_EQUAL(sc_log_level_parse("warning"), LOG_WARNING);
	CU_ASSERT_EQUAL(sc_log_level_parse("err"), LOG_ERR);
	CU_ASSERT_EQUAL(sc_log_level_parse("error"), LOG_ERR);
	CU_ASSERT_EQUAL(sc_log_level_parse("loud"), -EINVAL);
	CU_ASSERT_EQUAL(sc_log_level_parse(NULL), -EINVAL);
	CU_ASSERT_STRING_EQUAL(sc_log_level_name(LOG_NOTICE), "notice");
	CU_ASSERT_STRING_EQUAL(sc_log_level_name(42), "?");
	CU_ASSERT_STRING_EQUAL(sc_log_level_name(-1), "?");
}

/* Run fn with stderr sent to a temporary file; return what it wrote. */
static char *capture_stderr(void (*fn)(void))
{
	static char out[4096];
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

static void write_lines(void)
{
	sc_log(LOG_NOTICE, "tuned to channel %d", 7);
	sc_log(LOG_DEBUG, "hidden");
	sc_log_sink(NULL, LOG_ERR, "from a library");
	sc_log_sink(NULL, LOG_DEBUG, "hidden too");
}

static void test_stderr_sink(void)
{
	char *out;

	unsetenv("JOURNAL_STREAM");
	sc_log_open("sixcast-test", SC_LOG_STDERR, LOG_INFO);
	CU_ASSERT_EQUAL(sc_log_get_level(), LOG_INFO);
	out = capture_stderr(write_lines);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "sixcast-test["));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "]: notice: tuned to channel 7\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "]: error: from a library\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "hidden"));
	/* Under systemd the journal takes <N> prefixes instead. */
	setenv("JOURNAL_STREAM", "8:1234", 1);
	sc_log_open("sixcast-test", SC_LOG_STDERR, LOG_DEBUG);
	out = capture_stderr(write_lines);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<5>tuned to channel 7\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<7>hidden\n"));
	unsetenv("JOURNAL_STREAM");
	sc_log_close();
}

static void test_lograte(void)
{
	struct sc_lograte r = { 0 };
	uint64_t quiet = 99;

	/* The first event is said at once, even at time 0. */
	CU_ASSERT_TRUE(sc_lograte_ok(&r, 0, 10, &quiet));
	CU_ASSERT_EQUAL(quiet, 0);
	CU_ASSERT_FALSE(sc_lograte_ok(&r, 3, 10, &quiet));
	CU_ASSERT_FALSE(sc_lograte_ok(&r, 9, 10, &quiet));
	CU_ASSERT_TRUE(sc_lograte_ok(&r, 10, 10, &quiet));
	CU_ASSERT_EQUAL(quiet, 2);
	CU_ASSERT_TRUE(sc_lograte_ok(&r, 25, 10, &quiet));
	CU_ASSERT_EQUAL(quiet, 0);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "library callback", test_callback },
		{ "long messages truncate", test_truncation },
		{ "level names", test_levels },
		{ "stderr sink", test_stderr_sink },
		{ "rate-limited messages", test_lograte },
		{ NULL, NULL },
	};
	return tu_add_suite("sc_log", tests);
}
