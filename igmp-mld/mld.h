/* libsixcast-igmp-mld: group membership for IPv6 MLDv2 and IPv4 IGMPv3.
 *
 * Set-top boxes and edge servers join and leave channels through this
 * library; the NOC watches who joined what through its watcher. One API
 * serves both families: an address is a struct mld_addr (IPv6 or IPv4),
 * an interface is a name or a decimal index ("eth0", "3").
 *
 * Include this header; it includes the parts:
 *   mld_types.h  what every part shares: addresses, logging, filter modes,
 *                record types, the version
 *   mld_sock.h   join/leave, receiver and sender sockets
 *   mld_link.h   interfaces through libnl, and a link/address watcher
 *   mld_memb.h   the host's current memberships (netlink, /proc fallback)
 *   mld_pkt.h    MLDv1/v2 and IGMPv1/v2/v3 decoders over (buffer, length)
 *   mld_cap.h    a libpcap watcher that feeds the decoders
 *   mld_table.h  who joined what, as seen by a watcher
 *
 * Conventions of every function here: 0 or a positive count on success, a
 * negative errno value on failure. Nothing prints and nothing exits; log
 * messages go to the callback the caller gives (struct mld_log; NULL means
 * silent). No function keeps a global state; objects are opaque handles
 * with _new/_free, and _free(NULL) does nothing. Nothing here starts a
 * thread: objects with a file descriptor expose it for the caller's event
 * loop together with a function that processes what is pending. */
#ifndef SIXCAST_MLD_H
#define SIXCAST_MLD_H

#include "mld_types.h"
#include "mld_sock.h"
#include "mld_link.h"
#include "mld_memb.h"
#include "mld_pkt.h"
#include "mld_cap.h"
#include "mld_table.h"

#endif
