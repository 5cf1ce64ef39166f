/* libsixcast-igmp-mld: group membership for IPv6 MLDv2 and IPv4 IGMPv3.
 *
 * Set-top boxes and edge servers join and leave channels through this
 * library; the NOC watches who joined what through its watcher.
 *
 * Conventions of every function here: 0 or a positive count on success, a
 * negative errno value on failure. Nothing prints and nothing exits; log
 * messages go to the callback the caller gives. */
#ifndef SIXCAST_MLD_H
#define SIXCAST_MLD_H

#ifdef __cplusplus
extern "C" {
#endif

/* A log callback: level is a syslog priority (LOG_ERR .. LOG_DEBUG), msg a
 * NUL-terminated line without newline, valid only during the call. */
typedef void (*mld_log_fn)(void *ctx, int level, const char *msg);

/* The library's version, "MAJOR.MINOR.PATCH". A static string. */
const char *mld_version(void);

#ifdef __cplusplus
}
#endif
#endif
