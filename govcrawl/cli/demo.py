"""`govcrawl demo`: sweep the generated demo sites end to end and say where everything is.

Builds the demo world, serves it on loopback ports in background threads, runs the
real sweep as a subprocess (`scrapy crawl sweep`), then the bulletin (`govcrawl
report`), and prints per-site page and finding counts next to what was planted.
`--serve` only serves (for trying the spider or a browser by hand).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from govcrawl.demo import OUTSIDE_IDENTITY_HOSTS, DemoServer, build_world


def register(sub) -> None:
    p = sub.add_parser("demo", help="sweep the generated demo government sites and write the report")
    p.add_argument("--out", default="var/demo", help="output directory (default var/demo)")
    p.add_argument("--as-of", help="inspection date YYYY-MM-DD (default: today, Asia/Shanghai)")
    p.add_argument("--scale", default="demo", choices=["demo", "e2e", "bench"],
                   help="demo ≈ 700 pages over 10 sites (default); e2e ≈ 1,100; bench ≈ --bench-pages")
    p.add_argument("--bench-pages", type=int, default=20000, help="pages for --scale bench")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every response")
    p.add_argument("--serve", action="store_true",
                   help="only serve the sites and write registry + manifest; Ctrl-C to stop")
    p.add_argument("--no-report", action="store_true", help="skip `govcrawl report`")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="extra Scrapy setting for the sweep (repeatable)")
    p.set_defaults(func=run)


def _as_of(text: str | None) -> date:
    if not text:
        return datetime.now(ZoneInfo("Asia/Shanghai")).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        from govcrawl.cli import UserError

        raise UserError(f"bad --as-of {text!r} (want YYYY-MM-DD)") from None


def run(args) -> int:
    as_of = _as_of(args.as_of)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    world = build_world(as_of, scale=args.scale, seed=args.seed, bench_pages=args.bench_pages)
    server = DemoServer(world, latency=args.latency).start()
    try:
        registry = world.write_registry(out / "registry.yaml")
        manifest = world.write_manifest(out / "manifest.json")
        print(f"demo: {len(world.sites)} sites, {world.page_count()} pages, as_of {as_of}; "
              f"registry {registry}; manifest {manifest}", flush=True)
        for s in world.sites:
            print(f"  {s.id} {s.name:<12} {s.url() if not s.unreachable else s.url() + ' (unreachable)'}")
        if args.serve:
            print("serving; Ctrl-C to stop", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return 0
        return _sweep_and_report(args, world, server, out, registry, as_of)
    finally:
        server.stop()


def _sweep_and_report(args, world, server, out: Path, registry: Path, as_of: date) -> int:
    store = out / "store.sqlite"
    for suffix in ("", "-wal", "-shm"):  # ports change every run: start a fresh demo store
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    log = out / "sweep.log"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
           "-a", f"store={store}", "-a", f"as_of={as_of.isoformat()}",
           # The footer identity links point at real national services the demo cannot reach.
           "-s", "GOVCRAWL_LINKCHECK_SKIP_HOSTS=" + ",".join(OUTSIDE_IDENTITY_HOSTS),
           "-s", f"LOG_FILE={log}"]
    for kv in args.set:
        cmd += ["-s", kv]
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govcrawl.settings")
    print(f"sweep: {' '.join(cmd[2:])}", flush=True)
    t0 = time.monotonic()
    rc = subprocess.call(cmd, env=env)
    took = time.monotonic() - t0
    if rc != 0:
        print(f"demo: the sweep exited with status {rc}; see {log}", file=sys.stderr)
        return rc
    print(f"sweep finished in {took:.0f} s; log {log}")
    stats = _write_stats(server, out / "server-stats.json")
    findings_path = out / "findings.jsonl"
    _export_findings(store, findings_path)
    _summary(world, store, findings_path, stats)
    # -- 政务新媒体 hook (owner: media, govcrawl/media/demo.py): a few demo accounts on local
    # fake platforms, crawled into the same store and as_of so the bulletin shows them.
    from govcrawl.media.demo import run_media_demo

    run_media_demo(out, store, as_of, extra_settings=args.set)
    # -- end of 政务新媒体 hook
    report_dir = out / "report"
    from govcrawl.cli import COMMAND_MODULES

    if not args.no_report and "govcrawl.cli.report" in COMMAND_MODULES:
        rrc = subprocess.call([sys.executable, "-m", "govcrawl", "report", "--store", str(store),
                               "--out", str(report_dir)], env=env)
        if rrc == 0:
            print(f"report: {report_dir}")
        else:
            print(f"demo: govcrawl report exited with status {rrc}", file=sys.stderr)
    print(f"store: {store}\nfindings: {findings_path}")
    return 0


def _export_findings(store: Path, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        subprocess.call([sys.executable, "-m", "govcrawl", "findings", "--store", str(store)],
                        stdout=fh)


def _write_stats(server, path: Path) -> dict:
    """What the demo server saw: per site the peak concurrency and repeated GETs."""
    stats = server.stats()
    slim = {k: {"max_concurrency": v["max_concurrency"], "total": v["total"],
                "duplicates": v["duplicates"], "duplicates_same_ua": v["duplicates_same_ua"]}
            for k, v in stats.items()}
    path.write_text(json.dumps(slim, ensure_ascii=False, indent=1), encoding="utf-8")
    return stats


def _summary(world, store: Path, findings_path: Path, stats: dict) -> None:
    """Per site: pages fetched against the pages the generator serves; findings against plants;
    the most requests the server saw in flight at once, and repeated GETs."""
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        insp = con.execute("SELECT id FROM inspections WHERE kind='sites' "
                           "ORDER BY id DESC LIMIT 1").fetchone()
        pages: dict[str, set[str]] = {}
        if insp:
            for sid, url in con.execute("SELECT site_id, url FROM pages WHERE inspection_id=?",
                                        (insp[0],)):
                pages.setdefault(sid, set()).add(url)
    finally:
        con.close()
    found: dict[str, Counter[str]] = {}
    for line in findings_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            f = json.loads(line)
            found.setdefault(f["site_id"], Counter())[f["rule"]] += 1
    planted: dict[str, set[str]] = {}
    for p in world.manifest["planted"]:
        planted.setdefault(p["site_id"], set()).add(p["rule"])
    print(f"{'site':<11} {'name':<12} {'pages':>6} {'missing':>7} {'peak':>4} {'dups':>4} "
          f"{'findings':>8}  planted rules found")
    for s in world.sites:
        fc = found.get(s.id, Counter())
        want = planted.get(s.id, set())
        hit = sum(1 for r in want if fc.get(r))
        st = stats.get(s.id, {})
        got = pages.get(s.id, set())
        missing = len({s.url(p) for p in s.required} - got)
        print(f"{s.id:<11} {s.name:<12} {len(got):>6} {f'{missing}/{len(s.required)}':>7} "
              f"{st.get('max_concurrency', 0):>4} {len(st.get('duplicates_same_ua', {})):>4} "
              f"{sum(fc.values()):>8}  {hit}/{len(want)}")
    print("pages: stored by the sweep; missing: required pages of the generated site not stored; "
          "peak: most requests the server saw in flight at once; dups: URLs fetched more than once "
          "with the same User-Agent (see server-stats.json)")
