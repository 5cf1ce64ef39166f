#include "config.h"
#include "tu.h"
int tu_register(void)
{
	return 0;
}
