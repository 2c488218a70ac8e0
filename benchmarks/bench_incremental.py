"""Benchmark: the second nightly sweep over sites that hardly changed (target ≥ 3× faster).

Night 1 sweeps the generated sites with GOVCRAWL_INCREMENTAL=True; between the nights
`--changed` of the articles are edited; night 2 sweeps again: unchanged pages answer
304 (ETag / Last-Modified) and are restored from the store, their findings carried
forward; only changed pages are parsed and checked.  Also checks that night 2 stored
the same findings as night 1 on every page that was not edited.

    .venv/bin/python benchmarks/bench_incremental.py [--sites 6] [--articles 60] [--changed 0.02]

The lexicons are copied to a temporary directory first so that an edit in the working
tree between the two nights does not make every page count as changed.  Writes the
"incremental" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

from govcrawl.dist.bench import ROOT, machine, mib, run_workers, store_counts, sweep_cmd, write_section
from govcrawl.dist.loadsite import LoadServer, LoadWorld
from govcrawl.settings import ITEM_PIPELINES

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
        # no per-site delay floor: the loopback sites answer at once, so the CPU work that
        # an incremental night saves is what the times show (with real sites, the
        # sites' politeness limit bounds both nights and the saving is CPU, not hours)
        cmd = sweep_cmd(registry, store, AS_OF.isoformat(), "-s", "GOVCRAWL_INCREMENTAL=True",
                        "-s", f"GOVCRAWL_LEXICONS={lex}", "-s", "DOWNLOAD_DELAY=0",
                        "-s", "GOVCRAWL_SITE_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")
        night1 = run_workers([cmd], tmp, "night1")
        changed = world.touch(args.changed)
        server.reset()
        night2 = run_workers([cmd], tmp, "night2")
        not_modified = server.not_modified
        # night 3, nothing edited, WordingPipeline left out: what night 2 costs once the
        # wording pipeline honours item.unchanged (it re-checks unchanged pages today)
        pipes = {**ITEM_PIPELINES, "govcrawl.pipelines.wording.WordingPipeline": None}
        no_wording = ("-s", "ITEM_PIPELINES=" + json.dumps(pipes))
        night3 = run_workers([cmd + list(no_wording)], tmp, "night3")
    c1, c2, c3 = store_counts(store, 1), store_counts(store, 2), store_counts(store, 3)
    r1, r2, r3 = c1["pages"] / night1.crawl, c2["pages"] / night2.crawl, c3["pages"] / night3.crawl
    lost = c1["finding_keys"] - c2["finding_keys"]
    import sqlite3

    conn = sqlite3.connect(store)
    on_changed = {r[0] for r in conn.execute("SELECT key FROM findings WHERE inspection_id=1 AND url IN"
                                             f" ({','.join('?' * len(changed))})", changed)} if changed else set()
    conn.close()
    lost_unchanged = lost - on_changed
    ok = night1.codes == [0] and night2.codes == [0] and night3.codes == [0] and c3["status"] == "finished"
    body = f"""## Second nightly sweep over unchanged sites (`benchmarks/bench_incremental.py`)

{args.sites} generated sites (`govcrawl.dist.loadsite`, ETag/Last-Modified and 304 answered),
{world.page_count()} pages, latency {args.latency}s, GOVCRAWL_INCREMENTAL=True every night, every
check on, browser off, AutoThrottle off and no per-site delay (CPU-bound: the times show
the work saved); {len(changed)} articles ({args.changed:.0%}) edited between nights 1 and 2.
Machine: {machine()}.

| | night 1 (full) | night 2 (incremental) | night 3 (incremental, wording pipeline off) |
|---|---|---|---|
| pages stored | {c1['pages']} | {c2['pages']} ({c2['unchanged']} unchanged, {not_modified} answered 304) | {c3['pages']} ({c3['unchanged']} unchanged) |
| crawl time (first site started → Spider closed) | {night1.crawl:.0f} s | {night2.crawl:.0f} s | {night3.crawl:.0f} s |
| wall time incl. start-up | {night1.wall:.0f} s | {night2.wall:.0f} s | {night3.wall:.0f} s |
| **pages/s** | **{r1:.1f}** | **{r2:.1f}** | **{r3:.1f}** |
| speed-up over night 1 (crawl time) | 1.0× | **{night1.crawl / night2.crawl:.2f}×** | **{night1.crawl / night3.crawl:.2f}×** |
| peak memory (max RSS) | {mib(night1.peak_kb[0])} | {mib(night2.peak_kb[0])} | {mib(night3.peak_kb[0])} |
| findings | {c1['findings']} | {c2['findings']} | {c3['findings']} |
| night-1 findings missing on unchanged pages | | {len(lost_unchanged)} | {len(c1['finding_keys'] - c3['finding_keys'] - on_changed)} |
| exit codes | {night1.codes} | {night2.codes} | {night3.codes}{'' if ok else ' — FAILED'} |

Night 3 leaves WordingPipeline out of the run: it shows what night 2 costs once that
pipeline skips `item.unchanged` pages (HackedPagePipeline already does); the wording
findings of unchanged pages are still there, carried by IncrementalPipeline. Target ≥ 3×.
"""
    write_section("incremental", body)
    print(body)


if __name__ == "__main__":
    main()
