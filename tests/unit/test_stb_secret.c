/* Unit tests of the box's config (stb_cfg) where it reads its enrolment
 * credential: required, inline or in client.credential_file, and never a
 * placeholder. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stb_cfg.h"
#include "tu.h"

static char dir[] = "/tmp/test_stb_cfg_XXXXXX";

static void put(const char *name, const char *text)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* A box config whose client group holds cred (a credential setting, or
 * none), written as dir/box.conf and loaded. */
static int load(const char *cred, struct stb_cfg *c, struct sc_cfg_err *err)
{
	char text[1024], path[300];

	snprintf(text, sizeof(text),
		 "client: { device_id = \"stb-1\"; interface = \"lo\";\n  %s };\n"
		 "mgmt: { url = \"http://[::1]:8080\"; };\n", cred);
	put("box.conf", text);
	snprintf(path, sizeof(path), "%s/box.conf", dir);
	return stb_cfg_load(path, c, err);
}

static void refused(const char *cred, const char *want)
{
	struct sc_cfg_err err = { "" };
	struct stb_cfg c;

	CU_ASSERT(load(cred, &c, &err) < 0);
	if (!strstr(err.msg, want)) {
		printf("got \"%s\", want \"%s\"\n", err.msg, want);
		CU_FAIL("message");
	}
}

static void test_credential(void)
{
	struct sc_cfg_err err = { "" };
	struct stb_cfg c;

	refused("", "box.conf:1: client: 'credential_file' (or 'credential') is required; use the management "
		"server's box enrolment secret (the content of its /etc/sixcast/secrets/box-enrolment; in "
		"per-device mode, the HMAC of device_id under it)");
	refused("credential = \"enrolment-secret\";", "box.conf:2: 'client.credential' is a placeholder (it contains "
		"\"secret\"); use the management server's box enrolment secret");
	refused("credential = \"7d251e6e\";", "box.conf:2: 'client.credential' is too short (8 characters; at least "
		"24 are needed)");
	refused("credential_file = \"box-enrolment\";", "box.conf:2: 'client.credential_file': cannot read ");
	put("box-enrolment", "");
	refused("credential_file = \"box-enrolment\";", "/box-enrolment is empty; use the management server's box "
		"enrolment secret");
	put("box-enrolment", "CHANGE-ME\n");
	refused("credential_file = \"box-enrolment\";", "/box-enrolment is a placeholder");
	put("box-enrolment", "7d251e6e1c6899be1354240a9d3504d90ec23664\n");
	CU_ASSERT_EQUAL(load("credential_file = \"box-enrolment\";", &c, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.credential, "7d251e6e1c6899be1354240a9d3504d90ec23664");
	CU_ASSERT_EQUAL(load("credential = \"7d251e6e1c6899be1354240a9d3504d90ec23664\";", &c, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.credential, "7d251e6e1c6899be1354240a9d3504d90ec23664");
}

/* Everything the tests wrote goes at exit, passed or not. */
static void cleanup(void)
{
	static const char *const files[] = { "box.conf", "box-enrolment", NULL };
	char path[300];

	for (int i = 0; files[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "the enrolment credential", test_credential },
		{ NULL, NULL },
	};

	if (!mkdtemp(dir))
		return CUE_SINIT_FAILED;
	atexit(cleanup);
	return tu_add_suite("stb_cfg secrets", tests);
}
