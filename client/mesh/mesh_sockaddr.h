/* mesh_sockaddr: the mesh's addresses (struct mesh_addr, as the wire
 * carries them) and the socket addresses of common/ (sc_addr.h), for the
 * programs that run a node on a socket: sixcast-client, the edge, meshpeer.
 * A v4-mapped IPv6 address is IPv4 in the mesh. */
#ifndef MESH_SOCKADDR_H
#define MESH_SOCKADDR_H

#include <stdbool.h>

#include "mesh.h"
#include "sc_addr.h"

/* Family 0 when s is neither IPv4 nor IPv6. */
void mesh_addr_from_sockaddr(const struct sc_sockaddr *s, struct mesh_addr *m);
/* An IPv4 m becomes a v4-mapped IPv6 address when mapped (what a
 * dual-stack socket sends to and receives from). Returns 0, or
 * -EAFNOSUPPORT for a family other than 4 and 6. */
int mesh_addr_to_sockaddr(const struct mesh_addr *m, bool mapped, struct sc_sockaddr *s);

#endif
