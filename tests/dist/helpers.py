"""Helpers for the distributed-sweep tests (see conftest.py for the fixtures)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from govcrawl import db

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2024, 6, 20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, tmp: Path) -> None:
        exe = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
        if exe is None:
            pytest.fail("redis-server is not installed (Debian package redis-server; `make system-deps`)",
                        pytrace=False)
        self.port = free_port()
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(tmp), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        self.client = redis.Redis(host="127.0.0.1", port=self.port)
        for _ in range(100):
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                if self.proc.poll() is not None:
                    pytest.fail(f"redis-server exited with {self.proc.returncode}", pytrace=False)
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not answer within 5 s", pytrace=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def sweep_cmd(registry: Path, store: Path | str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
            "-a", f"store={store}", "-a", f"as_of={AS_OF.isoformat()}",
            "-s", "GOVCRAWL_BROWSER=False", "-s", "LOG_LEVEL=INFO", "-s", "GOVCRAWL_PROGRESS_INTERVAL=5",
            "-s", "RETRY_TIMES=1", "-s", "GOVCRAWL_HACKED_SAMPLE=2", "-s", "GOVCRAWL_HACKED_OUTSIDE_PAGES=2",
            *extra]


def start_worker(registry: Path, store: Path | str, log: Path, *extra: str,
                 cwd: Path | None = None) -> subprocess.Popen:
    """A `scrapy crawl sweep` worker; `cwd` elsewhere than the project stands for another
    machine (nothing of the project's directory is used but its installed package)."""
    fh = open(log, "w")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if cwd is not None:
        env["SCRAPY_SETTINGS_MODULE"] = "govcrawl.settings"
    return subprocess.Popen(sweep_cmd(registry, store, *extra), stdout=fh, stderr=subprocess.STDOUT,
                            cwd=cwd or ROOT, env=env)


def wait(proc: subprocess.Popen, timeout: float = 300) -> int:
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        raise AssertionError(f"worker {proc.args[-1]} did not finish within {timeout:.0f}s")


def snapshot(store: Path | str, inspection: int | None = None) -> dict[str, Any]:
    """What a sweep produced, comparable across stores (URLs carry the same ports); an
    SQLite file or a PostgreSQL URL."""
    c = db.connect(store, readonly=True)
    if inspection is None:
        inspection = c.execute("SELECT MAX(id) FROM inspections").fetchone()[0]
    q = lambda sql: [tuple(r) for r in c.execute(sql, (inspection,)).fetchall()]  # noqa: E731
    out = {
        "inspection": inspection,
        "status": c.execute("SELECT status FROM inspections WHERE id=?", (inspection,)).fetchone()[0],
        "pages": sorted(q("SELECT url, status, CASE WHEN error IS NULL THEN 1 ELSE 0 END, page_type,"
                          " content_hash FROM pages WHERE inspection_id=?")),
        "findings": sorted(q("SELECT key, rule, severity, site_id, url, target, text FROM findings"
                             " WHERE inspection_id=?")),
        "link_status": sorted(q("SELECT target, status FROM link_status WHERE inspection_id=?")),
        "entries": q("SELECT COUNT(*) FROM entries WHERE inspection_id=?")[0][0],
        "links": q("SELECT COUNT(*) FROM links WHERE inspection_id=?")[0][0],
        "columns": sorted(q("SELECT site_id, url, newest_date, item_count FROM columns WHERE inspection_id=?")),
        "verdicts": sorted(q("SELECT site_id, result, score FROM verdicts WHERE inspection_id=?")),
    }
    c.close()
    return out


def pages_stored(store: Path | str) -> int:
    try:
        c = db.connect(store, readonly=True, timeout=5)
        try:
            return c.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        finally:
            c.close()
    except db.Error:
        return 0
