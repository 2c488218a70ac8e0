"""`govcrawl report`, `review`, `sample`, `history` through the console entry point."""

from __future__ import annotations

import json

import yaml
from .report_history import ID, typo
from .test_sampling import make_sites

from govcrawl.cli import main
from govcrawl.store import Store


def test_report_command_writes_files(history_store, tmp_path, capsys):
    path, _ = history_store
    out = tmp_path / "bulletin"
    rc = main(["report", "--store", str(path), "--out", str(out), "--period", "2024Q3",
               "--issuer", "某市人民政府办公室", "--date", "2024-09-27"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert f"bulletin: {out / 'bulletin-2024Q3.html'}" in printed
    for ext in ("html", "xlsx", "docx", "json"):
        assert (out / f"bulletin-2024Q3.{ext}").stat().st_size > 0
    assert len(list((out / "rectification").glob("*.docx"))) == 7


def test_report_command_errors_are_one_line(tmp_path, capsys, history_store):
    path, ids = history_store
    assert main(["report", "--store", str(tmp_path / "none.sqlite"), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "store not found" in err[0]
    assert main(["report", "--store", str(path), "--out", str(tmp_path), "--period", "1999Q1"]) == 2
    assert "no inspection for period 1999Q1 (periods in the store: 2024Q1, 2024Q2, 2024Q3)" in capsys.readouterr().err
    assert main(["report", "--store", str(path), "--out", str(tmp_path), "--inspection", "99"]) == 2
    assert "no inspection 99" in capsys.readouterr().err


def test_review_false_alarm_recomputes_the_verdict(history_store, tmp_path, capsys):
    path, ids = history_store
    key = typo(ID["c1"], 33).key
    rc = main(["review", "--store", str(path), "--finding", key[:12], "--state", "false_alarm",
               "--note", "专有名词"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["key"] == key and out["inspection"] == ids["q3"]
    assert out["verdict"]["result"] == "合格" and out["verdict"]["problems"] == []
    store = Store(path, readonly=True)
    row = store.conn.execute("SELECT problems_json FROM verdicts WHERE inspection_id=? AND"
                             " site_id=?", (ids["q3"], ID["c1"])).fetchone()
    assert json.loads(row[0]) == []
    main(["report", "--store", str(path), "--out", str(tmp_path / "o")])
    capsys.readouterr()
    data = json.loads((tmp_path / "o" / "bulletin-2024Q3.json").read_text(encoding="utf-8"))
    assert data["sites"]["false_alarms"] == 2
    assert all(it["subject_id"] != ID["c1"] for it in data["sites"]["open_items"])
    assert main(["review", "--store", str(path), "--finding", "nothere00", "--state",
                 "confirmed"]) == 2


def test_sample_command(tmp_path, capsys):
    reg = tmp_path / "sites.yaml"
    reg.write_text(yaml.safe_dump({"sites": [
        {"id": s.id, "name": s.name, "url": s.url, "region": s.region, "kind": s.kind}
        for s in make_sites()]}, allow_unicode=True), encoding="utf-8")
    assert main(["sample", "--registry", str(reg), "--n", "12", "--seed", "7",
                 "--format", "ids"]) == 0
    first = capsys.readouterr()
    ids = first.out.strip().split(",")
    assert len(ids) == 12 and "sampled 12 of 30 sites (seed 7)" in first.err
    assert main(["sample", "--registry", str(reg), "--n", "12", "--seed", "7",
                 "--format", "ids"]) == 0
    assert capsys.readouterr().out.strip().split(",") == ids
    assert main(["sample", "--registry", str(reg), "--ratio", "1.5"]) == 2
    assert "ratio" in capsys.readouterr().err


def test_history_command(history_store, capsys):
    path, ids = history_store
    assert main(["history", "--store", str(path)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(x["period"], x["checked"], x["failed"], x["rate"]) for x in lines] == [
        ("2024Q1", 6, 2, 66.67), ("2024Q2", 6, 1, 83.33), ("2024Q3", 5, 3, 40.0)]
    assert main(["history", "--store", str(path), "--update", str(ids["q3"])]) == 0
    assert json.loads(capsys.readouterr().out)["lifecycle"]["reopened"] == 1
