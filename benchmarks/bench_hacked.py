"""What the hacked-page checks cost.

1. Static reading per page: `analyze` + the judging rules over every page of the demo
   sites, against a bare lxml parse of the same pages (the ratio is the number to watch).
2. Whole sweeps of the demo sites (loopback server) with the checks in four modes:
   off (GOVCRAWL_HACKED=False), static only (no samples, no outside pages), the default
   samples (GOVCRAWL_HACKED_SAMPLE=10, render sample 3, outside pages 30), and every page
   also fetched as Baiduspider (GOVCRAWL_HACKED_CLOAK_ALL_PAGES).

    .venv/bin/python benchmarks/bench_hacked.py [--scale demo|e2e] [--modes off,static,default,all]
                                                [--out docs/hacked-bench.md]

Writes a Markdown table into docs/ with the machine, the settings and the measured figures.
Wall times on a shared machine are noisy: run it when nothing else is busy, and read the
request and render counts as the stable part.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govcrawl.checks.hacked.analysis import analyze, host_in_site, parse_html  # noqa: E402
from govcrawl.checks.hacked.judge import TextJudge  # noqa: E402
from govcrawl.checks.hacked.rules import HackedRules  # noqa: E402
from govcrawl.checks.hacked.signals import HostJudge, load_signals  # noqa: E402
from govcrawl.demo import DemoServer, build_world  # noqa: E402

AS_OF = date(2024, 6, 20)
MODES = {
    "off": {"GOVCRAWL_HACKED": "False"},
    "static": {"GOVCRAWL_HACKED_SAMPLE": "0", "GOVCRAWL_HACKED_OUTSIDE_PAGES": "0",
               "GOVCRAWL_HACKED_SUSPECT_RENDER": "0"},
    "default": {},
    "norender": {"GOVCRAWL_HACKED_RENDER": "False"},
    "all": {"GOVCRAWL_HACKED_CLOAK_ALL_PAGES": "True"},
}


def machine() -> str:
    from govcrawl.dist.bench import cpu_model

    cpu = cpu_model()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{platform.node()} · {os.cpu_count()} cores · {cpu} · Python {platform.python_version()} · load {load:.1f} at start"


def static_cost(world, server) -> dict:
    pages = []
    for s in world.sites:
        if s.unreachable:
            continue
        for url in sorted(world.manifest["sites"][s.id]["pages"])[:400]:
            try:
                body = urllib.request.urlopen(url, timeout=10).read()
            except Exception:
                continue
            pages.append((url, body.decode("utf-8", "replace")))
    rules = HackedRules(TextJudge(), HostJudge(load_signals()))
    rules.judge.spam("预热", date=AS_OF)  # load the checker outside the timing
    t0 = time.perf_counter()
    for url, html in pages:
        parse_html(html)
    parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    for url, html in pages:
        a = analyze(html, url, host_in_site(url))
        rules.page("x", url, AS_OF.isoformat(), a)
    full = time.perf_counter() - t0
    chars = sum(len(h) for _, h in pages)
    return {"pages": len(pages), "chars": chars, "parse_ms_per_page": 1000 * parse / max(1, len(pages)),
            "check_ms_per_page": 1000 * full / max(1, len(pages)), "ratio": full / max(parse, 1e-9)}


def sweep(world, mode: str, extra: dict, workdir: Path) -> dict:
    registry = world.write_registry(workdir / f"registry-{mode}.yaml")
    store = workdir / f"store-{mode}.sqlite"
    log = workdir / f"sweep-{mode}.log"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={registry}",
           "-a", f"store={store}", "-a", f"as_of={AS_OF.isoformat()}",
           "-s", "GOVCRAWL_LINKCHECK_SKIP_HOSTS=bszs.conac.cn,beian.miit.gov.cn,www.beian.gov.cn,zfwzgl.www.gov.cn",
           "-s", f"LOG_FILE={log}", "-s", "LOG_LEVEL=INFO"]
    for k, v in extra.items():
        cmd += ["-s", f"{k}={v}"]
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govcrawl.settings")
    server_before = sum(st.get("total", 0) for st in [v for k, v in _stats(world).items()])
    t0 = time.monotonic()
    rc = subprocess.call(cmd, env=env, cwd=ROOT)
    wall = time.monotonic() - t0
    text = log.read_text(encoding="utf-8", errors="replace")
    stats = {}
    m = re.search(r"hacked-page checks: (\{.*\})", text)
    if m:
        stats = eval(m.group(1), {"__builtins__": {}})  # the pipeline logs a plain dict literal
    req = re.search(r"'downloader/request_count': (\d+)", text)
    served = sum(st.get("total", 0) for st in _stats(world).values()) - server_before
    return {"mode": mode, "rc": rc, "wall_s": wall, "requests": int(req.group(1)) if req else None,
            "served": served, "renders": stats.get("renders", 0), "fetches": stats.get("fetches", 0),
            "sampled": stats.get("sampled_pages", 0), "pages": stats.get("pages", 0),
            "findings": {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("finding/")}}


_SERVER = None


def _stats(world) -> dict:
    return _SERVER.stats() if _SERVER is not None else {}


def main() -> int:
    global _SERVER
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="demo", choices=["demo", "e2e"])
    ap.add_argument("--modes", default="off,static,default,all")
    ap.add_argument("--out", default=str(ROOT / "docs" / "hacked-bench.md"))
    args = ap.parse_args()
    header = machine()
    world = build_world(as_of=AS_OF, scale=args.scale, seed=1)
    with DemoServer(world, latency=0.0) as server:
        _SERVER = server
        st = static_cost(world, server)
        print(json.dumps(st), flush=True)
        rows = []
        with tempfile.TemporaryDirectory() as tmp:
            for mode in args.modes.split(","):
                server.reset_stats()
                r = sweep(world, mode, MODES[mode], Path(tmp))
                print(json.dumps(r, ensure_ascii=False), flush=True)
                rows.append(r)
    base = next((r for r in rows if r["mode"] == "off"), None)
    lines = [
        "# Hacked-page checks: measured cost",
        "",
        f"Generated by `benchmarks/bench_hacked.py --scale {args.scale}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"Machine: {header}.",
        f"Demo world: scale `{args.scale}`, seed 1, as_of {AS_OF}; {world.page_count()} pages over "
        f"{len(world.sites)} sites, served on loopback with no added latency.",
        "",
        "## Static reading per page",
        "",
        f"{st['pages']} pages ({st['chars'] / max(1, st['pages']):.0f} characters each on average): "
        f"bare lxml parse {st['parse_ms_per_page']:.2f} ms/page; hidden-element detection + script "
        f"decoding + judging {st['check_ms_per_page']:.2f} ms/page — **{st['ratio']:.1f}× a bare parse**.",
        "",
        "## Whole sweeps",
        "",
        "| mode | settings | wall s | vs off | requests (Scrapy) | served by the demo | re-fetches | renders | sampled pages | findings (hacked pipeline) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rel = f"{r['wall_s'] / base['wall_s']:.2f}×" if base and base["wall_s"] else "—"
        settings = ", ".join(f"{k}={v}" for k, v in MODES[r["mode"]].items()) or "defaults"
        found = ", ".join(f"{k} {v}" for k, v in sorted(r["findings"].items())) or "—"
        lines.append(f"| {r['mode']} | {settings} | {r['wall_s']:.0f} | {rel} | {r['requests']} | {r['served']} | "
                     f"{r['fetches']} | {r['renders']} | {r['sampled']} | {found} |")
    lines += ["", "Wall times include Chromium start-up where renders happen; the machine is shared, so "
              "compare request and render counts first."]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
