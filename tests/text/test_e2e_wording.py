"""Wording checks over a real sweep of the generated demo world (loopback only).

Every planted leader/title/formulation/banned-term/typo/privacy problem must be found
on its page with its exact text, and the demo's ordinary generated text must raise no
other wording finding (a false alarm there is a false alarm on a page like a real one).
One sweep per module, WordingPipeline and the store only.
"""

from __future__ import annotations


import pytest

from tests.demo_sweep import findings_of_last_inspection, sweep_demo

pytestmark = pytest.mark.e2e
MINE = ("content.leader_name", "content.leader_title", "content.phrase", "content.prohibited",
        "content.typo", "content.privacy")


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    manifest, store = sweep_demo(
        tmp_path_factory.mktemp("e2e-wording"), "GOVCRAWL_LINK_CHECK=False",
        'ITEM_PIPELINES={"govcrawl.pipelines.wording.WordingPipeline": 200,'
        ' "govcrawl.pipelines.store.StorePipeline": 800}')
    _c, _iid, findings = findings_of_last_inspection(store)
    return manifest, [f for f in findings if f["rule"].startswith(MINE)]


def _matches(p, f):
    if p["rule"] != f["rule"] or p["site_id"] != f["site_id"]:
        return False
    if p.get("url") and p["url"].rstrip("/") != (f["url"] or "").rstrip("/"):
        return False
    if p.get("text") and p["text"] != f["text"]:
        return False
    return True


def test_every_planted_wording_problem_found(swept):
    manifest, findings = swept
    planted = [p for p in manifest["planted"] if p["rule"] in MINE]
    assert planted, "the demo world plants no wording problem"
    missed = [p for p in planted if not any(_matches(p, f) for f in findings)]
    assert missed == []
    for p in planted:
        if p.get("suggestion") and p["rule"] != "content.leader_title":
            f = next(f for f in findings if _matches(p, f))
            assert f["suggestion"] == p["suggestion"], (p, f["suggestion"])


def test_no_wording_false_alarm_on_generated_text(swept):
    manifest, findings = swept
    expected = [p for p in manifest["planted"] + manifest.get("tolerated", []) if p["rule"] in MINE]
    extra = [f for f in findings if not any(_matches(p, f) for p in expected)]
    assert [(f["rule"], f["site_id"], f["text"], f["suggestion"], f["url"]) for f in extra] == []
