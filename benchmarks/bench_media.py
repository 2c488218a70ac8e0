"""What the media checks cost: accounts/s of `scrapy crawl media` with checks off / on / + wording.

    .venv/bin/python benchmarks/bench_media.py [--accounts 300] [--latency 0.0] [--write docs/media.md]

One set of generated accounts (mixed platforms, ~15 posts each, some comments) is served
by the local fake platforms (govcrawl.media.fake) for every run; each mode is a real
`scrapy crawl media` subprocess with GOVCRAWL_MEDIA_DELAY=0 and
GOVCRAWL_MEDIA_CONCURRENCY=8 (per platform slot) so the machine, not politeness, is the
limit.  Modes:
  off      GOVCRAWL_CHECKS=False: fetch, parse and store only
  media    media.* rules and verdicts, wording off
  wording  media.* plus content.* through the team's wording checker (its one-off load
           time is part of the run and reported separately)
Ratios are accounts/s of a mode over `off`.  With --write the table replaces the block
between the BENCH markers of docs/media.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
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

from govcrawl.media.fake import FakeAccount, FakeComment, FakePlatforms, FakePost  # noqa: E402

PLATFORMS = ["weibo"] * 8 + ["wechat"] * 5 + ["douyin"] * 3 + ["feed"] * 2 + ["toutiao", "kuaishou"]
TEXTS = ["示范市召开防汛抗旱工作部署会议，要求各地落实值班值守制度。",
         "示范市政务服务中心推出周末服务，市民可在周六办理社保业务。",
         "东湖区开展城市道路积水点排查整治，已完成改造12处。",
         "西山县举办农产品产销对接会，签约金额3200万元，希望大家再接再励。"]
MODES = {"off": ["-s", "GOVCRAWL_CHECKS=False"],
         "media": ["-s", "GOVCRAWL_MEDIA_WORDING=False"],
         "wording": []}


def accounts(n: int, seed: int = 7) -> list[FakeAccount]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        plat = PLATFORMS[i % len(PLATFORMS)]
        posts = [FakePost(age_days=rnd.uniform(0, 60) if k else rnd.uniform(0, 20),
                          text=rnd.choice(TEXTS), original=rnd.random() > 0.3,
                          comments=[FakeComment(rnd.uniform(0, 30), "请问怎么办理？",
                                                reply_after_hours=rnd.choice([2, 30, None]))]
                          if rnd.random() < 0.2 else [])
                 for k in range(15)]
        key = str(1950000000 + i) if plat == "weibo" else f"BENCH{i:06d}"
        out.append(FakeAccount(f"b-{i}", plat, f"示范账号{i}", key, posts=posts,
                               feed_format=rnd.choice(["rss", "atom", "json"])))
    return out


def run(mode: str, reg: Path, tmp: Path) -> tuple[float, int, int]:
    store = tmp / f"{mode}.db"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "media", "-a", f"registry={reg}",
           "-a", f"store={store}", "-a", "as_of=2024-06-20", "-s", "GOVCRAWL_MEDIA_DELAY=0",
           "-s", "GOVCRAWL_MEDIA_CONCURRENCY=8", "-s", "GOVCRAWL_BROWSER=False",
           "-s", "LOG_LEVEL=WARNING", *MODES[mode]]
    t0 = time.monotonic()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.setdefault("GOVCRAWL_ALLOW_ADDRESSES", "127.0.0.0/8")  # the local fake platforms (egress policy)
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
    took = time.monotonic() - t0
    c = sqlite3.connect(store)
    n = c.execute("SELECT COUNT(*) FROM accounts WHERE status != 'unknown'").fetchone()[0]
    f = c.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    return took, n, f


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=300)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--write", help="docs file whose BENCH block to replace")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    fake = FakePlatforms(accounts(args.accounts), date(2024, 6, 20), latency=args.latency).start()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            reg = tmp / "r.yaml"
            reg.write_text(yaml.safe_dump({"accounts": fake.registry_rows()}, allow_unicode=True),
                           encoding="utf-8")
            t0 = time.monotonic()
            from govcrawl.text import get_checker

            get_checker()
            load = time.monotonic() - t0
            for mode in MODES:
                took, n, f = run(mode, reg, tmp)
                rows.append((mode, took, n, f))
                print(f"{mode:8} {took:6.1f} s  {args.accounts / took:6.1f} accounts/s  "
                      f"read {n}  findings {f}", flush=True)
    finally:
        fake.stop()
    base = args.accounts / rows[0][1]
    cpu = platform.processor() or platform.machine()
    lines = [f"Measured {date.today()} on {os.cpu_count()} cores ({cpu}), Python "
             f"{platform.python_version()}: {args.accounts} accounts (~15 posts each, mixed platforms) "
             f"on the local fake platforms, latency {args.latency} s, GOVCRAWL_MEDIA_CONCURRENCY=8, "
             "delay 0, browser off. Wall time includes Scrapy start-up (and, for `wording`, the "
             f"checker's one-off load: {load:.1f} s in-process). Load average before/after: "
             f"{load0:.1f}/{os.getloadavg()[0]:.1f} (the team shares the machine: compare ratios, "
             "not seconds).", "",
             "| mode | wall s | accounts/s | ratio vs off | accounts read | findings |",
             "|---|---|---|---|---|---|"]
    for mode, took, n, f in rows:
        lines.append(f"| {mode} | {took:.1f} | {args.accounts / took:.1f} | "
                     f"{(args.accounts / took) / base:.2f} | {n} | {f} |")
    table = "\n".join(lines)
    print(table)
    if args.write:
        p = ROOT / args.write
        text = p.read_text(encoding="utf-8")
        a, b = "<!-- BENCH:media -->", "<!-- /BENCH:media -->"
        if a in text and b in text:
            text = text[:text.index(a) + len(a)] + "\n" + table + "\n" + text[text.index(b):]
            p.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
