"""A platform that limits two accounts must not hold up the others (issue 24).

    .venv/bin/python benchmarks/bench_media_backoff.py [--accounts 30] [--limited 2]
                     [--delay 0.5] [--latency 0.1] [--write docs/media.md]

Round 1 raised the whole Weibo slot's delay to 60 s when an account answered 418: two such
accounts froze every Weibo account (35 requests took 11 minutes).  Here `--accounts` demo
Weibo accounts are served by the local fake platforms, `--limited` of them answering 418 to
every request (as dataabc/weibo-crawler#557 reports), and `scrapy crawl media` runs twice
with the default back-off settings (418: 60 s, doubling, 2 retries): once with no account
limited (the baseline) and once with the limited ones.  From the fake platform's own clock:
when the other accounts' last answer was served (from the run's first request), and when the
limited accounts gave up.  The figure to read is the ratio of the others' finishing time
with and without the limited accounts (1.0: they did not wait at all).
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcrawl.media.fake import FakeAccount, FakePlatforms, FakePost  # noqa: E402

AS_OF = date(2024, 6, 20)
TEXTS = ["示范市召开防汛抗旱工作部署会议，要求各地落实值班值守制度。",
         "示范市政务服务中心推出周末服务，市民可在周六办理社保业务。",
         "东湖区开展城市道路积水点排查整治，已完成改造12处。"]


def accounts(n: int, limited: int) -> list[FakeAccount]:
    out = []
    for i in range(n):
        posts = [FakePost(age_days=1 + 9 * k, text=TEXTS[k % 3], original=k % 4 != 1) for k in range(8)]
        out.append(FakeAccount(f"wb-{i:02d}", "weibo", f"示范账号{i}", str(1960000000 + i), posts=posts,
                               behaviour="ratelimit" if i < limited else "ok"))
    return out


def run(n: int, limited: int, delay: float, latency: float, tmp: Path) -> dict:
    accs = accounts(n, limited)
    fake = FakePlatforms(accs, AS_OF, latency=latency).start()
    try:
        reg = tmp / f"r{limited}.yaml"
        reg.write_text(yaml.safe_dump({"accounts": fake.registry_rows()}, allow_unicode=True),
                       encoding="utf-8")
        store = tmp / f"s{limited}.db"
        cmd = [sys.executable, "-m", "scrapy", "crawl", "media", "-a", f"registry={reg}",
               "-a", f"store={store}", "-a", f"as_of={AS_OF}", "-s", f"GOVCRAWL_MEDIA_DELAY={delay}",
               "-s", "GOVCRAWL_BROWSER=False", "-s", "GOVCRAWL_MEDIA_WORDING=False",
               "-s", "LOG_LEVEL=WARNING"]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.setdefault("GOVCRAWL_ALLOW_ADDRESSES", "127.0.0.0/8")  # the egress policy (H27)
        t0 = time.monotonic()
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        wall = time.monotonic() - t0
    finally:
        fake.stop()
    start = min(fake.first_times.values())
    by_uid: dict[str, float] = {}
    for path, t in fake.times.items():
        for a in accs:
            if f"value={a.key}" in path:
                by_uid[a.key] = max(by_uid.get(a.key, 0.0), t - start)
    limited_keys = {a.key for a in accs if a.behaviour == "ratelimit"}
    c = sqlite3.connect(store)
    verdicts = c.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]
    requests = sum(fake.hits.values())
    return {"wall": wall, "requests": requests, "verdicts": verdicts,
            "others_done": max(t for k, t in by_uid.items() if k not in limited_keys),
            "limited_done": max((t for k, t in by_uid.items() if k in limited_keys), default=None)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=30)
    ap.add_argument("--limited", type=int, default=2)
    ap.add_argument("--delay", type=float, default=0.5, help="GOVCRAWL_MEDIA_DELAY (s)")
    ap.add_argument("--latency", type=float, default=0.1, help="seconds the fake platform takes per answer")
    ap.add_argument("--write", help="docs file whose BENCH:media-backoff block to replace")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as d:
        base = run(args.accounts, 0, args.delay, args.latency, Path(d))
        print(f"no account limited: {base}", flush=True)
        lim = run(args.accounts, args.limited, args.delay, args.latency, Path(d))
        print(f"{args.limited} limited: {lim}", flush=True)
    others = args.accounts - args.limited
    lines = [f"Measured {date.today()} on {os.cpu_count()} cores ({platform.machine()}), Python "
             f"{platform.python_version()}: {args.accounts} demo Weibo accounts (8 posts each) on the "
             f"local fake platforms, {args.latency} s per answer, GOVCRAWL_MEDIA_DELAY={args.delay}, "
             "one request at a time per platform, default back-off (418: 60 s, doubling, 2 retries). "
             "Times from the fake platform's clock, from the run's first request. Load average "
             f"before/after: {load0:.1f}/{os.getloadavg()[0]:.1f}.", "",
             "| run | requests | the other accounts' last answer | limited accounts gave up | "
             "scrapy wall s | verdicts |", "|---|---|---|---|---|---|",
             f"| no account limited | {base['requests']} | {base['others_done']:.1f} s "
             f"({args.accounts} accounts) | – | {base['wall']:.1f} | {base['verdicts']} |",
             f"| {args.limited} answer 418 | {lim['requests']} | {lim['others_done']:.1f} s ({others} "
             f"accounts) | {lim['limited_done']:.1f} s | {lim['wall']:.1f} | {lim['verdicts']} |", "",
             f"The {others} other accounts finished in {lim['others_done'] / base['others_done']:.2f}× "
             "the time of the run without limits: they did not wait on the limited accounts, which "
             f"gave up after their bounded back-off ({lim['limited_done']:.0f} s) with notices and "
             "no verdict."]
    table = "\n".join(lines)
    print(table)
    if args.write:
        p = ROOT / args.write
        text = p.read_text(encoding="utf-8")
        a, b = "<!-- BENCH:media-backoff -->", "<!-- /BENCH:media-backoff -->"
        if a in text and b in text:
            text = text[:text.index(a) + len(a)] + "\n" + table + "\n" + text[text.index(b):]
            p.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
