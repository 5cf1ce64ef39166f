/* ctl_run: sixcastctl's entry point and command lookup. */
#ifndef CTL_RUN_H
#define CTL_RUN_H

#include "ctl.h"

/* Run sixcastctl with argv (argv[0] the program). Returns the exit code:
 * CTL_OK, CTL_EAPI or CTL_EUSAGE. */
int ctl_main(int argc, char **argv);

/* The command named by the first words of argv ("channels list", "channel
 * ls", "events", "clients" = "clients list"); *used says how many words it
 * took. NULL when none matches. */
const struct ctl_cmd *ctl_find(int argc, char *const *argv, int *used);

#endif
