"""The inspection checks over a real sweep of the generated demo world (loopback only).

Every planted problem of this issue's rules must be found, and the clean controls must
stay clean.  One sweep per module (it takes tens of seconds).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.demo_sweep import findings_of_last_inspection, sweep_demo

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
MINE = ("site.", "column.", "link.broken", "tag.", "identity.", "interaction.", "content.fake_date")


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    manifest, store = sweep_demo(
        tmp_path_factory.mktemp("e2e-checks"),
        'ITEM_PIPELINES={"govcrawl.pipelines.pagechecks.PageChecksPipeline": 300,'
        ' "govcrawl.pipelines.sitechecks.SiteChecksPipeline": 500,'
        ' "govcrawl.pipelines.store.StorePipeline": 800}')
    c, iid, findings = findings_of_last_inspection(store)
    verdicts = {x["site_id"]: dict(x) for x in c.execute("SELECT * FROM verdicts WHERE inspection_id=?", (iid,))}
    return manifest, [f for f in findings if f["rule"].startswith(MINE)], verdicts, store


def _matches(p, f):
    if p["rule"] != f["rule"] or p["site_id"] != f["site_id"]:
        return False
    if p.get("column") and p["column"] != f["column_name"]:
        return False
    if p.get("target") and p["target"] != f["target"]:
        return False
    if p.get("url") and p["rule"] != "link.broken" and p["url"].rstrip("/") != (f["url"] or "").rstrip("/"):
        return False
    return True


def test_every_planted_problem_found(swept):
    manifest, findings, _, _ = swept
    planted = [p for p in manifest["planted"] if p["rule"].startswith(MINE)]
    assert planted, "the demo world plants nothing for these rules"
    missed = [p for p in planted if not any(_matches(p, f) for f in findings)]
    assert missed == []


def test_nothing_beyond_the_planted_problems(swept):
    manifest, findings, _, _ = swept
    expected = [p for p in manifest["planted"] + manifest.get("tolerated", []) if p["rule"].startswith(MINE)]
    extra = [f for f in findings if f["severity"] != "notice" and not any(_matches(p, f) for p in expected)]
    assert [(f["rule"], f["site_id"], f["column_name"], f["target"], f["url"]) for f in extra] == []


def test_clean_controls(swept):
    manifest, findings, verdicts, _ = swept
    for c in manifest["controls"]:
        rules = c.get("rules") or []
        for f in findings:
            if f["site_id"] != c["site_id"]:
                continue
            if "*" in rules:
                pytest.fail(f"clean site {c['site_id']} has {f['rule']} at {f['url']}")
            if f["rule"] in rules and c.get("url") and f["url"].rstrip("/") == c["url"].rstrip("/"):
                pytest.fail(f"control {c['kind']} flagged: {f['rule']} at {f['url']}")
    clean = [c["site_id"] for c in manifest["controls"] if c["kind"] == "clean_site"]
    for sid in clean:
        assert verdicts[sid]["result"] == "合格" and verdicts[sid]["score"] == 100.0


def test_verdicts_and_cli_formats(swept):
    manifest, _, verdicts, store = swept
    assert set(verdicts) == set(manifest["sites"])
    down = [sid for sid, s in manifest["sites"].items() if s["unreachable"]]
    for sid in down:
        assert verdicts[sid]["result"] == "不合格"
        assert "监测时间点无法访问" in json.loads(verdicts[sid]["problems_json"])
    r = subprocess.run([sys.executable, "-m", "govcrawl", "verdicts", "--store", str(store), "--format", "jsonl"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert {x["site_id"] for x in lines} == set(manifest["sites"])
    for x in lines:
        assert x["result"] in ("合格", "不合格") and 0 <= x["score"] <= 100
        assert isinstance(x["vetoes"], list) and isinstance(x["problems"], list)
