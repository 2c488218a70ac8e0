"""End-to-end fixtures: the generated demo world served on loopback, and a real sweep.

The sweep runs as the user runs it (`scrapy crawl sweep` in a subprocess) against the
demo server running in this test process, once per test session and world.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from govcrawl.demo import OUTSIDE_IDENTITY_HOSTS, DemoServer, build_world

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2024, 6, 20)


@dataclass
class SweepRun:
    world: Any
    server: Any
    store: Path
    registry: Path
    manifest: dict
    stats: dict
    returncode: int
    log: str

    def findings(self) -> list[dict]:
        out = subprocess.run([sys.executable, "-m", "govcrawl", "findings", "--store", str(self.store),
                              "--format", "jsonl"], capture_output=True, text=True, check=True, cwd=ROOT)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    def verdicts(self) -> list[dict]:
        out = subprocess.run([sys.executable, "-m", "govcrawl", "verdicts", "--store", str(self.store),
                              "--format", "jsonl"], capture_output=True, text=True, check=True, cwd=ROOT)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def run_sweep(registry: Path, store: Path, *extra: str, as_of: date = AS_OF, timeout: int = 900,
              env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
           "-a", f"store={store}", "-a", f"as_of={as_of.isoformat()}",
           "-s", "LOG_LEVEL=INFO", "-s", "GOVCRAWL_PROGRESS_INTERVAL=10",
           "-s", "GOVCRAWL_LINKCHECK_SKIP_HOSTS=" + ",".join(OUTSIDE_IDENTITY_HOSTS), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def e2e_sweep(tmp_path_factory) -> SweepRun:
    tmp = tmp_path_factory.mktemp("e2e")
    world = build_world(as_of=AS_OF, scale="e2e", seed=1)
    server = DemoServer(world)
    server.start()
    try:
        registry = world.write_registry(tmp / "sites.yaml")
        store = tmp / "govcrawl.db"
        proc = run_sweep(registry, store)
        log = proc.stdout + proc.stderr
        (tmp / "sweep.log").write_text(log)
        yield SweepRun(world, server, store, registry, world.manifest, server.stats(), proc.returncode, log)
    finally:
        server.stop()
