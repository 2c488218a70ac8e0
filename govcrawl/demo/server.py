"""Serves a demo World on loopback ports and records what the crawler did.

One `ThreadingHTTPServer` per host (127.0.0.1, a free port each), all in
background threads.  `stats()` reports, per registered site: the most requests
in flight at once (to verify per-site concurrency), how often each URL was
requested (duplicates), and every (method, path, user-agent, referer).
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from govcrawl.demo.model import Req, Resp
from govcrawl.demo.world import World


class _Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inflight: Counter[str] = Counter()
        self.max_inflight: Counter[str] = Counter()
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.log: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)

    def enter(self, key: str, method: str, url: str, ua: str, referer: str) -> None:
        with self.lock:
            self.inflight[key] += 1
            if self.inflight[key] > self.max_inflight[key]:
                self.max_inflight[key] = self.inflight[key]
            self.counts[key][f"{method} {url}"] += 1
            self.log[key].append((method, url, ua, referer))

    def leave(self, key: str) -> None:
        with self.lock:
            self.inflight[key] -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host_key: str, demo: "DemoServer") -> None:
        self.host_key = host_key
        self.demo = demo
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"
    server_version = "DemoGov/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr
        pass

    def _serve(self) -> None:
        demo = self.server.demo
        world = demo.world
        host = self.server.host_key
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = b""
        if self.command == "POST":
            length = int(headers.get("content-length") or 0)
            body = self.rfile.read(min(length, 1 << 20))
        req = Req(self.command, self.path, headers, body)
        key = world.stats_key(host, req.path)
        url = f"http://{world.netloc(host)}{self.path}"
        demo._stats.enter(key, self.command, url, headers.get("user-agent", ""),
                          headers.get("referer", ""))
        try:
            try:
                resp = world.handle(host, req)
            except Exception as e:  # a bug in a page must not kill the server thread
                resp = Resp(500, f"demo error: {e!r}".encode(), "text/plain; charset=utf-8")
            delay = resp.delay + demo.latency
            if delay:
                time.sleep(delay)
            self._write(resp)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            pass  # the crawler gave up on a huge or slow body: expected
        finally:
            demo._stats.leave(key)

    def _write(self, resp: Resp) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.ctype)
        for k, v in resp.headers:
            self.send_header(k, v)
        if resp.stream is None:
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
            return
        if resp.length is not None:
            self.send_header("Content-Length", str(resp.length))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        for chunk in resp.stream():
            self.wfile.write(chunk)

    do_GET = _serve
    do_HEAD = _serve
    do_POST = _serve


def _closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DemoServer:
    """Serve `world` on 127.0.0.1; `latency` seconds are added to every response."""

    def __init__(self, world: World, latency: float = 0.0) -> None:
        self.world = world
        self.latency = latency
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self._stats = _Stats()

    def start(self) -> "DemoServer":
        ports: dict[str, int] = {}
        for host in self.world.hosts:
            srv = _Server(host, self)
            self._servers[host] = srv
            ports[host] = srv.server_address[1]
        for host in self.world.closed_hosts:
            ports[host] = _closed_port()
        self.world.bind(ports)
        for host, srv in self._servers.items():
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                                 name=f"demo-{host}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        for srv in self._servers.values():
            srv.shutdown()
            srv.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def ports(self) -> dict[str, int]:
        return dict(self.world.ports or {})

    def reset_stats(self) -> None:
        self._stats = _Stats()

    def stats(self) -> dict[str, dict[str, Any]]:
        """Per site id (or `host:<key>` for spam/outside hosts): max_concurrency, total,
        requests (Counter of "METHOD url"), duplicates (GET urls requested > once),
        duplicates_same_ua (the same, counting only repeats with one User-Agent), log."""
        st = self._stats
        with st.lock:
            out = {}
            for key in set(st.counts) | set(st.max_inflight):
                counts = Counter(st.counts[key])
                per_ua = Counter((m, u, ua) for m, u, ua, _ in st.log[key] if m == "GET")
                same_ua: dict[str, int] = {}
                for (m, u, ua), n in per_ua.items():
                    if n > 1:
                        same_ua[f"GET {u}"] = max(n, same_ua.get(f"GET {u}", 0))
                out[key] = {
                    "max_concurrency": st.max_inflight[key],
                    "requests": counts,
                    "total": sum(counts.values()),
                    "duplicates": {k: v for k, v in counts.items() if v > 1 and k.startswith("GET ")},
                    # the same URL fetched more than once with the same User-Agent (a second
                    # look as Baiduspider or a browser on purpose does not count here)
                    "duplicates_same_ua": same_ua,
                    "log": list(st.log[key]),
                }
            return out
