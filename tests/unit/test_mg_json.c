/* Unit tests of the API's request validation (mg_json) and of the hot-path
 * JSON writer (mg_jw): bodies that are not objects, unknown and missing
 * fields, wrong types and ranges, address lists, hex keys, public keys,
 * escaping, and random bytes thrown at the parser. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_json.h"
#include "mg_jw.h"
#include "tu.h"

static const struct mg_field fields[] = {
	{ "id", MG_J_UINT | MG_J_REQUIRED, 1, 1000 },
	{ "name", MG_J_STR, 1, 8 },
	{ "on", MG_J_BOOL, 0, 0 },
	{ "list", MG_J_ARRAY, 0, 2 },
	{ "obj", MG_J_OBJECT, 0, 0 },
	{ "ms", MG_J_NUMBER, 0, 10 },
	{ "opt", MG_J_UINT | MG_J_NULLABLE, 1, 5 },
	{ NULL, 0, 0, 0 },
};

static int check(const char *text, char *why, size_t len)
{
	json_t *j = mg_json_parse_body(text, strlen(text), true, why, len);
	int rc;

	if (!j)
		return -EBADMSG;
	rc = mg_json_check(j, fields, why, len);
	json_decref(j);
	return rc;
}

static void expect_error(const char *text, const char *want)
{
	char why[256] = "";

	CU_ASSERT(check(text, why, sizeof(why)) < 0);
	if (!strstr(why, want)) {
		printf("\n  %s -> \"%s\", wanted \"%s\"\n", text, why, want);
		CU_FAIL("message");
	}
}

static void test_bodies(void)
{
	char why[256];
	json_t *j;

	j = mg_json_parse_body("  \n", 3, true, why, sizeof(why));
	CU_ASSERT(json_is_object(j));
	json_decref(j);
	CU_ASSERT_PTR_NULL(mg_json_parse_body("", 0, false, why, sizeof(why)));
	CU_ASSERT_PTR_NULL(mg_json_parse_body("[1,2]", 5, true, why, sizeof(why)));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "object"));
	CU_ASSERT_PTR_NULL(mg_json_parse_body("{\"a\":1,\"a\":2}", 13, true, why, sizeof(why)));
	CU_ASSERT_PTR_NULL(mg_json_parse_body("{\"a\":", 5, true, why, sizeof(why)));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "malformed JSON at line 1"));
	/* Exactly len bytes are read: no need for a terminator. */
	j = mg_json_parse_body("{\"id\":3}garbage", 8, true, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(j);
	json_decref(j);
}

static void test_fields(void)
{
	char why[256];

	CU_ASSERT_EQUAL(check("{\"id\":3}", why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(check("{\"id\":3,\"name\":\"abc\",\"on\":true,\"list\":[1],\"obj\":{},\"ms\":2.5,"
			      "\"opt\":null}", why, sizeof(why)), 0);
	expect_error("{}", "missing field \"id\"");
	expect_error("{\"id\":3,\"extra\":1}", "unknown field \"extra\"");
	expect_error("{\"id\":\"3\"}", "field \"id\" must be an integer");
	expect_error("{\"id\":0}", "field \"id\" must be between 1 and 1000");
	expect_error("{\"id\":1001}", "between 1 and 1000");
	expect_error("{\"id\":-5}", "between 1 and 1000");
	expect_error("{\"id\":2.5}", "must be an integer");
	expect_error("{\"id\":1,\"name\":\"\"}", "length between 1 and 8");
	expect_error("{\"id\":1,\"name\":\"123456789\"}", "length between 1 and 8");
	expect_error("{\"id\":1,\"name\":5}", "must be a string");
	expect_error("{\"id\":1,\"on\":1}", "true or false");
	expect_error("{\"id\":1,\"list\":[1,2,3]}", "number of elements");
	expect_error("{\"id\":1,\"list\":{}}", "must be an array");
	expect_error("{\"id\":1,\"obj\":[]}", "must be an object");
	expect_error("{\"id\":1,\"ms\":11}", "between 0 and 10");
	expect_error("{\"id\":1,\"ms\":\"1\"}", "must be a number");
	expect_error("{\"id\":null}", "must be an integer");
	expect_error("{\"id\":1,\"opt\":\"x\"}", "an integer or null");
}

static void test_accessors(void)
{
	json_t *j = json_pack("{s:i, s:s, s:b, s:n}", "a", 7, "s", "x", "b", 1, "z");

	CU_ASSERT_EQUAL(mg_json_u32(j, "a", 0), 7);
	CU_ASSERT_EQUAL(mg_json_u32(j, "missing", 9), 9);
	CU_ASSERT_EQUAL(mg_json_u32(j, "z", 9), 9);
	CU_ASSERT_STRING_EQUAL(mg_json_str(j, "s", NULL), "x");
	CU_ASSERT(mg_json_bool(j, "b", false));
	json_decref(j);
}

static void test_addrs(void)
{
	struct mg_caddr a[4];
	char why[200], buf[SC_ADDR_STRLEN];
	size_t n;
	json_t *j;

	j = json_pack("[s, s, s]", "[2001:db8:1::5]:5100", "10.1.0.5", "2001:db8::7");
	CU_ASSERT_EQUAL(mg_json_addrs(j, 5100, a, 4, &n, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(n, 3);
	mg_caddr_format(&a[1], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "10.1.0.5:5100");
	mg_caddr_format(&a[2], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "[2001:db8::7]:5100");
	json_decref(j);
	j = json_pack("[s]", "2001:db8::7");
	CU_ASSERT_EQUAL(mg_json_addrs(j, 0, a, 4, &n, why, sizeof(why)), 0); /* port optional */
	mg_caddr_format(&a[0], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8::7");
	json_decref(j);
	static const char *const bad[] = { "ff3e::1", "239.1.1.1:5000", "[::]:5100", "0.0.0.0:1",
					   "nowhere", "[2001:db8::1]:99999", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = json_pack("[s]", bad[i]);
		CU_ASSERT_EQUAL(mg_json_addrs(j, 5100, a, 4, &n, why, sizeof(why)), -EINVAL);
		json_decref(j);
	}
	j = json_pack("[i]", 5);
	CU_ASSERT_EQUAL(mg_json_addrs(j, 5100, a, 4, &n, why, sizeof(why)), -EINVAL);
	json_decref(j);
	j = json_pack("[s,s]", "10.0.0.1", "10.0.0.2");
	CU_ASSERT_EQUAL(mg_json_addrs(j, 5100, a, 1, &n, why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "at most 1"));
	json_decref(j);
}

static void test_hex(void)
{
	uint8_t k[32], back[32];
	char hex[65];

	for (int i = 0; i < 32; i++)
		k[i] = (uint8_t)tu_rand();
	mg_hex(k, 32, hex);
	CU_ASSERT_EQUAL(strlen(hex), 64);
	CU_ASSERT_EQUAL(mg_unhex(hex, back, 32), 0);
	CU_ASSERT_EQUAL(memcmp(k, back, 32), 0);
	CU_ASSERT_EQUAL(mg_unhex("abc", back, 32), -EINVAL);
	hex[5] = 'g';
	CU_ASSERT_EQUAL(mg_unhex(hex, back, 32), -EINVAL);
}

/* A bad public key is refused with a message naming the field. */
static void test_pubkey(void)
{
	static const char *const bad[] = {
		"{\"pubkey\":\"abc\"}",
		"{\"pubkey\":7}",
		"{\"pubkey\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\"}",
		"{\"pubkey\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef00\"}",
		"{\"pubkey\":\"0000000000000000000000000000000000000000000000000000000000000000\"}",
	};
	uint8_t k[32];
	char why[160];
	json_t *j;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = json_loads(bad[i], 0, NULL);
		why[0] = '\0';
		CU_ASSERT_EQUAL(mg_json_pubkey(j, "pubkey", k, why, sizeof(why)), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "field \"pubkey\""));
		json_decref(j);
	}
	j = json_loads("{\"pubkey\":\"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\","
		       "\"other\":null}", 0, NULL);
	CU_ASSERT_EQUAL(mg_json_pubkey(j, "pubkey", k, why, sizeof(why)), 1);
	CU_ASSERT_EQUAL(k[0], 0x01);
	CU_ASSERT_EQUAL(k[7], 0xef);
	CU_ASSERT_EQUAL(k[31], 0xef);
	CU_ASSERT_EQUAL(mg_json_pubkey(j, "other", k, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(mg_json_pubkey(j, "absent", k, why, sizeof(why)), 0);
	json_decref(j);
}

static void test_writer(void)
{
	struct mg_jw w;
	json_t *j;
	size_t len;
	char *s;

	mg_jw_init(&w);
	mg_jw_obj(&w);
	mg_jw_key(&w, "n");
	mg_jw_u64(&w, 9007199254740993ULL);
	mg_jw_key(&w, "z");
	mg_jw_u64(&w, 0);
	mg_jw_key(&w, "s");
	mg_jw_str(&w, "a\"b\\c\n\x01\xc3\xa9");
	mg_jw_key(&w, "a");
	mg_jw_arr(&w);
	mg_jw_bool(&w, true);
	mg_jw_null(&w);
	mg_jw_obj(&w);
	mg_jw_obj_end(&w);
	mg_jw_raw(&w, "[1]", 3);
	mg_jw_arr_end(&w);
	mg_jw_obj_end(&w);
	s = mg_jw_take(&w, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(strlen(s), len);
	CU_ASSERT_STRING_EQUAL(s, "{\"n\":9007199254740993,\"z\":0,\"s\":\"a\\\"b\\\\c\\u000a\\u0001\xc3\xa9\","
			       "\"a\":[true,null,{},[1]]}");
	j = json_loads(s, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "s")), "a\"b\\c\n\x01\xc3\xa9");
	json_decref(j);
	free(s);
	mg_jw_free(&w);
}

/* Random bytes and mutated JSON never crash the parser or the checker. */
static void test_fuzz(void)
{
	static const char seed[] = "{\"id\":3,\"name\":\"abc\",\"list\":[1,{\"x\":[]}],\"ms\":1e3}";
	char buf[128], why[256];

	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)tu_rand_below(sizeof(buf));
		json_t *j;

		if (i % 2) {
			memcpy(buf, seed, sizeof(seed));
			n = sizeof(seed) - 1;
			for (int k = 0; k < 3; k++)
				buf[tu_rand_below(n)] = (char)tu_rand();
		} else {
			for (size_t k = 0; k < n; k++)
				buf[k] = (char)tu_rand();
		}
		j = mg_json_parse_body(buf, n, true, why, sizeof(why));
		if (j)
			mg_json_check(j, fields, why, sizeof(why));
		json_decref(j);
	}
	CU_PASS("survived");
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "bodies", test_bodies },
		{ "fields, types, ranges", test_fields },
		{ "accessors", test_accessors },
		{ "address lists", test_addrs },
		{ "hex keys", test_hex },
		{ "public keys", test_pubkey },
		{ "JSON writer", test_writer },
		{ "random input", test_fuzz },
		{ NULL, NULL },
	};

	return tu_add_suite("mg_json", tests);
}
