"""Benchmark: the fault-injection matrix on a bigger world than the tests use.

Every case runs the real `scrapy crawl sweep` (every check on, as a nightly sweep runs)
against generated loopback sites, does one fault to it, lets the same command finish the
inspection where that is the way back, and compares what the store holds with an
uninterrupted sweep of the same sites, table by table (pages, findings, link checks, list
entries, links, columns, verdicts): rows lost, extra, duplicated.

    .venv/bin/python benchmarks/bench_faults.py [--sites 5] [--columns 3] [--articles 50]
        [--kills 5] [--seed 1] [--latency 0.03] [--only kill,sigint,disk,redis,postgres]

Cases: kill -9 at `--kills` random moments of the crawl (seeded; the same command with the
same JOBDIR resumes), SIGINT then the same command, the store's disk full for 5 s (a tmpfs
mounted here when run as root, else the SQLite-level fake of tests/faults), Redis stopped
15 s under a distributed sweep (append-only file on), the PostgreSQL store stopped 8 s; and what resumability costs when nothing goes wrong
(the same sweep without and with JOBDIR, interleaved).
Times are wall seconds of all the runs of a case; peak memory is the largest RSS of any of
its sweep processes.  Writes the "faults" section of docs/operations.md.
"""

from __future__ import annotations

import argparse
import random
import signal
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcrawl.dist.bench import LOG_FORMAT, crawl_seconds, machine, write_section  # noqa: E402
from govcrawl.dist.loadsite import LoadServer, LoadWorld  # noqa: E402
from tests.faults.harness import (RestartableRedis, SmallDisk, Sweep, diff, pages_stored,  # noqa: E402
                                  snapshot, sweep_cmd, tracebacks, wait_until)

# a nightly sweep's settings, not the tests' shortcuts (every check on, the default batch)
NIGHTLY = ("-s", "GOVCRAWL_TYPO=True", "-s", "GOVCRAWL_STORE_BATCH=200", "-s", "GOVCRAWL_HACKED_SAMPLE=10",
           "-s", "GOVCRAWL_HACKED_OUTSIDE_PAGES=30", "-s", "RETRY_TIMES=2")


class Bench:
    def __init__(self, args: Any, tmp: Path) -> None:
        self.args = args
        self.tmp = tmp
        self.world = LoadWorld(date(2024, 6, 20), sites=args.sites, columns=args.columns, articles=args.articles,
                               seed=7)
        self.server = LoadServer(self.world, latency=args.latency).start()
        self.registry = self.world.write_registry(tmp / "sites.yaml")
        self.rows: list[dict[str, Any]] = []
        self.reference: dict[str, Any] = {}
        self.n = 0

    def cmd(self, store: Any, *extra: str) -> list[str]:
        return sweep_cmd(self.registry, store, *NIGHTLY, *extra)

    def sweep(self, store: Any, *extra: str, env: dict[str, str] | None = None) -> Sweep:
        self.n += 1
        return Sweep(self.cmd(store, *extra), self.tmp / f"run{self.n:02d}.log").start(env)

    def record(self, case: str, store: Any, runs: list[Sweep], note: str = "") -> None:
        got = snapshot(store)
        d = diff(got, self.reference)
        row = {"case": case, "status": got["status"], "rc": [r.rc for r in runs],
               "seconds": sum(r.seconds for r in runs), "peak": max((r.peak_mib() or 0) for r in runs),
               "lost": sum(v["lost"] for v in d.values()), "extra": sum(v["extra"] for v in d.values()),
               "duplicated": sum(v["duplicated"] for v in d.values()),
               "pages": f"{d['pages']['got']}/{d['pages']['want']}",
               "findings": f"{d['findings']['got']}/{d['findings']['want']}",
               "tracebacks": sum(tracebacks(r.text()) for r in runs), "note": note}
        self.rows.append(row)
        print(f"{case}: {row}", flush=True)

    # -- cases -----------------------------------------------------------------------
    def run_reference(self) -> None:
        s = self.sweep(self.tmp / "reference.db")
        s.wait(3600)
        if s.rc != 0:
            raise SystemExit(f"the reference sweep failed:\n{s.text()[-3000:]}")
        self.reference = snapshot(self.tmp / "reference.db")
        self.record("uninterrupted (reference)", self.tmp / "reference.db", [s])
        self.ref_seconds = s.seconds

    def kill_and_resume(self, case: str, sig: int, moment: Callable[[Sweep, Path], None], note: str) -> None:
        work = Path(tempfile.mkdtemp(dir=self.tmp))
        store, job = work / "s.db", work / "job"
        first = self.sweep(store, "-s", f"JOBDIR={job}")
        moment(first, store)
        first.signal(sig)
        first.wait(3600)
        again = self.sweep(store, "-s", f"JOBDIR={job}")
        again.wait(3600)
        self.record(case, store, [first, again], note)

    def kills(self) -> None:
        rnd = random.Random(self.args.seed)
        total = len(self.reference["pages"])
        for i in range(self.args.kills):
            # a random moment of the crawl: after a random share of the pages is stored,
            # plus a random delay (so kills also land between two store commits)
            share, delay = rnd.uniform(0.02, 0.98), rnd.uniform(0, 2)

            def moment(s: Sweep, store: Path, share: float = share, delay: float = delay) -> None:
                wait_until(lambda: pages_stored(store) >= share * total or "site checks" in s.text(), s,
                           timeout=3600, what="the moment")
                time.sleep(delay)

            self.kill_and_resume(f"kill -9 #{i + 1}", signal.SIGKILL, moment,
                                 f"after {share:.0%} of the pages + {delay:.1f} s")

    def sigint(self) -> None:
        total = len(self.reference["pages"])

        def moment(s: Sweep, store: Path) -> None:
            wait_until(lambda: pages_stored(store) >= total / 2, s, timeout=3600, what="half the pages")

        self.kill_and_resume("SIGINT (Ctrl-C)", signal.SIGINT, moment, "at half the pages")

    def disk(self) -> None:
        with SmallDisk(64 * 1024 * 1024) as disk:
            store = disk.dir / "s.db"
            s = self.sweep(store, "-s", f"JOBDIR={disk.dir / 'job'}", "-s", "GOVCRAWL_STORE_RETRY_INTERVAL=1",
                           env=disk.env())
            wait_until(lambda: pages_stored(store) >= len(self.reference["pages"]) / 3, s, timeout=3600,
                       what="a third of the pages")
            disk.fill(leave=64 * 1024)
            wait_until(lambda: "cannot be written" in s.text(), s, timeout=600, what="the full disk")
            time.sleep(5)
            disk.release()
            s.wait(3600)
            self.record(f"disk full 5 s ({disk.kind})", store, [s])

    def redis(self) -> None:
        work = Path(tempfile.mkdtemp(dir=self.tmp))
        srv = RestartableRedis(work)
        try:
            store = work / "d.db"
            s = self.sweep(store, "-s", f"GOVCRAWL_REDIS_URL={srv.url}", "-s", "GOVCRAWL_DIST_HEARTBEAT_TTL=10")
            wait_until(lambda: pages_stored(store) >= len(self.reference["pages"]) / 3, s, timeout=3600,
                       what="a third of the pages")
            srv.stop()
            time.sleep(15)
            srv.start()
            s.wait(3600)
            self.record("Redis stopped 15 s", store, [s])
        finally:
            srv.stop()

    def postgres(self) -> None:
        from govcrawl.dist.pgserver import PgServer

        pg = PgServer()
        try:
            url = pg.new_database()
            s = self.sweep(url, "-s", "GOVCRAWL_STORE_RETRY_INTERVAL=1")
            wait_until(lambda: pages_stored(url) >= len(self.reference["pages"]) / 3, s, timeout=3600,
                       what="a third of the pages")
            pg.pause()
            time.sleep(8)
            pg.resume()
            s.wait(3600)
            self.record("PostgreSQL stopped 8 s", url, [s])
        finally:
            pg.stop()

    def overhead(self) -> None:
        """What resumability costs: the same sweep without and with JOBDIR (the frontier
        written into the store), interleaved, crawl time from the logs (lexicon loading left
        out: govcrawl.dist.bench.crawl_seconds)."""
        times: dict[str, list[float]] = {"plain": [], "JOBDIR": []}
        for i in range(self.args.overhead_rounds):
            for tag in ("plain", "JOBDIR"):
                work = Path(tempfile.mkdtemp(dir=self.tmp))
                extra = ["-s", f"LOG_FORMAT={LOG_FORMAT}"] + (["-s", f"JOBDIR={work / 'job'}"] if tag == "JOBDIR" else [])
                s = self.sweep(work / "s.db", *extra)
                s.wait(3600)
                times[tag].append(crawl_seconds([s.text()]))
                self.record(f"no fault, {tag} (round {i + 1})", work / "s.db", [s],
                            f"crawl {times[tag][-1]:.1f} s")
        plain, job = statistics.median(times["plain"]), statistics.median(times["JOBDIR"])
        self.overhead_line = (f"Resumability's cost (JOBDIR: the frontier written into the store), median crawl "
                              f"time of {len(times['plain'])} interleaved runs each: {plain:.1f} s without, "
                              f"{job:.1f} s with JOBDIR (ratio {job / plain:.2f}).")

    def report(self) -> str:
        a = self.args
        lines = [f"World: {a.sites} sites × {a.columns} columns × {a.articles} articles "
                 f"({len(self.reference['pages'])} pages, {len(self.reference['findings'])} findings), answers "
                 f"after {a.latency} s; every check on; kill moments from seed {a.seed}.  {machine()}.", "",
                 "| case | runs (exit) | time | peak RSS | pages | findings | lost | extra | duplicated | tracebacks | status |",
                 "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in self.rows:
            note = f" ({r['note']})" if r["note"] else ""
            lines.append(f"| {r['case']}{note} | {len(r['rc'])} ({', '.join(map(str, r['rc']))}) | "
                         f"{r['seconds']:.0f} s | {r['peak']:.0f} MiB | {r['pages']} | {r['findings']} | {r['lost']} | "
                         f"{r['extra']} | {r['duplicated']} | {r['tracebacks']} | {r['status']} |")
        if getattr(self, "overhead_line", ""):
            lines += ["", self.overhead_line]
        return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=5)
    ap.add_argument("--columns", type=int, default=3)
    ap.add_argument("--articles", type=int, default=50)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--latency", type=float, default=0.03)
    ap.add_argument("--only", default="kill,sigint,disk,redis,postgres,overhead")
    ap.add_argument("--overhead-rounds", type=int, default=2)
    ap.add_argument("--no-write", action="store_true", help="print the table, leave docs/ alone")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        b = Bench(a, Path(tmp))
        try:
            b.run_reference()
            cases = {"kill": b.kills, "sigint": b.sigint, "disk": b.disk, "redis": b.redis, "postgres": b.postgres,
                     "overhead": b.overhead}
            for name in a.only.split(","):
                cases[name.strip()]()
        finally:
            b.server.stop()
        table = b.report()
    print(table)
    if not a.no_write:
        write_section("faults", table, doc=ROOT / "docs" / "operations.md")


if __name__ == "__main__":
    main()
