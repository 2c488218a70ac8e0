"""What the evidence screenshots cost a sweep: the same sweep with GOVCRAWL_EVIDENCE on and off.

    .venv/bin/python benchmarks/bench_evidence.py [--scale demo] [--repeat 2] [--max-per-site 20]

Each run is a real `scrapy crawl sweep` subprocess, with the browser on (the screenshots
need it; so does the default sweep), over one demo world served for all runs; the modes
are interleaved (off, on, off, on, …) and the medians reported.  Per run: the wall time
of the whole sweep, the sweep process's CPU time, the crawl phase (inspection start to
the last page stored: the screenshots are taken only after a site is done, so this
should not move), and from the sweep's stats the screenshots taken and the time spent
taking them (summed over sites, which overlap); then once more a second night over the
unchanged sites into the "on" store, where the screenshots of the first night are reused.
Prints a Markdown table for docs/review.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcrawl.demo import OUTSIDE_IDENTITY_HOSTS, DemoServer, build_world  # noqa: E402

AS_OF = date(2024, 6, 20)


def _stat(log: str, name: str) -> int:
    m = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(m.group(1)) if m else 0


def run(mode: str, registry: Path, work: Path, limit: int, n: int, store: Path | None = None) -> dict:
    store = store or work / f"{mode}-{n}.sqlite"
    log = work / f"{mode}-{n}-{time.monotonic_ns()}.log"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
           "-a", f"store={store}", "-a", f"as_of={AS_OF.isoformat()}", "-s", "LOG_LEVEL=INFO",
           "-s", f"LOG_FILE={log}", "-s", "GOVCRAWL_BROWSER=True", "-s", "ELASTICSEARCH_URL=",
           "-s", f"GOVCRAWL_EVIDENCE={mode == 'on'}", "-s", f"GOVCRAWL_EVIDENCE_MAX_PER_SITE={limit}",
           "-s", "GOVCRAWL_LINKCHECK_SKIP_HOSTS=" + ",".join(OUTSIDE_IDENTITY_HOSTS)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "GOVCRAWL_ALLOW_ADDRESSES": "127.0.0.0/8"})
    secs = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"{mode}: sweep failed ({r.returncode}):\n{r.stderr[-3000:]}")
    c = sqlite3.connect(store)
    iid, started = c.execute("SELECT id, started_at FROM inspections ORDER BY id DESC LIMIT 1").fetchone()
    last, pages = c.execute("SELECT MAX(fetched_at), COUNT(*) FROM pages WHERE error IS NULL AND"
                            " inspection_id=?", (iid,)).fetchone()
    findings, = c.execute("SELECT COUNT(*) FROM findings WHERE inspection_id=?", (iid,)).fetchone()
    c.close()
    crawl = (datetime.fromisoformat(last) - datetime.fromisoformat(started)).total_seconds()
    text = log.read_text(encoding="utf-8", errors="replace")
    shots_dir = store.with_name(store.name + ".evidence")
    size = sum(p.stat().st_size for p in (shots_dir / str(iid)).rglob("*.png")) if shots_dir.exists() else 0
    return {"mode": mode, "secs": secs, "crawl": crawl, "after": secs - crawl, "pages": pages,
            "findings": findings, "reused": _stat(text, "govcrawl/evidence/reused"), "store": store,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "shots": _stat(text, "govcrawl/evidence/shots"), "shot_secs": _stat(text, "govcrawl/evidence/ms") / 1000,
            "failed": _stat(text, "govcrawl/evidence/pages_failed"), "bytes": size}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="demo", choices=["demo", "e2e"])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--max-per-site", type=int, default=20)
    args = ap.parse_args()
    world = build_world(as_of=AS_OF, scale=args.scale, seed=1)
    server = DemoServer(world).start()
    runs: dict[str, list[dict]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-evidence-") as tmp:
            work = Path(tmp)
            registry = world.write_registry(work / "registry.yaml")
            for n in range(max(1, args.repeat)):
                for mode in ("off", "on"):
                    r = run(mode, registry, work, args.max_per_site, n)
                    print(f"{mode:>3}: {r['secs']:.1f} s wall, crawl phase {r['crawl']:.0f} s, CPU {r['cpu']:.1f} s,"
                          f" {r['pages']} pages, {r['findings']} findings, {r['shots']} screenshots in"
                          f" {r['shot_secs']:.1f} s", flush=True)
                    runs.setdefault(mode, []).append(r)
                # the next night over unchanged sites, into the same store
                r = run("on", registry, work, args.max_per_site, n, store=r["store"])
                r["mode"] = "on, 2nd night"
                print(f"2nd: {r['secs']:.1f} s wall, {r['shots']} screenshots, {r['reused']} of them reused",
                      flush=True)
                runs.setdefault(r["mode"], []).append(r)
    finally:
        server.stop()
    med = {m: {k: statistics.median(r[k] for r in rs) for k in rs[0] if k not in ("mode", "store")}
           for m, rs in runs.items()}
    off, on = med["off"], med["on"]
    print(f"\nMeasured {date.today().isoformat()}: {os.cpu_count()} CPU(s) shared with other work, Python"
          f" {platform.python_version()}, demo world scale={args.scale} ({world.page_count()} pages, 9 sites),"
          f" browser on, GOVCRAWL_EVIDENCE_MAX_PER_SITE={args.max_per_site}; median of {args.repeat}"
          f" interleaved run(s); load average at the end {os.getloadavg()[0]:.1f}.\n")
    print("| evidence | wall s | crawl phase s | after the crawl s | CPU s | screenshots (reused) |"
          " per-site time summed s | PNG bytes |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for m in ("off", "on", "on, 2nd night"):
        r = med[m]
        print(f"| {m} | {r['secs']:.1f} | {r['crawl']:.0f} | {r['after']:.0f} | {r['cpu']:.1f} |"
              f" {r['shots']:.0f} ({r['reused']:.0f}) | {r['shot_secs']:.1f} | {r['bytes']:,.0f} |")
    print(f"\non/off: wall {on['secs'] / off['secs']:.2f}, crawl phase {on['crawl'] / max(1, off['crawl']):.2f},"
          f" CPU {on['cpu'] / off['cpu']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
