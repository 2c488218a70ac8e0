"""The real-page benchmark: what GovCrawl concludes from saved real government pages.

The pages are public saved copies in GitHub repositories (listed, with their commit, in
`benchmarks/real_judgments.yaml`); nothing of them is in this repository.  The script finds
each page in the local mirror the `fetch` tool makes (`/work/.mirror/<owner>+<name>/repo`,
or `$GOVCRAWL_REAL_MIRRORS`), skips what it cannot find, serves the pages on loopback (each
page with its saved assets, under a small stub homepage so an item page is an item page),
sweeps them with the real `scrapy crawl sweep`, and scores the result against the hand
judgments kept in the YAML file:

- per page: the right headline, publication date and column (as a reader of the page sees
  them);
- every page-level finding on the real page: judged true or false, with a reason; a finding
  nobody judged yet is listed as UNJUDGED (the file is incomplete, fix it);
- vetoes: every veto on a real page must be judged true;
- wording findings (content.*) are counted on their own for the wording checks' target
  (≤ 5 % false).

Site-level rules (column.*, site.*, interaction.*, link.broken) are not scored: each page
is served alone, under a stub homepage, so those say more about the stub than the site.
Outside links are not checked (no internet here) and the browser is off.

The split between dev and test was made by host before the pages were read (a hash of the
host: first hex digit of its SHA-1 < 8 is dev); tune on dev, report test once.

    .venv/bin/python benchmarks/bench_real.py [--split dev|test|all] [--out DIR] [--dump]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
JUDGMENTS = ROOT / "benchmarks" / "real_judgments.yaml"
MIRRORS = [Path(p) for p in os.environ.get("GOVCRAWL_REAL_MIRRORS", "/work/.mirror").split(os.pathsep)]
PAGE_RULES = ("content.", "tag.", "identity.", "link.unsafe")  # what one served page can show
STUB = ("<html><head><meta charset='utf-8'><title>stub</title></head><body>"
        "<a href='{href}'>item</a></body></html>")


def mirror_of(repo: str) -> Path | None:
    for base in MIRRORS:
        d = base / repo.replace("/", "+") / "repo"
        if (d / "HEAD").exists() or (d / ".git").exists():
            return d
    return None


class Tree:
    """Files of one commit of a mirrored repository (read with git, cached)."""

    def __init__(self, gitdir: Path, commit: str) -> None:
        self.gitdir, self.commit = gitdir, commit
        self._cache: dict[str, bytes | None] = {}

    def get(self, path: str) -> bytes | None:
        if path not in self._cache:
            r = subprocess.run(["git", "-C", str(self.gitdir), "cat-file", "blob", f"{self.commit}:{path}"],
                               capture_output=True)
            self._cache[path] = r.stdout if r.returncode == 0 else None
        return self._cache[path]


def load() -> dict[str, Any]:
    return yaml.safe_load(JUDGMENTS.read_text(encoding="utf-8"))


def serve(page: dict[str, Any]) -> ThreadingHTTPServer:
    """One loopback server per page, so the page's root-relative links stay on its site:
    `/` is a stub homepage linking to the page, `/p/<path>` the page and its saved assets
    (relative links), `/<path>` the same tree (root-relative links)."""
    tree = Tree(page["_gitdir"], page["commit"])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
            ctype = "text/html"
            if path in ("", "index.html"):
                body: bytes | None = STUB.format(href="p/" + page["path"]).encode()
                ctype = "text/html; charset=utf-8"
            else:
                sub = path[2:] if path.startswith("p/") else path
                body = tree.get(sub)
                ext = sub.rsplit(".", 1)[-1].lower() if "." in sub else "html"
                ctype = {"css": "text/css", "js": "application/javascript", "png": "image/png",
                         "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif"}.get(ext, "text/html")
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)  # no charset: the page says (as many servers)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


_META = re.compile(rb"<meta\b[^>]*>", re.I)
_ATTR = re.compile(rb"""\b(name|content)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def site_code(p: dict[str, Any], n: int) -> str:
    """The page's own SiteIDCode when it carries one (the registry would hold it), else a
    made-up code: a mismatch would be the benchmark's, not the page's.  The tag's
    attributes come in either order (content= before name= on some templates)."""
    body = Tree(p["_gitdir"], p["commit"]).get(p["path"]) or b""
    for tag in _META.finditer(body):
        attrs = {m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or b"").strip()
                 for m in _ATTR.finditer(tag.group(0))}
        if attrs.get(b"name", b"").lower() == b"siteidcode":
            code = attrs.get(b"content", b"").decode("ascii", "replace")
            if re.fullmatch(r"\d{10}|bm\d{8}", code):
                return code
    return f"99{n:08d}"


def sweep(pages: list[dict[str, Any]], as_of: str, out: Path) -> Path:
    """Sweep every page into one store.  Pages whose sites share a SiteIDCode (two sites of
    one 集约化 platform) go to separate sweeps: a registry holds each id once, and a
    made-up id would make the page's own (right) code look wrong."""
    rounds: list[list[tuple[dict[str, Any], str]]] = []
    for n, p in enumerate(pages, start=1):
        code = site_code(p, n)
        for batch in rounds:
            if all(code != c for _, c in batch):
                batch.append((p, code))
                break
        else:
            rounds.append([(p, code)])
    store = out / "store.sqlite"
    if store.exists():
        store.unlink()
    for k, batch in enumerate(rounds):
        _sweep_round(batch, as_of, out / f"registry-{k}.yaml", store)
    return store


def _sweep_round(batch: list[tuple[dict[str, Any], str]], as_of: str, reg: Path, store: Path) -> None:
    servers = []
    sites = []
    for p, code in batch:
        srv = serve(p)
        servers.append(srv)
        base = f"http://127.0.0.1:{srv.server_address[1]}"
        sites.append({"id": code, "name": p.get("site") or p["host"], "url": f"{base}/",
                      "org": p.get("site") or p["host"], "kind": "department"})
        p["_site_id"], p["_base"], p["_url"] = code, base, f"{base}/p/{p['path']}"
    reg.write_text(yaml.safe_dump({"sites": sites}, allow_unicode=True), encoding="utf-8")
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sweep", "-a", f"registry={reg}", "-a", f"store={store}",
           "-a", f"as_of={as_of}", "-s", "LOG_LEVEL=WARNING", "-s", "GOVCRAWL_BROWSER=False",
           "-s", "GOVCRAWL_LINK_CHECK=False", "-s", "DEPTH_LIMIT=1",
           "-s", "GOVCRAWL_ALLOW_ADDRESSES=127.0.0.0/8"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "govcrawl.settings", "GOVCRAWL_ALLOW_ADDRESSES": "127.0.0.0/8"}
    try:
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600, env=env)
    finally:
        for srv in servers:
            srv.shutdown()
    if r.returncode != 0:
        raise SystemExit(f"sweep failed:\n{r.stderr[-3000:]}")
    with sqlite3.connect(store) as c:
        iid = c.execute("SELECT MAX(id) FROM inspections").fetchone()[0]
    for p, _ in batch:
        p["_iid"] = iid  # the inspection that swept this page


def _same(a: str | None, b: str | None) -> bool:
    norm = lambda s: "".join((s or "").split()).strip("“”\"")  # noqa: E731
    return norm(a) == norm(b)


def short_target(target: str | None, base: str) -> str | None:
    """A target on the page's own loopback server, written without the (changing) port."""
    if not target:
        return None
    return target.replace(base + "/p/", "/").replace(base + "/", "/")


def finding_key(f: dict[str, Any]) -> dict[str, Any]:
    return {"rule": f["rule"], "where": f.get("where"), "text": f.get("text"), "target": f.get("target")}


def matches(j: dict[str, Any], f: dict[str, Any], base: str) -> bool:
    if j["rule"] != f["rule"]:
        return False
    for k in ("where", "text"):
        if j.get(k) is not None and j[k] != f.get(k):
            return False
    if j.get("target") is not None:
        tgt = short_target(f.get("target"), base)
        if j["target"] != tgt:
            return False
    return True


def score(pages: list[dict[str, Any]], store: Path, dump: bool) -> dict[str, Any]:
    c = sqlite3.connect(store)
    c.row_factory = sqlite3.Row
    res: dict[str, Any] = {"pages": 0, "hosts": set(), "title": 0, "date": 0, "column": 0, "wrong": [],
                           "findings": Counter(), "vetoes": Counter(), "wording": Counter(),
                           "unjudged": [], "judged": []}
    for p in pages:
        iid = p["_iid"]
        row = c.execute("SELECT * FROM pages WHERE inspection_id=? AND url=?", (iid, p["_url"])).fetchone()
        if row is None:
            res["wrong"].append((p["slug"], "page", "not fetched", None))
            continue
        res["pages"] += 1
        res["hosts"].add(p["host"])
        extra = json.loads(row["extra_json"] or "{}")
        got = {"title": row["title"], "date": (row["pub_date"] or "")[:10] or None, "column": row["column_name"]}
        truth = p["truth"]
        for k in ("title", "date", "column"):
            ok = _same(got[k], truth.get(k)) if k != "date" else got[k] == (truth.get(k) or None)
            if ok:
                res[k] += 1
            else:
                res["wrong"].append((p["slug"], k, got[k], truth.get(k)))
        fs = [dict(r) for r in c.execute("SELECT * FROM findings WHERE inspection_id=? AND url=?",
                                         (iid, p["_url"]))]
        for f in fs:
            if not f["rule"].startswith(PAGE_RULES):
                continue
            judged = [j for j in p.get("findings") or [] if matches(j, f, p["_base"])]
            verdict = judged[0]["verdict"] if judged else None
            label = "true" if verdict is True else "false" if verdict is False else "unjudged"
            res["findings"][label] += 1
            if f["severity"] == "veto":
                res["vetoes"][label] += 1
            if f["rule"].startswith("content."):
                res["wording"][label] += 1
            entry = {"page": p["slug"], "split": p["split"], "rule": f["rule"], "severity": f["severity"],
                     "where": f["where"], "text": f["text"],
                     "target": short_target(f["target"], p["_base"]),
                     "verdict": label, "reason": judged[0].get("reason") if judged else None}
            (res["judged"] if judged else res["unjudged"]).append(entry)
        if dump:
            print(json.dumps({"page": p["slug"], "got": got, "extra": {k: extra.get(k) for k in (
                "pub_date_source", "pub_date_label", "title_source", "other_dates")}}, ensure_ascii=False))
    res["hosts"] = len(res["hosts"])
    return res


def report(name: str, r: dict[str, Any]) -> str:
    n = max(r["pages"], 1)
    f = r["findings"]
    total = sum(f.values())
    lines = [f"## {name}: {r['pages']} pages from {r['hosts']} hosts",
             f"title right {r['title']}/{r['pages']} ({r['title'] / n:.1%}), "
             f"date right {r['date']}/{r['pages']} ({r['date'] / n:.1%}), "
             f"column right {r['column']}/{r['pages']} ({r['column'] / n:.1%})",
             f"page-level findings {total}: true {f['true']}, false {f['false']}, unjudged {f['unjudged']}"
             + (f" ({f['false'] / total:.1%} false)" if total else ""),
             f"vetoes: true {r['vetoes']['true']}, false {r['vetoes']['false']}, unjudged {r['vetoes']['unjudged']}",
             f"wording findings (content.*): true {r['wording']['true']}, false {r['wording']['false']}, "
             f"unjudged {r['wording']['unjudged']}"]
    for w in r["wrong"]:
        lines.append(f"  wrong {w[1]} on {w[0]}: got {w[2]!r}, want {w[3]!r}")
    for u in r["unjudged"]:
        lines.append("  UNJUDGED " + json.dumps(u, ensure_ascii=False))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--out", default=None, help="work directory (default: a temporary one)")
    ap.add_argument("--dump", action="store_true", help="print what was read from each page")
    ap.add_argument("--json", default=None, help="write the judged findings (no page content) here")
    args = ap.parse_args(argv)
    data = load()
    pages = []
    for p in data["pages"]:
        if args.split != "all" and p["split"] != args.split:
            continue
        gitdir = mirror_of(p["repo"])
        if gitdir is None:
            print(f"skipped {p['slug']}: no mirror of {p['repo']}", file=sys.stderr)
            continue
        p["_gitdir"] = gitdir
        pages.append(p)
    if not pages:
        print("no page of the set found locally: nothing measured", file=sys.stderr)
        return 0
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench_real_"))
    out.mkdir(parents=True, exist_ok=True)
    store = sweep(pages, str(data.get("as_of") or date.today().isoformat()), out)
    for split in (("dev", "test") if args.split == "all" else (args.split,)):
        sel = [p for p in pages if p["split"] == split]
        if sel:
            r = score(sel, store, args.dump)
            print(report(split, r))
            if args.json:
                Path(args.json).with_suffix(f".{split}.json").write_text(
                    json.dumps(r["judged"] + r["unjudged"], ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
