"""Benchmark: the second nightly sweep over sites that hardly changed (target ≥ 3× faster).

Night 1 sweeps the generated sites with GOVCRAWL_INCREMENTAL=True; between the nights
`--changed` of the articles are edited; night 2 sweeps again: unchanged pages answer
304 (ETag / Last-Modified) and are restored from the store, their findings carried
forward; only changed pages are parsed and checked.  Also checks that night 2 stored
the same pages and the same findings as night 1 (plus those of the edits).

    .venv/bin/python benchmarks/bench_incremental.py [--sites 6] [--articles 60] [--changed 0.02]

The lexicons are copied to a temporary directory first so that an edit in the working
tree between the two nights does not make every page count as changed.  Writes the
"incremental" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from datetime import date
from pathlib import Path

from govcrawl.dist.bench import ROOT, machine, mib, run_workers, store_counts, sweep_cmd, write_section
from govcrawl.dist.loadsite import LoadServer, LoadWorld

AS_OF = date(2024, 6, 20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=6)
    ap.add_argument("--articles", type=int, default=60, help="articles per column (3 columns per site)")
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--changed", type=float, default=0.02, help="share of articles edited between nights")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-incr-"))
    lex = tmp / "lexicons"
    shutil.copytree(ROOT / "lexicons", lex)
    world = LoadWorld(AS_OF, sites=args.sites, columns=3, articles=args.articles, seed=5)
    store = tmp / "nightly.db"
    with LoadServer(world, latency=args.latency) as server:
        registry = world.write_registry(tmp / "sites.yaml")
        cmd = sweep_cmd(registry, store, AS_OF.isoformat(), "-s", "GOVCRAWL_INCREMENTAL=True",
                        "-s", f"GOVCRAWL_LEXICONS={lex}")
        night1 = run_workers([cmd], tmp, "night1")
        changed = world.touch(args.changed)
        server.reset()
        night2 = run_workers([cmd], tmp, "night2")
        not_modified = server.not_modified
    c1, c2 = store_counts(store, 1), store_counts(store, 2)
    r1, r2 = c1["pages"] / night1.crawl, c2["pages"] / night2.crawl
    lost = c1["finding_keys"] - c2["finding_keys"]
    ok = night1.codes == [0] and night2.codes == [0] and c2["status"] == "finished"
    body = f"""## Second nightly sweep over unchanged sites (`benchmarks/bench_incremental.py`)

{args.sites} generated sites (`govcrawl.dist.loadsite`, ETag/Last-Modified and 304 answered),
{world.page_count()} pages, latency {args.latency}s, GOVCRAWL_INCREMENTAL=True both nights, every
check on, browser off; {len(changed)} articles ({args.changed:.0%}) edited between the nights.
Machine: {machine()}.

| | night 1 (full) | night 2 (incremental) |
|---|---|---|
| pages stored | {c1['pages']} | {c2['pages']} ({c2['unchanged']} unchanged, {not_modified} answered 304) |
| crawl time (Spider opened → closed) | {night1.crawl:.0f} s | {night2.crawl:.0f} s |
| wall time incl. start-up | {night1.wall:.0f} s | {night2.wall:.0f} s |
| **pages/s** | **{r1:.1f}** | **{r2:.1f}** |
| speed-up (crawl time) | 1.0× | **{night1.crawl / night2.crawl:.2f}×** (target ≥ 3×) |
| peak memory (max RSS) | {mib(night1.peak_kb[0])} | {mib(night2.peak_kb[0])} |
| findings | {c1['findings']} | {c2['findings']} (night-1 findings missing: {len(lost)}) |
| exit codes | {night1.codes} | {night2.codes}{'' if ok else ' — FAILED'} |
"""
    write_section("incremental", body)
    print(body)


if __name__ == "__main__":
    main()
