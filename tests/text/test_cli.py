"""`govcrawl check-text` (contract §3), run as users run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(lines, *args, lexicons=None):
    env = dict(os.environ)
    if lexicons:
        env["GOVCRAWL_LEXICONS"] = str(lexicons)
    data = "".join(x + "\n" for x in lines).encode("utf-8")
    return subprocess.run([sys.executable, "-m", "govcrawl", "check-text", "--no-typo", *args],
                          input=data, capture_output=True, cwd=ROOT, env=env, timeout=300)


def test_check_text_jsonl():
    lines = [
        json.dumps({"id": "a", "text": "国务院副总理李强出席会议。"}, ensure_ascii=False),
        json.dumps({"id": "b", "text": "今天天气很好。"}, ensure_ascii=False),
        json.dumps({"id": "c", "text": "国务院总理李强出席会议。", "date": "2022-01-01"}, ensure_ascii=False),
        "not json",
        json.dumps({"id": "d", "text": "推荐澳★门★金★沙"}, ensure_ascii=False),
    ]
    p = run(lines, "--date", "2024-05-01")
    out = [json.loads(x) for x in p.stdout.decode().splitlines()]
    assert p.returncode == 1  # one bad line
    assert "stdin:4" in p.stderr.decode()
    ids = [o["id"] for o in out]
    assert ids == ["a", "c", "d"]  # b has no finding: no output line
    a = out[0]
    assert a["rule"] == "content.leader_title" and a["severity"] == "veto"
    assert a["text"] == "国务院副总理李强" and (a["start"], a["end"]) == (0, 8)
    for o in out:
        assert set(o) >= {"id", "rule", "severity", "text", "suggestion", "start", "end", "evidence"}
    assert out[2]["text"] == "澳★门★金★沙"


def test_bad_lexicon_is_one_line_error(tmp_path):
    (tmp_path / "illegal.txt").write_text("澳门金沙 赌钱 veto\n", encoding="utf-8")
    p = run(['{"id": 1, "text": "x"}'], lexicons=tmp_path)
    assert p.returncode == 2
    err = p.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "illegal.txt:1" in err[0]


def test_learn_word_counts_from_a_store(tmp_path):
    from govcrawl.cli import main
    from govcrawl.store import Store
    from govcrawl.text.learn import read_learned

    db = tmp_path / "s.db"
    st = Store(db)
    with st.conn:
        for i in range(5):
            st.conn.execute("INSERT INTO pages (inspection_id, site_id, url, text) VALUES (1, 'x', ?, ?)",
                            (f"http://127.0.0.1/{i}", "坚持精准施策，统筹推进疫情防控和经济社会发展。"))
    st.close()
    out = tmp_path / "learned.txt"
    assert main(["check-text", "--learn", str(out), "--store", str(db), "--min-count", "3"]) == 0
    learned = read_learned(out)
    assert learned.get("施策", 0) >= 5 or learned.get("精准", 0) >= 5
