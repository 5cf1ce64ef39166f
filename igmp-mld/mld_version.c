/* mld_version: which build of the library a program runs against. */
#include "config.h"

#include "mld.h"

const char *mld_version(void)
{
	return PACKAGE_VERSION;
}
