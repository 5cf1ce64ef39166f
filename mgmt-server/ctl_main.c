/* sixcastctl: the NOC's command-line tool for the management server's API.
 * Everything is in ctl_run.c and the ctl_cmds*.c command tables. */
#include "config.h"

#include "ctl_run.h"

int main(int argc, char **argv)
{
	return ctl_main(argc, argv);
}
