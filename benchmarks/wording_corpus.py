"""Build the unseen-text corpus of the wording benchmark from mirrored public repositories.

    .venv/bin/python benchmarks/wording_corpus.py [--out /work/data/corpus] [--mirror /work/.mirror]

Reads git snapshots (bare repositories made by the search tool's `fetch`) and writes,
outside the repository (the corpus's sentences are never committed):

    OUT/dev.jsonl, OUT/test.jsonl              one sentence a line
    OUT/dev_paragraphs.jsonl, OUT/test_paragraphs.jsonl   one paragraph a line

with the fields `id`, `source`, `doc`, `date` (YYYY-MM-DD), `kind` (body / title) and
`text`.  The split rule is fixed in OUT/SPLIT-RULE.md (written before any sentence was
read) and implemented in `split_of()` below: by source and date, never by sentence.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

CCTV = "yuekcc+cctv_news"
REPORTS = "johncodes404+china-provincial-gov-reports-2026"

# GB/T 2260 two-digit codes of the provincial-level divisions (facts)
PROVINCE_CODE = {
    "北京": 11, "天津": 12, "河北": 13, "山西": 14, "内蒙古": 15, "辽宁": 21, "吉林": 22,
    "黑龙江": 23, "上海": 31, "江苏": 32, "浙江": 33, "安徽": 34, "福建": 35, "江西": 36,
    "山东": 37, "河南": 41, "湖北": 42, "湖南": 43, "广东": 44, "广西": 45, "海南": 46,
    "重庆": 50, "四川": 51, "贵州": 52, "云南": 53, "西藏": 54, "陕西": 61, "甘肃": 62,
    "青海": 63, "宁夏": 64, "新疆": 65,
}

_CJK = re.compile(r"[\u4e00-\u9fff]")
# a sentence ends after 。！？； (and any closing quotes/brackets right after them)
_SENT = re.compile(r"[^。！？；!?;]*(?:[。！？；!?;]+[”’」』）)]*|$)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML = re.compile(r"<[^>]+>")


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True,
                          capture_output=True).stdout


def split_of(source: str, key: str) -> str:
    """'dev', 'test' or 'gap' for a document (SPLIT-RULE.md)."""
    if source == "cctv":
        if key < "20240101":
            return "dev"
        if key < "20250101":
            return "gap"
        return "test"
    code = PROVINCE_CODE[key]
    return "dev" if code % 2 == 0 else "test"


def sentences(par: str) -> list[str]:
    out = []
    for m in _SENT.finditer(par):
        s = m.group(0).strip()
        if s and len(_CJK.findall(s)) >= 6:
            out.append(s)
    return out


def clean_line(line: str) -> str:
    line = _HTML.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    line = line.replace("**", "").replace("\u3000", " ").strip()
    return line


def cctv_docs(repo: Path):
    names = git(repo, "ls-tree", "--name-only", "HEAD", "news/").decode().split()
    for name in sorted(names):
        m = re.match(r"news/(\d{8})\.md$", name)
        if not m:
            continue
        day = m.group(1)
        text = git(repo, "show", f"HEAD:{name}").decode("utf-8", "replace")
        body = text.split("## 详细新闻", 1)[1] if "## 详细新闻" in text else ""
        date = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        story = 0
        pars: list[tuple[str, str]] = []
        for raw in body.splitlines():
            if raw.startswith("### "):
                story += 1
                title = raw[4:].strip()
                if title:
                    pars.append(("title", title))
                continue
            if raw.startswith("#") or raw.startswith("<!--"):
                continue
            line = clean_line(raw)
            if line and _CJK.search(line):
                pars.append(("body", line))
        yield "cctv", day, f"cctv-{day}", date, pars


def report_docs(repo: Path):
    raw_names = git(repo, "ls-tree", "-z", "--name-only", "HEAD", "output/2026_raw_text/").split(b"\0")
    csv.field_size_limit(10**8)
    for rn in raw_names:
        name = rn.decode("utf-8")
        m = re.search(r"2026_([^/_]+)_政府工作报告\.csv$", name)
        if not m:
            continue
        prov = m.group(1)
        key = next(k for k in PROVINCE_CODE if prov.startswith(k))
        data = git(repo, "show", f"HEAD:{name}").decode("utf-8-sig", "replace")
        for row in csv.DictReader(io.StringIO(data)):
            text = row.get("full_text") or ""
            pars = [("body", clean_line(p)) for p in re.split(r"[\r\n]+", text)]
            pars = [p for p in pars if p[1] and _CJK.search(p[1])]
            yield "report", key, f"report-2026-{PROVINCE_CODE[key]}", "2026-01-31", pars


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/work/data/corpus")
    ap.add_argument("--mirror", default="/work/.mirror")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    mirror = Path(a.mirror)
    files = {(sp, what): open(out / f"{sp}{what}.jsonl", "w", encoding="utf-8")
             for sp in ("dev", "test") for what in ("", "_paragraphs")}
    counts: dict[tuple, list[int]] = {}
    gens = []
    if (mirror / CCTV / "repo").exists():
        gens.append(cctv_docs(mirror / CCTV / "repo"))
    if (mirror / REPORTS / "repo").exists():
        gens.append(report_docs(mirror / REPORTS / "repo"))
    if not gens:
        print("no mirrored source found under", mirror, file=sys.stderr)
        return 1
    for gen in gens:
        for source, key, doc, date, pars in gen:
            sp = split_of(source, key)
            if sp == "gap":
                continue
            c = counts.setdefault((sp, source), [0, 0, 0, 0])
            c[0] += 1
            for pi, (kind, par) in enumerate(pars):
                pid = f"{doc}-p{pi}"
                files[(sp, "_paragraphs")].write(json.dumps(
                    {"id": pid, "source": source, "doc": doc, "date": date, "kind": kind, "text": par},
                    ensure_ascii=False) + "\n")
                c[1] += 1
                for si, s in enumerate(sentences(par) if kind == "body" else [par]):
                    files[(sp, "")].write(json.dumps(
                        {"id": f"{pid}-s{si}", "source": source, "doc": doc, "date": date, "kind": kind,
                         "text": s}, ensure_ascii=False) + "\n")
                    c[2] += 1
                    c[3] += len(s)
    for f in files.values():
        f.close()
    for (sp, source), (docs, pars, sents, chars) in sorted(counts.items()):
        print(f"{sp:5} {source:7} documents {docs:5}  paragraphs {pars:7}  sentences {sents:7}  chars {chars:9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
