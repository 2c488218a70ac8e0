"""Benchmark: GovCrawl next to LinkChecker on the same generated sites, equal concurrency.

LinkChecker (PyPI `linkchecker`) crawls every site recursively and checks every link,
image and attachment, which is GovCrawl's crawl-and-link-check job without the page
judgements.  Both get the same number of parallel requests: `--sites × 2` (GovCrawl:
CONCURRENT_REQUESTS; LinkChecker: that many threads).  LinkChecker pauses 0.1–0.6 s
between two requests to one host unless the server answers with a `LinkChecker`
header, and then by 1–6 × 1/`maxrequestspersecond`; the load server sends the header
and the configuration sets 10 000/s, so both tools are limited by concurrency alone.
GovCrawl runs twice: checks off (the comparable job) and every check on.

LinkChecker is not a GovCrawl dependency: install it apart, e.g.
    python3 -m venv /tmp/lcvenv && /tmp/lcvenv/bin/pip install linkchecker
    .venv/bin/python benchmarks/bench_peer.py --linkchecker /tmp/lcvenv/bin/linkchecker

Writes the "peer" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

from govcrawl.dist.bench import machine, mib, run_workers, store_counts, sweep_cmd, write_section
from govcrawl.dist.loadsite import LoadServer, LoadWorld

AS_OF = date(2024, 6, 20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=6)
    ap.add_argument("--articles", type=int, default=60)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--linkchecker", default=shutil.which("linkchecker") or "/tmp/lcvenv/bin/linkchecker")
    args = ap.parse_args()
    if not Path(args.linkchecker).exists():
        raise SystemExit(f"linkchecker not found at {args.linkchecker} (see this file's docstring)")
    conc = args.sites * 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-peer-"))
    tmp.chmod(0o777)  # LinkChecker drops root privileges to 'nobody'
    world = LoadWorld(AS_OF, sites=args.sites, columns=3, articles=args.articles, seed=9)
    with LoadServer(world, latency=args.latency, count_ua="", linkchecker_unthrottled=True) as server:
        registry = world.write_registry(tmp / "sites.yaml")
        urls = [f"http://127.0.0.1:{s.port}/" for s in world.sites]
        rc = tmp / "linkcheckerrc"
        rc.write_text(f"[checking]\nthreads={conc}\nmaxrequestspersecond=10000\ntimeout=10\n"
                      "[filtering]\ncheckextern=1\n[output]\nstatus=0\n", encoding="utf-8")
        rc.chmod(0o644)
        server.reset()
        t0 = time.monotonic()
        lc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(tmp / "lc.time"), args.linkchecker,
                             "-f", str(rc), "-t", str(conc), "--no-status", "-v", "-o", "csv", "--check-extern",
                             *urls], capture_output=True, text=True)
        lc_wall = time.monotonic() - t0
        lc_rows = [ln for ln in lc.stdout.splitlines() if ln and not ln.startswith("#") and ";" in ln][1:]
        lc_gets = sum(server.page_hits("GET").values())
        lc_peak = int((tmp / "lc.time").read_text().split()[-1])
        runs = {}
        for name, extra in (("checks off", ("-s", "GOVCRAWL_CHECKS=False")), ("every check on", ())):
            server.reset()
            store = tmp / f"{name.replace(' ', '-')}.db"
            cmd = sweep_cmd(registry, store, AS_OF.isoformat(), "-s", f"CONCURRENT_REQUESTS={conc}",
                            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.001",
                            "-s", "GOVCRAWL_SITE_DELAY=0.001", *extra)
            run = run_workers([cmd], tmp, name.replace(" ", "-"))
            runs[name] = (run, store_counts(store), sum(server.page_hits("GET").values()))
    pages = world.page_count()
    rows = [f"| LinkChecker 10 ({conc} threads) | {len(lc_rows)} URLs checked, {lc_gets} GETs | "
            f"{lc_wall:.1f} s (wall) | **{pages / lc_wall:.1f}** | {mib(lc_peak)} |"]
    for name, (run, counts, gets) in runs.items():
        rows.append(f"| GovCrawl, {name} | {counts['pages']} pages + {counts['link_status']} link targets, "
                    f"{gets} GETs | {run.crawl:.1f} s crawl / {run.wall:.1f} s wall | "
                    f"**{pages / run.crawl:.1f}** ({pages / run.wall:.1f} wall) | {mib(run.peak_kb[0])} |")
    body = f"""## Peer run: LinkChecker on the same sites (`benchmarks/bench_peer.py`)

{args.sites} generated sites (`govcrawl.dist.loadsite`), {pages} pages with images, attachments
and one dead outside link each few pages; latency {args.latency}s; {conc} parallel requests for both
(GovCrawl: CONCURRENT_REQUESTS {conc}, AutoThrottle off, its 0.05 s per-site delay floor lowered to
1 ms, 2 requests per site at a time (at a delay of 0, Scrapy 2.19 holds neither that limit nor
kept-alive connections);
LinkChecker: {conc} threads, its per-host pause lifted by the server's `LinkChecker` header).
pages/s = the world's {pages} pages / time. Machine: {machine()}.

| tool | work done | time | pages/s | peak memory |
|---|---|---|---|---|
""" + "\n".join(rows) + f"""

LinkChecker exit code {lc.returncode} (1 = broken links found, expected here).
"""
    write_section("peer", body)
    print(body)
    if lc.returncode not in (0, 1):
        print(lc.stderr[-2000:])


if __name__ == "__main__":
    main()
