"""How long the bulletin takes on a region-sized history.

Builds a synthetic store: SITES sites over REGIONS regions, one full inspection per quarter
for QUARTERS quarters plus NIGHTLY nightly sweeps inside the last quarter, each with about
FINDINGS findings per site (a mix of column, link, wording, tag and veto findings, most
persisting between inspections, some fixed, some new), verdicts from govcrawl.scoring, a
few hundred reviews.  Then times `write_report()` (html + xlsx + docx + json + one
rectification notice per site) and prints a Markdown row for docs/report.md.

    .venv/bin/python benchmarks/bench_report.py [--sites 546] [--findings 30] [--nightly 30]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govcrawl import scoring  # noqa: E402
from govcrawl.items import Finding  # noqa: E402
from govcrawl.registry import Site  # noqa: E402
from govcrawl.report import write_report  # noqa: E402
from govcrawl.store import Store  # noqa: E402

RULES = [("column.stale_news", "deduct"), ("column.stale_other", "deduct"), ("link.broken", "deduct"),
         ("tag.missing", "deduct"), ("content.typo", "deduct"), ("interaction.slow_reply", "deduct"),
         ("identity.missing", "deduct")]
VETOES = [("site.unreachable", "veto"), ("content.leader_name", "veto"),
          ("site.homepage_not_updated", "veto")]


def make_sites(n: int, regions: int) -> list[Site]:
    out = []
    for i in range(n):
        r = i % regions
        sid = f"61{r:02d}00{i:04d}"
        url = f"http://127.0.0.1:9/s{i}/"
        out.append(Site(sid, f"第{r}区第{i}号网站", url, (url,), f"区域{r:02d}", f"单位{i}",
                        "portal" if i % 20 == 0 else "department"))
    return out


def site_findings(rng: random.Random, s: Site, per_site: int, day: int) -> list[Finding]:
    fs = []
    for k in range(per_site):
        # most findings persist (same k → same key); about 1 in 6 changes each inspection
        slot = k if rng.random() > 1 / 6 else k + 1000 + day
        rule, sev = RULES[slot % len(RULES)]
        fs.append(Finding(rule, sev, s.id, url=f"{s.url}p{slot}.html", column=f"栏目{slot % 9}",
                          target=f"{s.url}x{slot}.pdf" if rule == "link.broken" else None,
                          text="再接再励" if rule == "content.typo" else None,
                          suggestion="再接再厉" if rule == "content.typo" else None,
                          evidence={"newest_date": "2024-01-01", "age_days": 40, "status": 404},
                          start=slot))
    if rng.random() < 0.06:
        rule, sev = VETOES[rng.randrange(len(VETOES))]
        fs.append(Finding(rule, sev, s.id, url=s.url, text="习近凭" if "leader" in rule else None,
                          suggestion="习近平" if "leader" in rule else None))
    return fs


def build(path: Path, n_sites: int, regions: int, per_site: int, quarters: int, nightly: int) -> int:
    rng = random.Random(7)
    sites = make_sites(n_sites, regions)
    reg = {"sites": [s.to_dict() for s in sites], "accounts": []}
    store = Store(path)
    plan = [(f"2024Q{q + 1}", f"2024-{3 * q + 3:02d}-20") for q in range(quarters - 1)]
    last_q = f"2024Q{quarters}"
    plan += [(last_q, f"2024-{3 * quarters - 2:02d}-{d + 1:02d}") for d in range(nightly)]
    plan.append((last_q, f"2024-{3 * quarters:02d}-20"))
    rows = 0
    for day, (period, as_of) in enumerate(plan):
        iid = store.create_inspection(as_of=as_of, registry=reg, period=period)
        store.upsert_sites(iid, sites)
        batch = [f for s in sites for f in site_findings(rng, s, per_site, day)]
        store.add_findings(iid, batch)
        rows += len(batch)
        scoring.compute_verdicts(store, iid)
        store.finish_inspection(iid)
    # a few hundred editor decisions on the last inspection
    last = store.findings(iid)
    with store.tx() as c:
        c.executemany("INSERT OR REPLACE INTO reviews (key, site_id, url, rule, text, state, at)"
                      " VALUES (?,?,?,?,?,?,?)",
                      [(f.key, f.site_id, f.url, f.rule, f.text, "false_alarm", "2024-09-21")
                       for f in rng.sample(last, min(300, len(last)))])
    store.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=546)
    ap.add_argument("--regions", type=int, default=12)
    ap.add_argument("--findings", type=int, default=30, help="per site per inspection")
    ap.add_argument("--quarters", type=int, default=3)
    ap.add_argument("--nightly", type=int, default=30, help="nightly sweeps in the last quarter")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        t0 = time.perf_counter()
        rows = build(path, args.sites, args.regions, args.findings, args.quarters, args.nightly)
        t_build = time.perf_counter() - t0
        store = Store(path, readonly=True)

        def timed(**kw):
            c0, t0 = time.process_time(), time.perf_counter()
            files = write_report(store, Path(tmp) / "out", date="2024-09-27", **kw)
            return files, time.perf_counter() - t0, time.process_time() - c0

        _, wall_plain, cpu_plain = timed(rectification=False)
        files, wall_full, cpu_full = timed()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        n_insp = len(store.inspections())
        size = path.stat().st_size / 1e6
        load = os.getloadavg()[0]
        print(f"store: {n_insp} inspections, {rows} findings, {size:.0f} MB (built in {t_build:.0f} s)")
        print(f"report without notices: {cpu_plain:.1f} s CPU ({wall_plain:.1f} s wall)")
        print(f"report with {len(files.rectification)} notices: {cpu_full:.1f} s CPU "
              f"({wall_full:.1f} s wall), peak RSS {rss:.0f} MB, load average {load:.1f}")
        print(f"| {args.sites} sites, {n_insp} inspections, {rows:,} findings | "
              f"{cpu_plain:.0f} s CPU | {cpu_full:.0f} s CPU ({len(files.rectification)} notices) | "
              f"{rss:.0f} MB | {platform.machine()}, {os.cpu_count()} cores shared, load {load:.0f}, "
              f"Python {platform.python_version()} |")

if __name__ == "__main__":
    main()
