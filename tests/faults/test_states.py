"""Inspection states (running / interrupted / failed / finished) as every reader sees them,
and the one-line refusals around a JOBDIR that cannot be resumed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from govcrawl import history as H
from govcrawl.report.model import build_bulletin
from govcrawl.store import (DISTRIBUTED, STALE_AFTER, Store, StoreError, effective_state, owner_alive,
                            this_process, utcnow)

from .harness import ROOT, sweep_cmd

pytestmark = pytest.mark.faults


def _ago(seconds: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(seconds=seconds)).isoformat(timespec="seconds")


def test_effective_state_by_owner_and_heartbeat() -> None:
    me = this_process()
    host, boot, pid, started = me.split("|")
    dead = subprocess.Popen(["true"])
    dead.wait()
    assert owner_alive(me) is True
    assert owner_alive(f"{host}|{boot}|{dead.pid}|1") is False  # gone
    assert owner_alive(f"{host}|{boot}|{pid}|{int(started or 0) + 1}") is False  # pid reused by another process
    assert owner_alive(f"{host}|another-boot|{pid}|{started}") is False  # rebooted since
    assert owner_alive(f"elsewhere-{socket.gethostname()}|{boot}|{pid}|{started}") is None  # cannot tell here
    assert effective_state("running", me, utcnow()) == "running"
    assert effective_state("running", f"{host}|{boot}|{dead.pid}|1", utcnow()) == "interrupted"
    other = "elsewhere|x|1|1"
    assert effective_state("running", other, _ago(60)) == "running"
    assert effective_state("running", other, _ago(STALE_AFTER + 60)) == "interrupted"
    assert effective_state("running", DISTRIBUTED, _ago(60)) == "running"
    assert effective_state("running", DISTRIBUTED, _ago(STALE_AFTER + 60)) == "interrupted"
    assert effective_state("running", None, None) == "running"  # written by an older version: as recorded
    for s in ("finished", "failed", "interrupted"):
        assert effective_state(s, f"{host}|{boot}|{dead.pid}|1", None) == s


def test_only_a_finished_inspection_is_published(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    done = store.create_inspection(as_of="2024-06-19")
    store.finish_inspection(done)
    open_ = store.create_inspection(as_of="2024-06-20", owner=this_process())
    with pytest.raises(ValueError):
        store.finish_inspection(open_, status="done")
    assert store.state(open_) == "running"
    assert H.resolve_inspection(store, "latest")["id"] == open_  # the newest, never the night before silently
    with pytest.raises(StoreError, match=r"is running by process \d+ on .*no bulletin from an unfinished "
                                         r"inspection; the last finished one is --inspection 1"):
        build_bulletin(store, "latest")
    store.finish_inspection(open_, status="failed", error="store s.db still cannot be written after 600 s")
    assert store.state(open_) == "failed"
    assert "is failed: store s.db still cannot be written" in store.describe_state(open_)
    assert [r["id"] for r in H.period_representatives(store, "sites")] == [done]
    store.claim(open_, resumed=True)  # the same command again
    assert store.state(open_) == "running" and store.run_info(open_)["runs"] == 2
    assert store.run_info(open_)["error"] is None
    store.close()


def _refused(cmd: list[str]) -> str:
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, r.stdout[-2000:] + r.stderr[-2000:]
    assert "Traceback" not in r.stdout + r.stderr
    return r.stderr.strip().splitlines()[-1]


def test_a_jobdir_that_cannot_be_resumed_is_one_line(fault_world: Any, tmp_path: Path) -> None:
    fw = fault_world
    store, job = tmp_path / "s.db", tmp_path / "job"
    job.mkdir()
    marker = job / "govcrawl-inspection.json"
    s = Store(store)
    iid = s.create_inspection(as_of="2024-06-20", settings={"sites": ["6105999999"]}, owner="elsewhere|x|1|1")
    s.close()
    cmd = sweep_cmd(fw.registry, store, "-s", f"JOBDIR={job}")
    marker.write_text(json.dumps({"inspection_id": iid, "as_of": "2024-06-20",
                                  "store": str((tmp_path / "other.db").resolve())}))
    assert "belongs to inspection 1 of store" in _refused(cmd)
    marker.write_text(json.dumps({"inspection_id": iid, "as_of": "2024-06-20", "store": str(store.resolve())}))
    line = _refused(cmd)
    assert "holds inspection 1 of 1 site(s) (6105999999); this command sweeps 2" in line, line
    s = Store(store)
    sites = sorted(x.sid for x in fw.world.sites)
    iid = s.create_inspection(as_of="2024-06-20", settings={"sites": sites}, owner=this_process())
    s.close()
    marker.write_text(json.dumps({"inspection_id": iid, "as_of": "2024-06-20", "store": str(store.resolve())}))
    line = _refused(cmd)
    assert f"inspection {iid} (sites, as_of 2024-06-20) is running by process {os.getpid()}" in line, line
    assert "one JOBDIR serves one process at a time" in line
