#!/usr/bin/env python3
"""udp_attack: an attacker on the metro network against sixcast's UDP
ports (repair "SX" on 5100/5200, mesh "SM"), for tests/security/.

  capture  in the fabric namespace: read the frames of one bridge port (a
           host's veth peer) with an AF_PACKET socket and keep the UDP
           datagrams of sixcast's protocols that match (magic, type,
           ports, addresses), as JSON lines with their addresses.
  send     in the attacker's namespace: send datagrams (a capture's, or
           sxforge's lines) to a target, from the attacker's own address
           with a UDP socket (then count what comes back on it), or from a
           spoofed source address (an Ethernet + IPv6 + UDP frame built
           here, checksum and all, written to eth0 with AF_PACKET).
  garbage  random datagrams and well-formed headers with made-up
           certificates to many targets at a given rate, from the own
           address (counting answers) or from random spoofed addresses.

Whoever waits for the answers (send, garbage from the own address) prints
a JSON line of what it sent, keeps its socket until --stop-file exists
(the test creates it once the victims' counters show every datagram was
handled), drains it, and prints a last JSON line: what it sent and what
came back. Nothing here sleeps for a
fixed time to synchronise: --ready files say when a capture listens."""
import argparse
import json
import os
import random
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
MAGICS = {"SX": b"SX", "SM": b"SM"}


# ---- capture ----

def parse_frame(f):
    """(src, dst, sport, dport, payload) of an IPv6/IPv4 UDP frame, or None."""
    if len(f) < 14:
        return None
    et = struct.unpack("!H", f[12:14])[0]
    if et == 0x86DD and len(f) >= 14 + 48 and f[20] == 17:
        src = socket.inet_ntop(socket.AF_INET6, f[22:38])
        dst = socket.inet_ntop(socket.AF_INET6, f[38:54])
        u = 54
    elif et == 0x0800 and len(f) >= 14 + 28 and f[23] == 17:
        ihl = (f[14] & 15) * 4
        src = socket.inet_ntop(socket.AF_INET, f[26:30])
        dst = socket.inet_ntop(socket.AF_INET, f[30:34])
        u = 14 + ihl
    else:
        return None
    sport, dport, ulen = struct.unpack("!HHH", f[u:u + 6])
    return src, dst, sport, dport, f[u + 8:u + ulen]


def ints(s):
    return {int(x) for x in s.split(",") if x} if s else None


def capture(a):
    magics = [MAGICS[m] for m in a.magic.split(",")]
    types, dports, sports = ints(a.types), ints(a.dport), ints(a.sport)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((a.ifname, 0))
    if a.ready:
        open(a.ready, "w").close()
    got, seen = [], 0
    end = time.monotonic() + a.timeout
    with open(a.out, "w") as out:
        while len(got) < a.count:
            left = end - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                break
            f, addr = s.recvfrom(65536)
            if addr[2] == socket.PACKET_OUTGOING and not a.outgoing:
                continue
            p = parse_frame(f)
            if not p:
                continue
            src, dst, sport, dport, pl = p
            seen += 1
            if len(pl) < 32 or pl[:2] not in magics or (types and pl[3] not in types):
                continue
            if (dports and dport not in dports) or (sports and sport not in sports):
                continue
            if (a.src and src != a.src) or (a.dst and dst != a.dst):
                continue
            if a.ret != "any" and bool(pl[4] & 1) != (a.ret == "yes"):
                continue
            if a.domain and struct.unpack("!I", pl[8:12])[0] != a.domain:
                continue
            sender, receiver = struct.unpack("!II", pl[12:20])
            d = {"src": src, "dst": dst, "sport": sport, "dport": dport, "magic": pl[:2].decode(),
                 "type": pl[3], "flags": pl[4], "sender": sender, "receiver": receiver, "len": len(pl),
                 "hex": pl.hex()}
            out.write(json.dumps(d) + "\n")
            out.flush()
            got.append(d)
    print(json.dumps({"captured": len(got), "udp_seen": seen}))
    return 0 if len(got) >= a.min else 1


# ---- datagrams to send ----

def load(path, kind=None, mode=None, types=None):
    """Datagrams from a capture (JSON lines) or from sxforge ("KIND RECEIVER
    MODE HEX" lines): dicts with at least hex."""
    out = []
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            d = json.loads(line)
        else:
            k, r, m, h = line.split()
            d = {"kind": k, "receiver": int(r), "mode": m, "hex": h}
        if kind and d.get("kind") != kind:
            continue
        if mode and d.get("mode") != mode:
            continue
        if types and d.get("type") not in types:
            continue
        out.append(d)
    return out


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame6(smac, dmac, src, dst, sport, dport, payload):
    """An Ethernet frame: IPv6 + UDP from src (spoofed) with a correct
    checksum."""
    s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    ulen = 8 + len(payload)
    pseudo = s + d + struct.pack("!I3xB", ulen, 17)
    c = csum(pseudo + struct.pack("!HHHH", sport, dport, ulen, 0) + payload) or 0xFFFF
    udp = struct.pack("!HHHH", sport, dport, ulen, c) + payload
    ip = struct.pack("!IHBB", 6 << 28, ulen, 17, 64) + s + d
    return dmac + smac + b"\x86\xdd" + ip + udp


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


class Spoofer:
    def __init__(self, iface):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.s.bind((iface, 0))
        self.smac = mac(open("/sys/class/net/%s/address" % iface).read().strip())

    def send(self, dmac, src, dst, sport, dport, payload):
        self.s.send(frame6(self.smac, dmac, src, dst, sport, dport, payload))


class Pacer:
    """rate datagrams a second (0: as fast as possible), without sleeping
    past the next one's time."""

    def __init__(self, rate):
        self.rate, self.t0, self.n = rate, time.monotonic(), 0

    def next(self):
        self.n += 1
        if self.rate:
            due = self.t0 + self.n / self.rate
            d = due - time.monotonic()
            if d > 0:
                time.sleep(d)


def await_answers(sock, stop_file, deadline):
    """Count what arrives on sock until stop_file exists (or deadline):
    datagrams, bytes, the largest, bytes by source."""
    n = b = big = 0
    by = {}
    end = time.monotonic() + deadline
    while True:
        stop = os.path.exists(stop_file) if stop_file else True
        while select.select([sock], [], [], 0 if stop else 0.05)[0]:
            data, addr = sock.recvfrom(65536)
            n += 1
            b += len(data)
            big = max(big, len(data))
            by[addr[0]] = by.get(addr[0], 0) + len(data)
        if stop or time.monotonic() > end:
            return n, b, big, by


def follow(path, n, timeout):
    """The first n datagrams of a capture still being written, each as soon
    as its line is there (an on-path relay)."""
    end = time.monotonic() + timeout
    buf = ""
    got = 0
    while not os.path.exists(path):
        if time.monotonic() > end:
            return
        time.sleep(0.002)
    with open(path) as f:
        while got < n and time.monotonic() < end:
            chunk = f.readline()
            if not chunk:
                time.sleep(0.001)
                continue
            buf += chunk
            if buf.endswith("\n"):
                got += 1
                yield json.loads(buf)
                buf = ""


def send(a):
    if a.follow:
        dgrams = follow(a.input, a.follow, a.follow_timeout)
    else:
        dgrams = load(a.input, a.kind, a.mode, ints(a.types))
        if not dgrams:
            print("udp_attack: nothing to send in %s" % a.input, file=sys.stderr)
            return 2
    pace = Pacer(a.rate)
    sent = nbytes = 0
    small = 1 << 16
    sock = sp = None
    macs = {k: mac(v) for k, v in (x.split("=") for x in a.macs.split(",") if x)}
    if a.spoof:
        sp = Spoofer(a.iface)
    else:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        sock.bind(("::", a.from_port))
    for _ in range(a.repeat if not a.follow else 1):
        for d in dgrams:
            pl = bytes.fromhex(d["hex"])
            dst = a.to or d["dst"]
            port = a.port or d["dport"]
            if sp:
                sp.send(macs.get(dst) or mac(a.dmac), a.spoof, dst, a.from_port or d.get("sport", 5100), port, pl)
            else:
                sock.sendto(pl, (dst, port))
            sent += 1
            nbytes += len(pl)
            small = min(small, len(pl))
            pace.next()
    r = {"sent": sent, "bytes_sent": nbytes, "min_sent": small if sent else 0}
    if sock:
        print(json.dumps(r), flush=True)  # sent: the test may go on
        n, b, big, by = await_answers(sock, a.stop_file, a.stop_timeout)
        r.update({"recv": n, "bytes_recv": b, "max_recv": big, "recv_from": by})
    print(json.dumps(r))
    return 0


# ---- garbage ----

ISSUER = None


def made_up_cert(rnd, sender):
    """A certificate of the right shape, valid now, naming the real CA's key
    id when known (--issuer), so that only its signature is wrong: the
    receiver's most expensive check."""
    now = int(time.time() * 1000)
    issuer = ISSUER if ISSUER is not None else rnd.getrandbits(32)
    return (b"SC\x01" + bytes([2 if sender & 0x80000000 else 1]) +
            struct.pack("!IIIQQ", sender, rnd.getrandbits(32), issuer, now - 1000, now + 3600000) +
            rnd.randbytes(96))


def garbage_dgram(rnd, port, receiver, mix):
    """A random datagram, or a well-formed header with a made-up certificate
    (and a random MAC) for receiver (0: a random one), of the protocols
    spoken on port."""
    k = rnd.choice(mix)
    if k == 0:
        return rnd.randbytes(rnd.randrange(1, 1400))
    sender = rnd.getrandbits(31) or 1
    receiver = receiver or rnd.getrandbits(31) or 1
    if k == 1:  # repair protocol: NACK, BURST_REQ or PATH
        t = rnd.choice((1, 4, 6))
        flags = 0x80 | (1 if port == 5200 or t == 4 else 0)
        body = {1: struct.pack("!IQHHHH", rnd.getrandbits(32), 0, 1, 0, rnd.getrandbits(16), 0xFFFF),
                4: struct.pack("!I12x", 300), 6: rnd.randbytes(16)}[t]
        magic, domain = b"SX", 1 if flags & 1 else rnd.getrandbits(16)
    else:  # mesh: HELLO, NQUERY, PREQ, PULL, PATH
        t = rnd.choice((1, 2, 4, 11, 13))
        flags = 0x80
        body = {1: struct.pack("!BBHQQI", 1, 255, 0, 0, 0, 0), 2: b"\x08\0\0\0", 4: b"\0\xff\0\0",
                11: struct.pack("!BBHQ", 1, 4, 0, 1) + b"\0\0\0\1\0\2\0\3", 13: rnd.randbytes(16)}[t]
        magic, domain = b"SM", 1
    hdr = magic + bytes([2, t, flags, 0]) + struct.pack("!HIIIQI", len(body), domain, sender, receiver,
                                                        time.time_ns(), rnd.getrandbits(32) | 1)
    return hdr + made_up_cert(rnd, sender) + body + rnd.randbytes(16)


def garbage(a):
    global ISSUER
    rnd = random.Random(a.seed)
    if a.issuer:
        ISSUER = int(a.issuer, 16)
    targets = []
    for t in a.targets.split(","):
        if not t:
            continue
        t, _, rcv = t.partition("#")
        addr, rest = t.rsplit("]:", 1) if t.startswith("[") else t.rsplit(":", 1)
        port, _, m = rest.partition("@")
        targets.append((addr.lstrip("["), int(port), mac(m) if m else None, int(rcv or 0)))
    mix = [{"random": 0, "sx": 1, "sm": 2}[x] for x in a.mix.split(",")]
    sp = Spoofer(a.iface) if a.spoof_net else None
    sock = None
    if not sp:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        sock.bind(("::", a.from_port))
    pace = Pacer(a.rate)
    sent = nbytes = 0
    end = time.monotonic() + a.duration
    while time.monotonic() < end:
        addr, port, dm, rcv = targets[sent % len(targets)]
        pl = garbage_dgram(rnd, port, rcv, mix)
        if sp:
            src = a.spoof_net + format(rnd.randrange(1, 0xFFFF), "x")
            sp.s.send(frame6(sp.smac, dm, src, addr, rnd.randrange(1024, 65535), port, pl))
        else:
            sock.sendto(pl, (addr, port))
        sent += 1
        nbytes += len(pl)
        pace.next()
    r = {"sent": sent, "bytes_sent": nbytes, "seconds": a.duration}
    if sock:
        print(json.dumps(r), flush=True)
        n, b, big, by = await_answers(sock, a.stop_file, a.stop_timeout)
        r.update({"recv": n, "bytes_recv": b, "max_recv": big, "recv_from": by})
    print(json.dumps(r))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("--ifname", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--magic", default="SX,SM")
    c.add_argument("--types", default="")
    c.add_argument("--dport", default="")
    c.add_argument("--sport", default="")
    c.add_argument("--src", default="")
    c.add_argument("--dst", default="")
    c.add_argument("--ret", choices=("yes", "no", "any"), default="any")
    c.add_argument("--domain", type=int, default=0, help="group id, or channel (RET flag, mesh)")
    c.add_argument("--outgoing", action="store_true", help="also frames the port sends to its host")
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--min", type=int, default=1)
    c.add_argument("--timeout", type=float, default=10)
    c.add_argument("--ready", default="")
    s = sub.add_parser("send")
    s.add_argument("--in", dest="input", required=True)
    s.add_argument("--kind", default="")
    s.add_argument("--mode", default="")
    s.add_argument("--types", default="")
    s.add_argument("--to", default="", help="default: each datagram's captured destination")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--from-port", type=int, default=0)
    s.add_argument("--spoof", default="", help="source address to spoof")
    s.add_argument("--iface", default="eth0")
    s.add_argument("--dmac", default="")
    s.add_argument("--macs", default="", help="ADDR=MAC,...: the MAC of each destination (spoofing)")
    s.add_argument("--repeat", type=int, default=1)
    s.add_argument("--rate", type=float, default=0)
    s.add_argument("--stop-file", default="")
    s.add_argument("--stop-timeout", type=float, default=60)
    s.add_argument("--follow", type=int, default=0,
                   help="relay the first N datagrams of a capture still running, as they come")
    s.add_argument("--follow-timeout", type=float, default=20)
    g = sub.add_parser("garbage")
    g.add_argument("--targets", required=True,
                   help="ADDR:PORT[@MAC][#RECEIVER_ID],... (MAC needed when spoofing)")
    g.add_argument("--mix", default="random,sx,sm", help="what to send, in turn at random")
    g.add_argument("--issuer", default="", help="the CA's key id (8 hex digits) for the made-up certificates")
    g.add_argument("--rate", type=float, default=3000)
    g.add_argument("--duration", type=float, default=3)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--from-port", type=int, default=0)
    g.add_argument("--spoof-net", default="", help="spoof random sources PREFIX + 16 random bits, e.g. 2001:db8:1::f:")
    g.add_argument("--iface", default="eth0")
    g.add_argument("--stop-file", default="")
    g.add_argument("--stop-timeout", type=float, default=60)
    a = p.parse_args()
    return {"capture": capture, "send": send, "garbage": garbage}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
