"""Fixtures of the fault-injection suite: a small generated world on loopback and the
uninterrupted sweep every faulty run is compared with (tests/faults/harness.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest

from govcrawl.dist.loadsite import LoadServer, LoadWorld

from .harness import run, snapshot


@dataclass
class FaultWorld:
    world: LoadWorld
    server: LoadServer
    registry: Path
    tmp: Path
    reference: dict[str, Any]  # the uninterrupted sweep's rows (harness.snapshot)
    seconds: float  # its wall time


@pytest.fixture(scope="session")
def fault_world(tmp_path_factory: Any) -> Iterator[FaultWorld]:
    world = LoadWorld(date(2024, 6, 20), sites=2, columns=2, articles=12, seed=7)
    server = LoadServer(world, latency=0.01).start()
    tmp = tmp_path_factory.mktemp("faults")
    registry = world.write_registry(tmp / "sites.yaml")
    try:
        ref = run(registry, tmp / "reference.db", tmp / "reference.log")
        assert ref.rc == 0, ref.text()[-3000:]
        snap = snapshot(tmp / "reference.db")
        assert snap["status"] == "finished"
        assert len(snap["pages"]) >= world.page_count(), "the reference sweep missed pages"
        assert snap["findings"] and snap["verdicts"], "the generated sites carry problems"
        yield FaultWorld(world, server, registry, tmp, snap, ref.seconds)
    finally:
        server.stop()
