/* Unit tests of the igmp-mld library's version entry point. */
#include "config.h"

#include <string.h>

#include "mld.h"
#include "tu.h"

static void test_version(void)
{
	CU_ASSERT_STRING_EQUAL(mld_version(), PACKAGE_VERSION);
}

int tu_register(void)
{
	static const struct tu_test tests[] = {
		{ "version", test_version },
		{ NULL, NULL },
	};
	return tu_add_suite("mld", tests);
}
