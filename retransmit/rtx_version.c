/* rtx_version: which build of the library a program runs against. */
#include "config.h"

#include "rtx.h"

const char *rtx_version(void)
{
	return PACKAGE_VERSION;
}
