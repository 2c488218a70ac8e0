"""Throughput of the Elasticsearch indexer, and what it costs the crawl.

Starts the local fake Elasticsearch (govcrawl.es.fakeserver) in its own process on
127.0.0.1, then measures:

1. indexer throughput: DOCS finding documents (scripted upserts, ~1 KB each) through
   Indexer.submit() → worker thread → `_bulk`, from the first submit until close()
   returns (everything acknowledged), for a few bulk sizes;
2. the hot path: microseconds per `ElasticsearchPipeline.process_item()` for a PageItem
   with 3 findings (what the crawl pays), with the cluster up and with it down
   (everything goes to the spool);
3. replay: documents/s from the spool back into the cluster.

The fake server does little work per document, so (1) measures the client side
(encoding, HTTP, result handling) plus the fake's parsing: a real cluster is usually the
slower side.  Results replace the section between the bench markers in
docs/elasticsearch.md (with --write).

    .venv/bin/python benchmarks/bench_es.py [--docs 20000] [--sweep 9901020001,9901000002] [--write]

4. (--sweep) the same demo sweep without and with Elasticsearch: wall-time ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scrapy import Spider  # noqa: E402
from scrapy.utils.test import get_crawler  # noqa: E402

from govcrawl.es import docs  # noqa: E402
from govcrawl.es.config import EsConfig  # noqa: E402
from govcrawl.es.indexer import Indexer  # noqa: E402
from govcrawl.es.spool import Spool  # noqa: E402
from govcrawl.items import Finding, PageItem  # noqa: E402
from govcrawl.pipelines.elasticsearch import ElasticsearchPipeline  # noqa: E402

DOC_MD = ROOT / "docs" / "elasticsearch.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_fake() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "govcrawl.es.fakeserver", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    proc.stdout.readline()  # "fake Elasticsearch ... on ..." once it listens
    return proc, f"http://127.0.0.1:{port}"


def finding(i: int) -> Finding:
    return Finding(rule="content.typo", severity="deduct", site_id=f"61050{i % 500:05d}",
                   url=f"http://127.0.0.1:9/s{i % 500}/t{i}.html", text="再接再励",
                   suggestion="再接再厉", start=i % 997, end=i % 997 + 4, where="text",
                   category="错别字", evidence={"context": "我们要再接再励，继续推进政务公开工作" * 3})


def cfg(url: str, tmp: Path, **kw: object) -> EsConfig:
    base = {"ELASTICSEARCH_URL": url, "ELASTICSEARCH_SPOOL_DIR": str(tmp / "spool"),
            "ELASTICSEARCH_MAX_RETRIES": 1, "ELASTICSEARCH_RETRY_BACKOFF": 0.05}
    base.update(kw)
    return EsConfig.load(base, env={})


def bench_client_side(n: int) -> float:
    """Build + encode only (no network): the indexer's own ceiling."""
    fs = [finding(i) for i in range(n)]
    t0 = time.perf_counter()
    for f in fs:
        d = docs.finding_source(docs.finding_dict(f), inspection_id=1, as_of="2024-03-01",
                                seen="2024-03-01T01:00:00.000Z",
                                site={"id": f.site_id, "region": "渭南市"})
        docs.encode_action(*docs.finding_action("govcrawl-findings", d))
    return n / (time.perf_counter() - t0)


def bench_throughput(url: str, tmp: Path, n: int, bulk: int) -> tuple[float, int, float]:
    c = cfg(url, tmp, ELASTICSEARCH_BULK_SIZE=bulk, ELASTICSEARCH_INDEX_PREFIX=f"b{bulk}")
    acts = []
    for i in range(n):
        d = docs.finding_source(finding(i).to_dict(), inspection_id=1, as_of="2024-03-01",
                                seen="2024-03-01T01:00:00.000Z",
                                site={"id": f"61050{i % 500:05d}", "region": "渭南市"})
        acts.append(docs.finding_action(c.findings_index, d))
    size = sum(len(docs.encode_action(*a)) for a in acts[:200]) / 200
    ix = Indexer(c)
    ix.start()
    t0 = time.perf_counter()
    for a in acts:
        ix.submit(*a)
    stats = ix.close()
    dt = time.perf_counter() - t0
    assert stats["indexed"] == n, stats
    return n / dt, stats["requests"], size


def page(i: int) -> PageItem:
    url = f"http://127.0.0.1:9/s{i % 50}/a{i}.html"
    fs = [finding(i * 3 + k) for k in range(3)]
    return PageItem(inspection_id=1, site_id=fs[0].site_id, url=url, as_of="2024-03-01",
                    status=200, page_type="article", title="关于做好政务公开工作的通知",
                    column="通知公告", pub_date="2024-02-19", findings=fs)


def bench_hot_path(url: str, tmp: Path, n: int, down: bool) -> tuple[float, dict]:
    settings = {"ELASTICSEARCH_URL": url, "ELASTICSEARCH_SPOOL_DIR": str(tmp / ("spool-down" if down else "spool-up")),
                "ELASTICSEARCH_MAX_RETRIES": 1, "ELASTICSEARCH_RETRY_BACKOFF": 0.05,
                "ELASTICSEARCH_INDEX_PREFIX": "hot"}
    p = ElasticsearchPipeline.from_crawler(get_crawler(Spider, settings))
    p.open_spider()
    items = [page(i) for i in range(n)]
    t0 = time.perf_counter()
    for it in items:
        p.process_item(it)
    dt = time.perf_counter() - t0
    stats = p._close()
    return dt / n * 1e6, stats


def bench_replay(url: str, tmp: Path) -> tuple[float, int]:
    c = cfg(url, tmp, ELASTICSEARCH_SPOOL_DIR=str(tmp / "spool-down"),
            ELASTICSEARCH_INDEX_PREFIX="hot")
    spool = Spool(c.spool_path())
    n = spool.counts()["pending"]
    ix = Indexer(c)
    t0 = time.perf_counter()
    ix.replay()
    dt = time.perf_counter() - t0
    assert spool.counts()["pending"] == 0
    return n / dt, n


def bench_sweep(sites: str) -> list[str]:
    """The same demo sweep without and with Elasticsearch (fake, in-process): wall time."""
    from datetime import date

    from govcrawl.demo import OUTSIDE_IDENTITY_HOSTS, DemoServer, build_world
    from govcrawl.es.fakeserver import FakeElasticsearch

    as_of = date(2024, 6, 20)
    world = build_world(as_of=as_of, scale="e2e", seed=1)
    rows = []
    with tempfile.TemporaryDirectory() as td, DemoServer(world) as _server:
        registry = world.write_registry(Path(td) / "sites.yaml")
        times = {}
        for mode in ("off", "on", "off ", "on "):  # alternate, to spread the machine's noise
            fake = FakeElasticsearch().start() if mode.strip() == "on" else None
            store = Path(td) / f"g-{len(times)}.db"
            cmd = [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
                   "-a", f"store={store}", "-a", f"as_of={as_of.isoformat()}", "-a",
                   f"sites={sites}", "-s", "GOVCRAWL_BROWSER=False", "-s", "LOG_LEVEL=WARNING",
                   "-s", "GOVCRAWL_LINKCHECK_SKIP_HOSTS=" + ",".join(OUTSIDE_IDENTITY_HOSTS),
                   "-s", f"ELASTICSEARCH_URL={fake.url if fake else ''}"]
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True,
                           env={**os.environ, "ELASTICSEARCH_URL": ""})
            times.setdefault(mode.strip(), []).append(time.perf_counter() - t0)
            if fake:
                fake.stop()
        off, on = min(times["off"]), min(times["on"])
        rows.append(f"| demo sweep (sites {sites}, no browser), Elasticsearch off → on | "
                    f"best of 2 each | {off:.1f} s → {on:.1f} s (ratio {on / off:.2f}) | "
                    f"fake server in the test process |")
    return rows


def machine() -> str:
    from govcrawl.dist.bench import cpu_model

    cpu = cpu_model()
    import elasticsearch

    load = os.getloadavg()[0]
    return (f"{cpu}, {os.cpu_count()} cores shared with other jobs (load average {load:.1f} "
            f"at the end), Python "
            f"{platform.python_version()}, elasticsearch client {elasticsearch.__versionstr__}, "
            f"fake server {'8.17.0'} in its own process on 127.0.0.1")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--write", action="store_true", help="update docs/elasticsearch.md")
    ap.add_argument("--sweep", default="", help="also time a demo sweep of these site ids "
                                                "without and with Elasticsearch")
    args = ap.parse_args()
    proc, url = start_fake()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as td:
            tmp = Path(td)
            rate = bench_client_side(args.docs)
            rows.append(f"| build + encode only (no network) | {args.docs} findings | "
                        f"{rate:,.0f} docs/s | the client side's ceiling |")
            print(rows[-1], flush=True)
            for bulk in (100, 500, 1000):
                rate, reqs, size = bench_throughput(url, tmp, args.docs, bulk)
                rows.append(f"| indexer, bulk size {bulk} | {args.docs} findings (~{size:.0f} B "
                            f"each) | {rate:,.0f} docs/s | {reqs} `_bulk` requests |")
                print(rows[-1], flush=True)
            us_up, st_up = bench_hot_path(url, tmp, args.pages, down=False)
            rows.append(f"| `process_item`, cluster up | {args.pages} pages × (3 findings + "
                        f"page record) | {us_up:.0f} µs per page | {st_up['indexed']} "
                        f"indexed at close |")
            print(rows[-1], flush=True)
            dead = f"http://127.0.0.1:{free_port()}"
            us_down, st_down = bench_hot_path(dead, tmp, args.pages, down=True)
            rows.append(f"| `process_item`, cluster down | {args.pages} pages × (3 findings + "
                        f"page record) | {us_down:.0f} µs per page | {st_down['spooled']} "
                        f"spooled |")
            print(rows[-1], flush=True)
            rate, n = bench_replay(url, tmp)
            rows.append(f"| replay from the spool | {n} documents | {rate:,.0f} docs/s | "
                        f"spool empty after |")
            print(rows[-1], flush=True)
    finally:
        proc.terminate()
        proc.wait()
    if args.sweep:
        for row in bench_sweep(args.sweep):
            rows.append(row)
            print(row, flush=True)
    when = time.strftime("%Y-%m-%d", time.gmtime())
    block = "\n".join([
        START,
        f"Measured {when} on: {machine()}. "
        f"`python benchmarks/bench_es.py --docs {args.docs} --pages {args.pages}"
        + (f" --sweep {args.sweep}" if args.sweep else "") + "`.",
        "",
        "| what | load | result | notes |",
        "|---|---|---|---|",
        *rows,
        END,
    ])
    print(block)
    if args.write:
        text = DOC_MD.read_text("utf-8")
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda m: block, text, flags=re.S)
        DOC_MD.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
