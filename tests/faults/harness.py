"""Fault injection around real sweeps: the plumbing shared by tests/faults and
benchmarks/bench_faults.py.

A sweep runs as users run it (`scrapy crawl sweep` in a subprocess, under /usr/bin/time for
its peak memory) against generated loopback sites (govcrawl.dist.loadsite); a fault is done
to it (kill -9 at a chosen moment, SIGINT, a store on a full or read-only disk, Redis or
PostgreSQL stopped); what the store holds at the end is compared, table by table, with an
uninterrupted sweep of the same sites: nothing lost, nothing duplicated.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govcrawl import db

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2024-06-20"
# the rows a sweep leaves, per table, that an interrupted + resumed sweep must reproduce
TABLES = ("pages", "findings", "link_status", "entries", "links", "columns", "verdicts")


def sweep_cmd(registry: Path, store: Path | str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
            "-a", f"store={store}", "-a", f"as_of={AS_OF}",
            "-s", "GOVCRAWL_BROWSER=False", "-s", "LOG_LEVEL=INFO", "-s", "GOVCRAWL_PROGRESS_INTERVAL=5",
            "-s", "RETRY_TIMES=1", "-s", "GOVCRAWL_HACKED_SAMPLE=2", "-s", "GOVCRAWL_HACKED_OUTSIDE_PAGES=2",
            "-s", "GOVCRAWL_STORE_BATCH=5", "-s", "GOVCRAWL_TYPO=False", *extra]


@dataclass
class Sweep:
    """One `scrapy crawl sweep` process, its log and (once ended) its peak RSS."""

    cmd: list[str]
    log: Path
    proc: subprocess.Popen | None = None
    started: float = 0.0
    ended: float = 0.0
    rc: int | None = None
    timefile: Path | None = None

    def start(self, env: dict[str, str] | None = None) -> "Sweep":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.log, "w")
        full = self.cmd
        if Path("/usr/bin/time").exists():
            self.timefile = self.log.with_suffix(".time")
            full = ["/usr/bin/time", "-f", "%M %e", "-o", str(self.timefile), *self.cmd]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(full, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
                                     start_new_session=True)
        fh.close()
        return self

    def sweep_pid(self) -> int:
        """The sweep's own pid (under /usr/bin/time it is the child of `time`)."""
        assert self.proc is not None
        if self.timefile is None:
            return self.proc.pid
        for _ in range(100):
            try:
                kids = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            except OSError:
                kids = []
            if kids:
                return int(kids[0])
            time.sleep(0.02)
        return self.proc.pid

    def signal(self, sig: int) -> None:
        """Send `sig` to the sweep itself (as the OOM killer or Ctrl-C would)."""
        try:
            os.kill(self.sweep_pid(), sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float = 600) -> int:
        assert self.proc is not None
        try:
            self.rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise AssertionError(f"the sweep did not end within {timeout:.0f} s:\n{self.text()[-3000:]}")
        self.ended = time.monotonic()
        return self.rc

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def peak_mib(self) -> float | None:
        try:
            return int(self.timefile.read_text().split()[-2]) / 1024 if self.timefile else None
        except (OSError, ValueError, IndexError):
            return None

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def run(registry: Path, store: Path | str, log: Path, *extra: str, timeout: float = 600,
        env: dict[str, str] | None = None) -> Sweep:
    s = Sweep(sweep_cmd(registry, store, *extra), log).start(env)
    s.wait(timeout)
    return s


def snapshot(store: Path | str, inspection: int | None = None) -> dict[str, Any]:
    """What a sweep left in the store, comparable across stores of the same sites."""
    c = db.connect(store, readonly=True)
    try:
        if inspection is None:
            inspection = c.execute("SELECT MAX(id) FROM inspections").fetchone()[0]

        def q(sql: str) -> list[tuple]:
            return [tuple(r) for r in c.execute(sql, (inspection,)).fetchall()]

        return {
            "inspection": inspection,
            "status": c.execute("SELECT status FROM inspections WHERE id=?", (inspection,)).fetchone()[0],
            "pages": q("SELECT url, status, CASE WHEN error IS NULL THEN 1 ELSE 0 END, page_type,"
                       " content_hash FROM pages WHERE inspection_id=?"),
            "findings": q("SELECT key, rule, severity, site_id, url, target, text FROM findings"
                          " WHERE inspection_id=?"),
            "link_status": q("SELECT target, status FROM link_status WHERE inspection_id=?"),
            "entries": q("SELECT page_url, pos, title, url, date FROM entries WHERE inspection_id=?"),
            "links": q("SELECT page_url, target, kind FROM links WHERE inspection_id=?"),
            "columns": q("SELECT site_id, url, newest_date, item_count FROM columns WHERE inspection_id=?"),
            "verdicts": q("SELECT site_id, result, score FROM verdicts WHERE inspection_id=?"),
        }
    finally:
        c.close()


def diff(got: dict[str, Any], want: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per table: rows lost (in `want`, not in `got`), extra, and duplicated (a row twice)."""
    out = {}
    for t in TABLES:
        g, w = Counter(got[t]), Counter(want[t])
        out[t] = {"want": sum(w.values()), "got": sum(g.values()), "lost": sum((w - g).values()),
                  "extra": sum((g - w).values()), "duplicated": sum(n - 1 for n in g.values() if n > 1)}
    return out


def lost_or_extra(d: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """The tables of `diff` where anything differs (empty: identical)."""
    return {t: v for t, v in d.items() if v["lost"] or v["extra"] or v["duplicated"]}


def tracebacks(text: str) -> int:
    return text.count("Traceback (most recent call last)")


def pages_stored(store: Path | str) -> int:
    try:
        c = db.connect(store, readonly=True, timeout=5)
        try:
            return c.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        finally:
            c.close()
    except db.Error:
        return 0


def wait_until(cond: Any, sweep: Sweep, timeout: float = 240, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert sweep.running(), f"the sweep ended before {what}:\n{sweep.text()[-3000:]}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def govcrawl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govcrawl", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


# -- a small disk ---------------------------------------------------------------------

class SmallDisk:
    """A directory on a filesystem of `size` bytes that the test can fill up and empty: a
    tmpfs mounted here when this process may mount (root), otherwise a fake at SQLite's
    level (every connection of the sweep limited to the pages the "disk" holds, through
    tests/faults/fakedisk/sitecustomize.py).  `kind` says which; GOVCRAWL_TEST_FAKE_DISK=1
    or `fake=True` forces the fake.  Only the fake can turn read-only under a running sweep
    (a tmpfs with files open for writing refuses `remount,ro`)."""

    def __init__(self, size: int, *, fake: bool = False) -> None:
        self.size = size
        self.dir = Path(tempfile.mkdtemp(prefix="govcrawl-disk-"))
        self.kind = "fake"
        if not fake and os.environ.get("GOVCRAWL_TEST_FAKE_DISK") != "1" and os.geteuid() == 0 \
                and shutil.which("mount"):
            r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(self.dir)],
                               capture_output=True, text=True)
            if r.returncode == 0:
                self.kind = "tmpfs"
        self._filler = self.dir / "filler.bin"
        self._control = self.dir / ".fakedisk"

    def env(self) -> dict[str, str]:
        """What the sweep's environment needs (the fake only)."""
        if self.kind == "tmpfs":
            return {}
        here = str(Path(__file__).resolve().parent / "fakedisk")
        return {"PYTHONPATH": os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p),
                "GOVCRAWL_FAKEDISK": str(self._control)}

    def free(self) -> int:
        if self.kind == "tmpfs":
            st = os.statvfs(self.dir)
            return st.f_bavail * st.f_frsize
        return max(0, self._limit() - self._store_bytes())

    def _store_bytes(self) -> int:
        """The SQLite stores' logical size here (what the fake's limit counts)."""
        n = 0
        for p in self.dir.glob("*.db"):
            c = db.connect(p, readonly=True, timeout=10)
            try:
                n += c.execute("PRAGMA page_count").fetchone()[0] * c.execute("PRAGMA page_size").fetchone()[0]
            finally:
                c.close()
        return n

    def _limit(self) -> int:
        try:
            return int(self._control.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return self.size

    def fill(self, leave: int) -> None:
        """Take all but `leave` bytes of free space."""
        if self.kind == "tmpfs":
            take = max(0, self.free() - leave)
            with open(self._filler, "ab") as fh:
                fh.write(b"\0" * take)
        else:
            self._control.write_text(f"{self._store_bytes() + leave} rw")

    def full(self) -> bool:
        return self.free() < 64 * 1024

    def release(self) -> None:
        """Give the space back."""
        if self.kind == "tmpfs":
            self._filler.unlink(missing_ok=True)
        else:
            self._control.write_text(f"{self.size} rw")

    def read_only(self, on: bool) -> None:
        if self.kind == "tmpfs":
            raise RuntimeError("a tmpfs in use cannot turn read-only: SmallDisk(fake=True)")
        self._control.write_text(f"{self._limit()} {'ro' if on else 'rw'}")

    def close(self) -> None:
        if self.kind == "tmpfs":
            subprocess.run(["umount", "-l", str(self.dir)], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "SmallDisk":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class RestartableRedis:
    """A private redis-server that can be stopped and started again on the same port, with
    the append-only file docs/operations.md asks for (so the queue outlives a restart)."""

    def __init__(self, tmp: Path) -> None:
        import socket

        self.exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(self.exe).exists():
            raise RuntimeError("redis-server is not installed (Debian package redis-server; `make system-deps`)")
        self.dir = tmp
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen([self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.dir),
                                      "--loglevel", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(host="127.0.0.1", port=self.port)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: as `systemctl stop redis-server` does
            self.proc.wait(30)
