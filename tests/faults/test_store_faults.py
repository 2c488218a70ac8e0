"""The store on a disk that fills up or turns read-only under a running sweep.

One error line when the store stops taking rows, the rows kept and written once it takes
them again (the crawl pauses if too many wait), no traceback, and the rows of an
uninterrupted sweep at the end; a disk that stays full stops the sweep after
GOVCRAWL_STORE_RETRY_TIMEOUT with exit status 1 and the inspection not finished, and the
same command completes it once there is room.  The disk is a tmpfs this test mounts
(root), else a SQLite-level fake (tests/faults/harness.SmallDisk says which).
"""

from __future__ import annotations

import re
import subprocess
import time
from typing import Any

import pytest

from govcrawl.store import Store

from .harness import (ROOT, SmallDisk, Sweep, diff, lost_or_extra, snapshot, sweep_cmd, tracebacks,
                      wait_until)

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
DISK = 4 * 1024 * 1024
STORE_ERRORS = r"\[govcrawl\.pipelines\.store\] ERROR"


def _started(sweep: Sweep, store: Any) -> None:
    wait_until(lambda: "site 61" in sweep.text() and store.exists(), sweep, what="the crawl")


def _store_errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.search(STORE_ERRORS, line)]


def test_disk_full_mid_sweep_then_room_again(fault_world: Any) -> None:
    fw = fault_world
    with SmallDisk(DISK) as disk:
        store = disk.dir / "s.db"
        sweep = Sweep(sweep_cmd(fw.registry, store, "-s", f"JOBDIR={disk.dir / 'job'}",
                                "-s", "GOVCRAWL_STORE_RETRY_INTERVAL=0.5", "-s", "GOVCRAWL_STORE_MAX_UNWRITTEN=40"),
                      fw.tmp / f"full-{disk.kind}.log").start(disk.env())
        _started(sweep, store)
        disk.fill(leave=100 * 1024)
        wait_until(lambda: "cannot be written (database or disk is full)" in sweep.text(), sweep,
                   what="the full disk")
        wait_until(lambda: "crawl paused" in sweep.text(), sweep, what="the crawl to pause")
        time.sleep(2)  # a few more attempts while the disk stays full
        disk.release()
        assert sweep.wait() == 0, sweep.text()[-3000:]
        got = snapshot(store)
    log = sweep.text()
    assert got["status"] == "finished"
    assert lost_or_extra(diff(got, fw.reference)) == {}, disk.kind
    assert len(_store_errors(log)) == 1, _store_errors(log)  # one line, however many attempts
    assert "writable again" in log and "crawl resumed" in log
    assert tracebacks(log) == 0, log[-3000:]


def test_disk_stays_full_sweep_stops_then_resumes(fault_world: Any) -> None:
    fw = fault_world
    with SmallDisk(DISK) as disk:
        store = disk.dir / "s.db"
        cmd = sweep_cmd(fw.registry, store, "-s", f"JOBDIR={disk.dir / 'job'}",
                        "-s", "GOVCRAWL_STORE_RETRY_INTERVAL=0.5", "-s", "GOVCRAWL_STORE_RETRY_TIMEOUT=3")
        first = Sweep(cmd, fw.tmp / f"stays-full-{disk.kind}.log").start(disk.env())
        _started(first, store)
        disk.fill(leave=100 * 1024)
        assert first.wait() == 1
        log = first.text()
        assert tracebacks(log) == 0, log[-3000:]
        errors = _store_errors(log)
        assert len(errors) == 2 and "still cannot be written after 3 s" in errors[1], errors
        assert log.rstrip().splitlines()[-1].startswith("scrapy crawl sweep: the store could not be written")
        s = Store(store, readonly=True)
        assert s.state(1) in ("failed", "interrupted")  # failed when the disk took that one write
        s.close()
        disk.release()
        again = Sweep(cmd, fw.tmp / f"stays-full-again-{disk.kind}.log").start(disk.env())
        assert again.wait() == 0, again.text()[-3000:]
        got = snapshot(store)
    assert got["status"] == "finished"
    assert lost_or_extra(diff(got, fw.reference)) == {}
    assert tracebacks(again.text()) == 0


def test_store_read_only_for_a_while(fault_world: Any) -> None:
    fw = fault_world
    with SmallDisk(DISK, fake=True) as disk:
        store = disk.dir / "s.db"
        sweep = Sweep(sweep_cmd(fw.registry, store, "-s", "GOVCRAWL_STORE_RETRY_INTERVAL=0.5"),
                      fw.tmp / "read-only.log").start(disk.env())
        _started(sweep, store)
        disk.read_only(True)
        wait_until(lambda: "attempt to write a readonly database" in sweep.text(), sweep, what="read-only")
        time.sleep(2)
        disk.read_only(False)
        assert sweep.wait() == 0, sweep.text()[-3000:]
        got = snapshot(store)
    log = sweep.text()
    assert got["status"] == "finished"
    assert lost_or_extra(diff(got, fw.reference)) == {}
    assert len(_store_errors(log)) == 1 and tracebacks(log) == 0, log[-3000:]


def test_store_unwritable_from_the_start_is_one_line(fault_world: Any, tmp_path: Any) -> None:
    fw = fault_world
    with SmallDisk(64 * 1024) as disk:
        disk.fill(leave=0)
        r = subprocess.run(sweep_cmd(fw.registry, disk.dir / "s.db"), cwd=ROOT, capture_output=True, text=True,
                           timeout=300, env={**__import__("os").environ, **disk.env()})
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith("scrapy crawl sweep: "), r.stderr[-2000:]
    assert "full" in r.stderr.strip().splitlines()[-1]
    assert tracebacks(r.stdout + r.stderr) == 0, r.stderr[-3000:]
