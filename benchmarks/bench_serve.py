"""How fast `govcrawl serve` answers for a site with many findings.

Builds a synthetic store: SITES sites in one inspection (and PREVIOUS earlier ones, for the
trend), one of them with FINDINGS findings (wording findings with their page text, links,
tags, columns; a tenth reviewed; a screenshot path on some), the others with a few
each.  Starts the real server (`govcrawl serve --port 0`, uvicorn), waits for its first
answer, and times over HTTP from this process the first page of that site's findings —
once cold (the first time any page of the store is asked for) and warm (median of
REPEAT) — and a filtered page, a search, the last page, the sites list and a review
(POST, re-judging included, and the page it returns to).  Prints a Markdown table for
docs/review.md.  Target: the first page under 300 ms.

    .venv/bin/python benchmarks/bench_serve.py [--findings 5000] [--sites 60] [--repeat 20]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govcrawl import history as H  # noqa: E402
from govcrawl import scoring  # noqa: E402
from govcrawl.items import Finding  # noqa: E402
from govcrawl.registry import Site  # noqa: E402
from govcrawl.store import Store  # noqa: E402

BIG = "6101009999"
SENTENCE = "会议要求，全县各级各部门要深入学习贯彻会议精神，再接再励，推动各项工作取得新成效。"


def make_store(path: Path, findings: int, sites: int, previous: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    store = Store(path)
    ss = [Site(f"61010{i:05d}" if i else BIG, f"测试网站{i}", f"http://127.0.0.1:9/s{i}/",
               (f"http://127.0.0.1:9/s{i}/",), f"区域{i % 6}", f"单位{i}", "department") for i in range(sites)]
    iid = 0
    for n in range(previous + 1):
        iid = store.create_inspection(as_of=f"2024-0{n + 3}-20", period=f"2024Q{n + 1}")
        store.upsert_sites(iid, ss)
        pages = []
        fs: list[Finding] = []
        big = findings if n == previous else findings // 2
        for k in range(big):
            page = f"{ss[0].url}p{k // 10}.html"
            kind = k % 5
            start = 30 + (k % 10) * 60
            if kind in (0, 1):
                fs.append(Finding("content.typo", "deduct", BIG, url=page, text="再接再励", suggestion="再接再厉",
                                  start=start, end=start + 4, where="text", column=f"栏目{k % 12}",
                                  evidence={"context": SENTENCE[-30:],
                                            **({"screenshot": f"{iid}/{BIG}/{k:016x}.png"} if k < 20 else {})}))
            elif kind == 2:
                fs.append(Finding("link.broken", "deduct", BIG, url=page, target=f"{ss[0].url}x{k}.pdf",
                                  text=f"附件{k}", where="link", evidence={"status": 404}))
            elif kind == 3:
                fs.append(Finding("tag.missing", "deduct", BIG, url=page, target="PubDate", where="meta",
                                  column=f"栏目{k % 12}", evidence={"tag": "PubDate"}))
            else:
                fs.append(Finding("content.leader_name", "veto", BIG, url=page, text="习近凭",
                                  suggestion="习近平", start=start + 10, end=start + 13, where="text"))
            if k % 10 == 0:
                pages.append((iid, BIG, page, 200, f"第{k // 10}号页面", "article", SENTENCE * 40))
        for s in ss[1:]:
            fs += [Finding("content.typo", "deduct", s.id, url=f"{s.url}p.html", text="截止目前",
                           suggestion="截至目前", start=5, end=9, where="text")
                   for _ in range(1)] + [Finding("column.blank", "deduct", s.id, url=f"{s.url}c/",
                                                 column="通知公告")] * rng.randint(0, 2)
        with store.tx() as c:
            c.executemany("INSERT INTO pages (inspection_id, site_id, url, status, title, page_type, text)"
                          " VALUES (?,?,?,?,?,?,?)", pages)
        store.add_findings(iid, fs)
        scoring.compute_verdicts(store, iid)
        store.finish_inspection(iid)
    big_keys = [r[0] for r in store.conn.execute("SELECT key FROM findings WHERE inspection_id=? AND site_id=?",
                                                   (iid, BIG))]
    for key in big_keys[::10]:
        H.set_review(store, key, rng.choice(H.REVIEW_STATES), note="基准测试")
    store.close()
    return iid


def timed(opener, url: str, data: bytes | None = None) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    with opener.open(url, data=data, timeout=60) as r:
        body = r.read()
    return (time.perf_counter() - t0) * 1000, body


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=5000)
    ap.add_argument("--sites", type=int, default=60)
    ap.add_argument("--previous", type=int, default=3, help="earlier inspections (the trend)")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store.sqlite"
        t0 = time.perf_counter()
        iid = make_store(path, args.findings, args.sites, args.previous)
        built = time.perf_counter() - t0
        proc = subprocess.Popen([sys.executable, "-m", "govcrawl", "serve", "--store", str(path), "--port", "0"],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            line = proc.stdout.readline() if proc.stdout else ""
            m = re.search(r"(http://\S+)/", line)
            if not m:
                raise SystemExit(f"govcrawl serve did not start: {line}")
            base = m.group(1)
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            timed(opener, base + "/favicon.ico")  # the server is up (its first request ever)
            site = f"{base}/inspections/{iid}/sites/{BIG}"
            rows: list[tuple[str, float, float, int]] = []

            def measure(label: str, url: str) -> bytes:
                cold, body = timed(opener, url)
                warm = [timed(opener, url)[0] for _ in range(args.repeat)]
                rows.append((label, cold, statistics.median(warm), len(body)))
                return body

            first = measure(f"first page of {args.findings:,} findings", site)
            assert first.count(b'<article class="finding') == 50, "not a full first page"
            measure("filtered (rule + severity)", site + "?rule=content.typo&severity=deduct")
            measure("search (q)", site + "?q=" + urllib.parse.quote("p17.html"))
            measure("last page", site + f"?page={-(-args.findings // 50)}")
            measure(f"sites list ({args.sites} sites, trend of {args.previous + 1})", f"{base}/inspections/{iid}")
            csrf = re.search(rb'name="csrf" value="([0-9a-f]{64})"', first).group(1).decode()
            key = re.search(rb'name="key" value="([0-9a-f]{40})"', first).group(1).decode()
            posts = []
            for state in ("false_alarm", "confirmed") * 5:
                data = urllib.parse.urlencode({"csrf": csrf, "key": key, "state": state}).encode()
                posts.append(timed(opener, site + "/review", data)[0])  # POST, 303, then the page
            rows.append(("review (POST + re-judge + page)", posts[0], statistics.median(posts), 0))
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"store built in {built:.1f} s; {platform.python_version()}, {os.cpu_count()} cores;"
          f" median of {args.repeat} warm requests")
    print("| request | first (ms) | warm median (ms) | bytes |")
    print("|---|---:|---:|---:|")
    for label, cold, warm, size in rows:
        print(f"| {label} | {cold:.0f} | {warm:.0f} | {size:,} |")
    print(json.dumps({label: round(warm, 1) for label, _c, warm, _s in rows}, ensure_ascii=False))


if __name__ == "__main__":
    main()
