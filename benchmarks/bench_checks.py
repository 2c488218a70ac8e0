"""What the checks cost a sweep: pages/s with GOVCRAWL_CHECKS on vs off, same generated set.

    .venv/bin/python benchmarks/bench_checks.py [--pages 5000] [--latency 0] [--modes off,site,all]
                                                [--write docs/inspection.md]

Modes (each a real `scrapy crawl sweep` subprocess over the same demo world, served
by one DemoServer for all runs):
  off   GOVCRAWL_CHECKS=False: crawl and store only
  site  this issue's checks only (PageChecksPipeline + SiteChecksPipeline + verdicts);
        the wording and hacked-page pipelines are switched off
  all   every check of the project (wording, page, hacked, site)
The ratio is pages/s of a mode over pages/s of `off` (target ≥ 0.5), by wall clock
and by the sweep process's CPU time (steadier on a shared machine).  The browser is
off in every mode (GOVCRAWL_BROWSER=False) so the runs fetch the same pages.  With
--write the table replaces the block between the BENCH markers of docs/inspection.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcrawl.demo import OUTSIDE_IDENTITY_HOSTS, DemoServer, build_world  # noqa: E402

MODES = {
    "off": ["-s", "GOVCRAWL_CHECKS=False"],
    "site": ["-s", "GOVCRAWL_CHECKS=True", "-s",
             'ITEM_PIPELINES={"govcrawl.pipelines.pagechecks.PageChecksPipeline": 300,'
             ' "govcrawl.pipelines.sitechecks.SiteChecksPipeline": 500,'
             ' "govcrawl.pipelines.store.StorePipeline": 800}'],
    "all": ["-s", "GOVCRAWL_CHECKS=True"],
}
START, END = "<!-- BENCH:checks -->", "<!-- /BENCH:checks -->"


def run(mode: str, registry: Path, workdir: Path, as_of: str) -> dict:
    store = workdir / f"{mode}.sqlite"
    if store.exists():
        store.unlink()
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
           "-a", f"store={store}", "-a", f"as_of={as_of}", "-s", "LOG_LEVEL=WARNING",
           "-s", "GOVCRAWL_BROWSER=False", "-s", "ELASTICSEARCH_URL=",
           "-s", "GOVCRAWL_LINKCHECK_SKIP_HOSTS=" + ",".join(OUTSIDE_IDENTITY_HOSTS), *MODES[mode]]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if r.returncode != 0:
        raise SystemExit(f"{mode}: sweep failed ({r.returncode}):\n{r.stderr[-3000:]}")
    c = sqlite3.connect(store)
    pages = c.execute("SELECT COUNT(*) FROM pages WHERE error IS NULL").fetchone()[0]
    findings = c.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    c.close()
    return {"mode": mode, "secs": secs, "cpu": cpu, "pages": pages, "findings": findings,
            "pps": pages / secs if secs else 0.0, "ppc": pages / cpu if cpu else 0.0}


def table(results: list[dict], args: argparse.Namespace, total_pages: int) -> str:
    base = next((r for r in results if r["mode"] == "off"), None)
    lines = [
        f"Measured {date.today().isoformat()} on {platform.node() or 'this machine'}: "
        f"{os.cpu_count()} CPU(s) (shared with other work), Python {platform.python_version()}, "
        f"demo world scale=bench, {total_pages} generated pages over the demo sites, "
        f"server latency {args.latency} s per request, browser off, default politeness "
        f"settings (per-site concurrency 2, AutoThrottle on); median of {results[0].get('runs', 1)} "
        f"interleaved run(s) per mode; load average at the end {os.getloadavg()[0]:.1f}.",
        "",
        "",
        "Wall-clock pages/s swings with whatever else the machine runs; the sweep process's own",
        "CPU time (user + system, from getrusage) is the steadier measure of what the checks cost,",
        "so the ratio is given both ways.",
        "",
        "| mode | pages fetched | findings | wall s | pages/s (wall) | ratio (wall) | CPU s | pages per CPU s | ratio (CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rw = f"{r['pps'] / base['pps']:.2f}" if base and base["pps"] else "–"
        rc = f"{r['ppc'] / base['ppc']:.2f}" if base and base["ppc"] else "–"
        lines.append(f"| {r['mode']} | {r['pages']} | {r['findings']} | {r['secs']:.1f} | "
                     f"{r['pps']:.1f} | {rw} | {r['cpu']:.1f} | {r['ppc']:.1f} | {rc} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=5000, help="size of the generated set")
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added to every response")
    ap.add_argument("--modes", default="off,site,all")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of all modes, interleaved; the median pages/s is reported")
    ap.add_argument("--write", help="markdown file whose BENCH:checks block gets the table")
    args = ap.parse_args()
    as_of = date(2024, 6, 20)
    world = build_world(as_of=as_of, scale="bench", seed=1, bench_pages=args.pages)
    server = DemoServer(world, latency=args.latency).start()
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-checks-") as tmp:
            work = Path(tmp)
            registry = world.write_registry(work / "registry.yaml")
            runs: dict[str, list[dict]] = {}
            for _round in range(max(1, args.repeat)):
                for mode in args.modes.split(","):
                    r = run(mode.strip(), registry, work, as_of.isoformat())
                    print(f"{r['mode']:>4}: {r['pages']} pages in {r['secs']:.1f} s = {r['pps']:.1f} pages/s, "
                          f"CPU {r['cpu']:.1f} s = {r['ppc']:.1f} pages/CPU s, {r['findings']} findings",
                          flush=True)
                    runs.setdefault(r["mode"], []).append(r)
            for mode, rs in runs.items():
                med = {"mode": mode, "runs": len(rs),
                       "pages": int(statistics.median(r["pages"] for r in rs)),
                       "findings": int(statistics.median(r["findings"] for r in rs))}
                for k in ("secs", "cpu", "pps", "ppc"):
                    med[k] = statistics.median(r[k] for r in rs)
                results.append(med)
    finally:
        server.stop()
    md = table(results, args, world.page_count())
    print(md)
    if args.write:
        p = Path(args.write)
        text = p.read_text(encoding="utf-8")
        if START in text and END in text:
            head, rest = text.split(START, 1)
            _, tail = rest.split(END, 1)
            p.write_text(f"{head}{START}\n{md}\n{END}{tail}", encoding="utf-8")
        else:
            p.write_text(text.rstrip() + f"\n\n{START}\n{md}\n{END}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
