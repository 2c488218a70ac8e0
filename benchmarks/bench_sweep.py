"""Benchmark: one sweep over the generated demo world (govcrawl.demo, scale "bench").

Pages per second and peak memory of `scrapy crawl sweep` with every check on, as a
nightly run does it (browser off: Debian's chromium is not part of this measure).

    .venv/bin/python benchmarks/bench_sweep.py [--pages 20000] [--latency 0]

Writes the "sweep" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

from govcrawl.demo import OUTSIDE_IDENTITY_HOSTS, DemoServer, build_world
from govcrawl.dist.bench import machine, mib, run_workers, store_counts, sweep_cmd, write_section

AS_OF = date(2024, 6, 20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=20000, help="size of the generated world")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds the server waits per request")
    ap.add_argument("--concurrency", type=int, default=64, help="CONCURRENT_REQUESTS")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    world = build_world(AS_OF, scale="bench", bench_pages=args.pages)
    with DemoServer(world, latency=args.latency):
        registry = world.write_registry(tmp / "sites.yaml")
        store = tmp / "sweep.db"
        cmd = sweep_cmd(registry, store, AS_OF.isoformat(), "-s", f"CONCURRENT_REQUESTS={args.concurrency}",
                        "-s", "GOVCRAWL_LINKCHECK_SKIP_HOSTS=" + ",".join(OUTSIDE_IDENTITY_HOSTS))
        run = run_workers([cmd], tmp, "sweep")
        n_sites = len(world.sites)
        required = world.page_count()
    counts = store_counts(store)
    ok = run.codes == [0] and counts["status"] == "finished"
    body = f"""## One sweep over the demo world (`benchmarks/bench_sweep.py`)

Measured {AS_OF} world, `build_world(scale="bench", bench_pages={args.pages})`: {n_sites} sites,
{required} required pages; server latency {args.latency}s; CONCURRENT_REQUESTS {args.concurrency},
site concurrency 2 (defaults), every check on, browser off. Machine: {machine()}.

| | value |
|---|---|
| pages stored | {counts['pages']} (+ {counts['link_status']} link targets checked) |
| crawl time (first site started → Spider closed) | {run.crawl:.0f} s |
| wall time incl. start-up | {run.wall:.0f} s |
| **pages/s** (pages / crawl time) | **{counts['pages'] / run.crawl:.1f}** |
| peak memory (max RSS) | {mib(run.peak_kb[0])} |
| findings | {counts['findings']} |
| exit / inspection | {run.codes[0]} / {counts['status']}{'' if ok else ' — FAILED, see the log'} |
"""
    write_section("sweep", body)
    print(body)
    if not ok:
        print(run.logs[0][-3000:])


if __name__ == "__main__":
    main()
