"""Shared plumbing of the sweep benchmarks (benchmarks/bench_{sweep,dist,incremental,peer}.py).

Runs `scrapy crawl sweep` as users do (a subprocess per worker, under /usr/bin/time for
the peak RSS), reads the crawl time from the log (the sweep's first "site ..." line →
the last "Spider closed", i.e. without interpreter and lexicon start-up), counts what the store
holds, and writes a section of docs/benchmarks.md between ``<!-- bench:NAME -->``
markers so each benchmark can be re-run alone.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from govcrawl import db

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "benchmarks.md"
_TS = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{3})?)")
# benchmark logs carry milliseconds, so that crawl times are not rounded to seconds
LOG_FORMAT = "%(asctime)s.%(msecs)03d [%(name)s] %(levelname)s: %(message)s"


@dataclass
class Run:
    wall: float
    crawl: float  # first site started to last "Spider closed" (see crawl_seconds)
    peak_kb: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)


def cpu_model() -> str:
    """The processor's model name (Linux), for the machine line every benchmark prints."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    cpu = cpu_model()
    try:
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem = 0
    import scrapy

    return (f"{os.cpu_count()} CPU ({cpu or platform.machine()}), {mem // 1024 // 1024} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"Scrapy {scrapy.__version__}; shared with other jobs while measured")


def sweep_cmd(registry: Path, store: Path | str, as_of: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
            "-a", f"store={store}", "-a", f"as_of={as_of}", "-s", "LOG_LEVEL=INFO",
            "-s", f"LOG_FORMAT={LOG_FORMAT}", "-s", "GOVCRAWL_BROWSER=False", "-s", "GOVCRAWL_PROGRESS_INTERVAL=30", *extra]


def run_workers(cmds: list[list[str]], logdir: Path, tag: str, stagger: float = 0.0) -> Run:
    """Start every command at once (under /usr/bin/time), wait for all."""
    logdir.mkdir(parents=True, exist_ok=True)
    procs, logs, tfiles = [], [], []
    t0 = time.monotonic()
    for i, cmd in enumerate(cmds):
        log = logdir / f"{tag}-{i}.log"
        tf = logdir / f"{tag}-{i}.time"
        full = (["/usr/bin/time", "-f", "%M", "-o", str(tf)] if Path("/usr/bin/time").exists() else []) + cmd
        procs.append(subprocess.Popen(full, stdout=open(log, "w"), stderr=subprocess.STDOUT, cwd=ROOT))
        logs.append(log)
        tfiles.append(tf)
        if stagger:
            time.sleep(stagger)
    codes = [p.wait() for p in procs]
    wall = time.monotonic() - t0
    peaks = []
    for tf in tfiles:
        try:
            peaks.append(int(tf.read_text().split()[-1]))
        except (OSError, ValueError, IndexError):
            peaks.append(0)
    texts = [lg.read_text(errors="replace") for lg in logs]
    return Run(wall=wall, crawl=crawl_seconds(texts), peak_kb=peaks, codes=codes, logs=texts)


def crawl_seconds(texts: list[str]) -> float:
    """From the first site the sweep starts crawling (after the pipelines have loaded
    their lexicons) to the last worker's "Spider closed"."""
    opened, closed = [], []
    for t in texts:
        for line in t.splitlines():
            m = _TS.match(line)
            if not m:
                continue
            if "[govcrawl.spiders.sweep] INFO: site " in line:
                opened.append(datetime.fromisoformat(m.group(1)))
            elif "Spider closed" in line:
                closed.append(datetime.fromisoformat(m.group(1)))
    if not opened or not closed:
        return float("nan")
    return max(1.0, (max(closed) - min(opened)).total_seconds())


def store_counts(store: Path | str, inspection: int | None = None) -> dict[str, Any]:
    """Counts of an inspection in an SQLite file or a PostgreSQL store."""
    c = db.connect(store, readonly=True)
    try:
        if inspection is None:
            inspection = c.execute("SELECT MAX(id) FROM inspections").fetchone()[0]
        one = lambda sql: c.execute(sql, (inspection,)).fetchone()[0]  # noqa: E731
        return {
            "inspection": inspection,
            "status": one("SELECT status FROM inspections WHERE id=?"),
            "pages": one("SELECT COUNT(*) FROM pages WHERE inspection_id=?"),
            "unchanged": one("SELECT COALESCE(SUM(unchanged), 0) FROM pages WHERE inspection_id=?"),
            "link_status": one("SELECT COUNT(*) FROM link_status WHERE inspection_id=?"),
            "findings": one("SELECT COUNT(*) FROM findings WHERE inspection_id=?"),
            "finding_keys": {r[0] for r in c.execute("SELECT key FROM findings WHERE inspection_id=?",
                                                     (inspection,))},
        }
    finally:
        c.close()


def write_section(name: str, body: str, doc: Path = DOC) -> None:
    """Replace (or append) the `name` section of docs/benchmarks.md (or of `doc`)."""
    doc.parent.mkdir(parents=True, exist_ok=True)
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def mib(kb: int) -> str:
    return f"{kb / 1024:.0f} MiB"
