#!/usr/bin/env python3
"""A loopback reverse proxy that adds a fixed delay to every request, and logs each one.

Used by bench/latency_tree.sh to compare installers on a slow network: every client talks to the
proxy only, so each request the index server answers costs DELAY more, the way a round trip to
a distant index would. Standard library only.

  latency_proxy.py serve --upstream http://127.0.0.1:PORT --delay-ms 25 --log FILE
                         [--port 0] [--port-file FILE]
      HTTP/1.1 keep-alive on 127.0.0.1, one thread per client connection, each with its own
      keep-alive connection upstream. A request waits DELAY once its headers are read, then is
      forwarded; the whole upstream answer is read and written back in one send. One log line
      per request, written after its last byte was sent:
        START_NS END_NS METHOD PATH STATUS BYTES     (time.monotonic_ns of this process)
      A Location header naming the upstream origin is rewritten to the proxy's own origin, so
      a redirect cannot lead a client around the proxy.

  latency_proxy.py stats FILE [--skip N] [--take M]
      Prints "REQUESTS SEQUENTIAL" for log lines N+1 .. N+M (default: all): the request count
      and the number of sequential round trips, i.e. the length of the longest chain of
      requests in which each one started after the previous one ended.
"""

import argparse
import http.client
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade", "content-length"}


class Proxy(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops the SYNs of a client opening many connections
    # at once, and the kernel retries them a second later: a stall of the proxy, not the client.
    request_queue_size = 256

    def __init__(self, port, upstream, delay, log):
        super().__init__(("127.0.0.1", port), Handler)
        parts = urllib.parse.urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
        self.upstream_origin = f"{parts.scheme}://{parts.netloc}"
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"
        self.delay = delay
        self.log, self.log_lock = log, threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None

    def setup(self):
        super().setup()
        # Every answer is one send; without this a client's delayed ACK could add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):  # the request log below replaces the stderr one
        pass

    def do_GET(self):
        self.forward()

    def do_HEAD(self):
        self.forward()

    def ask_upstream(self, headers):
        for attempt in (0, 1):  # once more on a fresh connection if the kept one was closed
            if self.upstream is None:
                self.upstream = http.client.HTTPConnection(self.server.upstream_host,
                                                           self.server.upstream_port, timeout=60)
            try:
                self.upstream.request(self.command, self.path, headers=headers)
                response = self.upstream.getresponse()
                return response, response.read()
            except (http.client.HTTPException, OSError):
                self.upstream.close()
                self.upstream = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def forward(self):
        start = time.monotonic_ns()
        time.sleep(self.server.delay)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        response, body = self.ask_upstream(headers)
        out = [f"HTTP/1.1 {response.status} {response.reason}"]
        for key, value in response.getheaders():
            if key.lower() in HOP_BY_HOP:
                continue
            if key.lower() == "location" and value.startswith(self.server.upstream_origin):
                value = self.server.origin + value[len(self.server.upstream_origin):]
            out.append(f"{key}: {value}")
        out.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            out.append("Connection: close")
        head = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if self.command == "HEAD" else head + body)
        end = time.monotonic_ns()
        with self.server.log_lock:
            self.server.log.write(f"{start} {end} {self.command} {self.path} {response.status} "
                                  f"{len(body)}\n")
            self.server.log.flush()


def serve(args):
    with open(args.log, "a") as log:
        proxy = Proxy(args.port, args.upstream, args.delay_ms / 1000.0, log)
        if args.port_file:
            tmp = args.port_file + ".tmp"
            with open(tmp, "w") as f:
                f.write(f"{proxy.server_address[1]}\n")
            os.replace(tmp, args.port_file)
        try:
            proxy.serve_forever()
        except KeyboardInterrupt:
            pass


def longest_chain(intervals):
    """Longest chain of intervals, each starting at or after the end of the one before."""
    intervals = sorted(intervals)
    chain = []  # chain[i]: the longest chain ending with intervals[i]
    for i, (start, _) in enumerate(intervals):
        chain.append(1 + max((chain[j] for j in range(i) if intervals[j][1] <= start),
                             default=0))
    return max(chain, default=0)


def stats(args):
    with open(args.log) as f:
        lines = f.read().splitlines()[args.skip:]
    if args.take is not None:
        lines = lines[:args.take]
    intervals = [(int(line.split()[0]), int(line.split()[1])) for line in lines if line.strip()]
    print(len(intervals), longest_chain(intervals))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--upstream", required=True)
    s.add_argument("--delay-ms", type=float, default=25.0)
    s.add_argument("--log", required=True)
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--port-file")
    t = sub.add_parser("stats")
    t.add_argument("log")
    t.add_argument("--skip", type=int, default=0)
    t.add_argument("--take", type=int)
    args = parser.parse_args()
    serve(args) if args.command == "serve" else stats(args)


if __name__ == "__main__":
    sys.exit(main())
