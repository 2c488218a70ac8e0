"""Inspection acceptance over the generated sites (issues 3, 4, 5): every planted problem
found by the sweep, nothing flagged on the controls, no finding the world did not plant."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

CLEAN_SITE = "9901000005"  # 示范市教育局: everything fresh and correct


def _text_match(want: str | None, got: str | None) -> bool:
    if not want:
        return True
    got = got or ""
    return want in got or (bool(got) and got in want)


def matches(p: dict, f: dict) -> bool:
    if p.get("rule") and f["rule"] != p["rule"]:
        return False
    if f["site_id"] != p["site_id"]:
        return False
    if p.get("url") and f.get("url") != p["url"]:
        return False
    if p.get("column") and f.get("column") != p["column"]:
        return False
    if p.get("target") and f.get("target") != p["target"]:
        return False
    if not _text_match(p.get("text"), f.get("text")):
        return False
    if p.get("severity") and f.get("severity") != p["severity"]:
        return False
    return True


@pytest.fixture(scope="module")
def findings(e2e_sweep):
    return e2e_sweep.findings()


def test_every_planted_problem_found(e2e_sweep, findings):
    missed = [p for p in e2e_sweep.manifest["planted"] if not any(matches(p, f) for f in findings)]
    assert not missed, "\n".join(str({k: v for k, v in p.items() if k != "note"}) for p in missed)


def test_no_control_flagged(e2e_sweep, findings):
    """A control shares its page with planted problems (the hacked homepage has both spam
    links and its own collapsed menu): a finding there flags the control only when no
    planted or tolerated problem accounts for it."""
    expected = e2e_sweep.manifest["planted"] + e2e_sweep.manifest["tolerated"]
    findings = [f for f in findings if not any(matches(p, f) for p in expected)]
    flagged = []
    for c in e2e_sweep.manifest["controls"]:
        for rule in c.get("rules") or []:
            probe = {**c, "rule": rule}
            probe.pop("text", None) if c.get("kind") == "masked_privacy" else None
            hits = [f for f in findings if matches(probe, f)
                    and (c.get("kind") != "masked_privacy" or (f.get("text") or "") == c.get("text"))]
            flagged += [(c.get("kind"), f["rule"], f["url"], f.get("target"), f.get("text")) for f in hits]
    assert not flagged, flagged


def test_clean_site_has_no_finding(findings):
    on_clean = [(f["rule"], f["url"], f.get("target"), f.get("text")) for f in findings
                if f["site_id"] == CLEAN_SITE]
    assert not on_clean, on_clean


def test_no_false_alarm(e2e_sweep, findings):
    expected = e2e_sweep.manifest["planted"] + e2e_sweep.manifest["tolerated"]
    unexpected = [f for f in findings if not any(matches(p, f) for p in expected)]
    assert not unexpected, "\n".join(
        f"{f['rule']} {f['site_id']} {f['url']} target={f.get('target')} text={f.get('text')!r}"
        for f in unexpected[:40])


def test_verdicts_follow_the_findings(e2e_sweep):
    verdicts = {v["site_id"]: v for v in e2e_sweep.verdicts()}
    assert verdicts[CLEAN_SITE]["result"] == "合格" and verdicts[CLEAN_SITE]["score"] == 100
    planted_vetoes = {p["site_id"] for p in e2e_sweep.manifest["planted"]
                      if p.get("severity") == "veto" or p["rule"] in (
                          "site.unreachable", "site.homepage_not_updated", "content.leader_name",
                          "content.leader_title", "content.phrase", "content.illegal")}
    for sid in planted_vetoes:
        assert verdicts[sid]["result"] == "不合格", (sid, verdicts[sid])
        assert verdicts[sid]["vetoes"] and verdicts[sid]["problems"]
