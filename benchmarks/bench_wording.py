"""The wording benchmark on unseen real text, through the real `govcrawl check-text`.

    .venv/bin/python benchmarks/bench_wording.py [--split dev|test] [--sentences 60000]
        [--inject 300] [--speed-chars 3000000] [--top 30] [--write] [--corpus /work/data/corpus]

Measures (issue 21, "How we will know"), each through the command of contract §3 (JSON
Lines in, findings out), one process per run:

* false alarms: clean sentences of the split with any finding, per 1,000, by rule, by
  source and kind; the most frequent false alarms (text → suggestion, rule, count);
* recall per category *with the right rule* on errors put into other sentences of the
  split by `benchmarks/wording_inject.py` (a finding of the expected rule overlapping
  the error's span), and how often the suggestion is the right form;
* speed: characters per CPU-second of check-text on the split's clean paragraphs, after
  start-up (the start-up's CPU time, measured on an empty input, is subtracted);
  start-up (CPU and wall) and the peak RSS of the process.

The corpus (/work/data/corpus, built by benchmarks/wording_corpus.py) is outside the
repository; without it the benchmark says so and exits 0.  Tune on dev; the test split is
run once at the end of a round (`--split test --write`) and never used to choose a setting.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

DOC = ROOT / "docs" / "text-checks.md"
SEED = 21
EXTRA: list[str] = []  # check-text options of every run (--lexicons)


def load(corpus: Path, split: str, what: str = "") -> list[dict]:
    p = corpus / f"{split}{what}.jsonl"
    with open(p, encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh if line.strip()]
    random.Random(SEED).shuffle(recs)
    return recs


def run_check_text(records: list[dict], extra: list[str] | None = None) -> dict:
    """Run `govcrawl check-text` on records; findings by id, CPU seconds, wall, peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "in.jsonl"
        out = Path(tmp) / "out.jsonl"
        with open(inp, "w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps({"id": r["id"], "text": r["text"], "date": r.get("date")},
                                    ensure_ascii=False) + "\n")
        cmd = [sys.executable, "-m", "govcrawl", "check-text", *EXTRA, *(extra or [])]
        t0 = time.perf_counter()
        with open(inp, "rb") as fi, open(out, "wb") as fo:
            proc = subprocess.Popen(cmd, stdin=fi, stdout=fo, stderr=subprocess.PIPE, cwd=ROOT)
            _, status, ru = os.wait4(proc.pid, 0)
            err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
            proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"check-text exited {proc.returncode}: {err[-2000:]}")
        found: dict[str, list[dict]] = collections.defaultdict(list)
        with open(out, encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                found[d["id"]].append(d)
    return {"found": found, "cpu": ru.ru_utime + ru.ru_stime, "wall": wall,
            "rss_mb": ru.ru_maxrss / 1024}


def false_alarms(sents: list[dict]) -> dict:
    r = run_check_text(sents)
    found = r["found"]
    by_rule: collections.Counter = collections.Counter()
    by_group: dict[tuple, list[int]] = collections.defaultdict(lambda: [0, 0])
    top: collections.Counter = collections.Counter()
    examples: dict[tuple, str] = {}
    for s in sents:
        g = by_group[(s["source"], s["kind"])]
        g[0] += 1
        hits = found.get(s["id"], [])
        if hits:
            g[1] += 1
        for h in hits:
            by_rule[h["rule"]] += 1
            key = (h["rule"], h["text"], h["suggestion"])
            top[key] += 1
            examples.setdefault(key, h["evidence"].get("context", ""))
    flagged = sum(1 for s in sents if found.get(s["id"]))
    return {"n": len(sents), "flagged": flagged, "by_rule": by_rule, "by_group": dict(by_group),
            "top": top, "examples": examples, "cpu": r["cpu"]}


def injected(pool: list[dict], per_cat: int) -> dict:
    import wording_inject as wi

    rng = random.Random(SEED + 1)
    cases: list[dict] = []
    made: dict[str, int] = {}
    for cat in wi.CATEGORIES:
        made[cat] = 0
        tries = 0
        for s in pool:
            if made[cat] >= per_cat or tries > per_cat * 50:
                break
            tries += 1
            if s["kind"] != "body":
                continue
            inj = wi.inject(s["text"], cat, rng, s["date"])
            if inj is None:
                continue
            made[cat] += 1
            cases.append(dict(inj, id=f"inj-{cat}-{made[cat]}", date=s["date"], source_id=s["id"]))
    res: dict[str, dict] = {c: {"n": 0, "right_rule": 0, "any_rule": 0, "suggestion": 0,
                                 "missed": [], "wrong_rule": collections.Counter()} for c in wi.CATEGORIES}
    if not cases:
        return res
    found = run_check_text(cases)["found"]
    for c in cases:
        r = res[c["category"]]
        r["n"] += 1
        over = [h for h in found.get(c["id"], []) if h["start"] < c["end"] and c["start"] < h["end"]]
        right = [h for h in over if h["rule"] == c["rule"]]
        if over:
            r["any_rule"] += 1
        if right:
            r["right_rule"] += 1
            if any(_suggests(c, h) for h in right):
                r["suggestion"] += 1
        else:
            if over:
                r["wrong_rule"][over[0]["rule"]] += 1
            r["missed"].append(c["text"][max(0, c["start"] - 8):c["end"] + 8])
    return res


def _suggests(case: dict, h: dict) -> bool:
    """Does applying the finding's suggestion give the right form over the error's span?"""
    sug = h.get("suggestion") or ""
    t = case["text"]
    if len(sug) != h["end"] - h["start"]:
        return bool(case.get("suggestion")) and case["suggestion"] in sug
    fixed = t[:h["start"]] + sug + t[h["end"]:]
    want = t[:case["start"]] + (case.get("suggestion") or "") + t[case["end"]:]
    return fixed == want or fixed[case["start"]:case["end"]] == want[case["start"]:case["end"]]


def speed(pars: list[dict], target_chars: int, runs: int) -> dict:
    recs, n = [], 0
    for p in pars:
        if n >= target_chars:
            break
        recs.append(p)
        n += len(p["text"])
    start = [run_check_text([]) for _ in range(2)]
    st_cpu = min(s["cpu"] for s in start)
    st_wall = min(s["wall"] for s in start)
    out = []
    for _ in range(runs):
        r = run_check_text(recs)
        out.append({"cps": n / max(1e-9, r["cpu"] - st_cpu), "cpu": r["cpu"], "wall": r["wall"],
                    "rss_mb": r["rss_mb"]})
    return {"chars": n, "records": len(recs), "startup_cpu": st_cpu, "startup_wall": st_wall,
            "startup_rss": max(s["rss_mb"] for s in start), "runs": out}


def report(split: str, fa: dict | None, inj: dict | None, sp: dict | None, top_n: int) -> str:
    lines = [f"Measured {dt.date.today().isoformat()} on {platform.processor() or platform.machine()}, "
             f"{os.cpu_count()} cores (shared), Python {platform.python_version()}; corpus split "
             f"**{split}** (/work/data/corpus, see docs/text-checks.md \"Unseen text\"); every figure "
             f"through `govcrawl check-text` (one process per run).", ""]
    if fa:
        lines += ["| clean sentences (" + split + ") | sentences | with any finding | per 1,000 |",
                  "|---|---|---|---|"]
        for (src, kind), (n, f) in sorted(fa["by_group"].items()):
            lines.append(f"| {src} / {kind} | {n:,} | {f} | {1000 * f / max(1, n):.2f} |")
        lines.append(f"| **all** | {fa['n']:,} | {fa['flagged']} | **{1000 * fa['flagged'] / max(1, fa['n']):.2f}** |")
        lines += ["", "Findings by rule on the clean sentences: " + ", ".join(
            f"`{k}` {v}" for k, v in fa["by_rule"].most_common()) + ".", ""]
        if top_n:
            lines += [f"The {top_n} most frequent false alarms ({split}):", "",
                      "| # | rule | text → suggestion | count | context |", "|---|---|---|---|---|"]
            for i, ((rule, text, sug), c) in enumerate(fa["top"].most_common(top_n), 1):
                ctx = fa["examples"][(rule, text, sug)].replace("|", "\\|")
                lines.append(f"| {i} | {rule} | {text} → {sug} | {c} | {ctx} |")
            lines.append("")
    if inj:
        lines += ["| injected category (" + split + ") | cases | right rule | recall | any rule | right suggestion |",
                  "|---|---|---|---|---|---|"]
        for cat, r in inj.items():
            if not r["n"]:
                lines.append(f"| {cat} | 0 | – | – (no generator yet) | – | – |")
                continue
            lines.append(f"| {cat} | {r['n']} | {r['right_rule']} | **{r['right_rule'] / r['n']:.3f}** | "
                         f"{r['any_rule'] / r['n']:.3f} | {r['suggestion'] / r['n']:.3f} |")
        lines.append("")
    if sp:
        best = max(sp["runs"], key=lambda x: x["cps"])
        lines += [f"Speed: `govcrawl check-text` over {sp['chars']:,} characters of clean {split} paragraphs "
                  f"({sp['records']:,} JSON Lines records): **{best['cps']:,.0f} characters per CPU-second** after "
                  f"start-up (best of {len(sp['runs'])}: " + ", ".join(f"{x['cps']:,.0f}" for x in sp["runs"]) +
                  f"); start-up {sp['startup_cpu']:.1f} CPU-s, {sp['startup_wall']:.1f} s wall (empty input), "
                  f"peak RSS {best['rss_mb']:.0f} MB (start-up alone {sp['startup_rss']:.0f} MB).", ""]
    return "\n".join(lines)


def write_doc(split: str, block: str) -> None:
    begin, end = f"<!-- wording-bench:{split}:begin -->", f"<!-- wording-bench:{split}:end -->"
    doc = DOC.read_text("utf-8")
    if begin in doc and end in doc:
        head, rest = doc.split(begin, 1)
        doc = head + begin + "\n" + block + "\n" + end + rest.split(end, 1)[1]
    else:
        doc = doc.rstrip("\n") + f"\n\n{begin}\n{block}\n{end}\n"
    DOC.write_text(doc, "utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev", choices=("dev", "test"))
    ap.add_argument("--corpus", default=os.environ.get("GOVCRAWL_WORDING_CORPUS", "/work/data/corpus"))
    ap.add_argument("--sentences", type=int, default=60000, help="clean sentences (0: skip)")
    ap.add_argument("--inject", type=int, default=300, help="injected errors per category (0: skip)")
    ap.add_argument("--speed-chars", type=int, default=3_000_000, help="characters for the speed runs (0: skip)")
    ap.add_argument("--speed-runs", type=int, default=2)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--lexicons", help="a lexicon directory for check-text (default: the repo's)")
    ap.add_argument("--min-date", default="", help="only sentences dated this day or later")
    ap.add_argument("--max-date", default="", help="only sentences dated before this day")
    ap.add_argument("--json", help="also write the raw figures here")
    ap.add_argument("--write", action="store_true", help="write the block into docs/text-checks.md")
    a = ap.parse_args()
    corpus = Path(a.corpus)
    if not (corpus / f"{a.split}.jsonl").is_file():
        print(f"no corpus at {corpus} (build it with benchmarks/wording_corpus.py): nothing measured")
        return 0
    global EXTRA
    if a.lexicons:
        EXTRA = ["--lexicons", a.lexicons]
    sents = [s for s in load(corpus, a.split) if s["date"] >= a.min_date and (not a.max_date or s["date"] < a.max_date)]
    clean, pool = sents[:a.sentences], sents[a.sentences:] or sents
    fa = false_alarms(clean) if a.sentences else None
    if fa:
        print(f"false alarms: {fa['flagged']}/{fa['n']} = {1000 * fa['flagged'] / fa['n']:.2f} per 1,000", flush=True)
    inj = injected(pool, a.inject) if a.inject else None
    sp = speed(load(corpus, a.split, "_paragraphs"), a.speed_chars, a.speed_runs) if a.speed_chars else None
    block = report(a.split, fa, inj, sp, a.top if a.split == "dev" else 0)
    print(block)
    if inj:
        for cat, r in inj.items():
            for m in r["missed"][:8]:
                print(f"  missed {cat}: {m}  {dict(r['wrong_rule'])}")
    if a.json:
        Path(a.json).write_text(json.dumps({
            "fa": fa and {k: v for k, v in fa.items() if k not in ("top", "examples", "by_group")},
            "top": fa and [[*k, c] for k, c in fa["top"].most_common(200)],
            "inj": inj and {c: {k: v for k, v in r.items() if k != "wrong_rule"} for c, r in inj.items()},
            "speed": sp}, ensure_ascii=False, indent=1, default=str), "utf-8")
    if a.write:
        write_doc(a.split, block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
