"""The hacked-page patterns planted in the generated demo sites, found by a real sweep.

The demo world (govcrawl.demo) plants hidden gambling links (loopback spam host and
`.invalid` names), a `document.write(String.fromCharCode(…))` link, a title cloaked for
Baiduspider with a baidu.com referer on an article the homepage does not link, and spam
links appended after `</html>`; its controls are the site's collapsed menu, the skip link, a
`document.write` of today's date and a friendly link to another government site, plus a
whole clean site.  One sweep (`scrapy crawl sweep`, subprocess) with every page also fetched
as Baiduspider (the cloaked article is off the homepage sample).
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from tests.demo_sweep import findings_of_last_inspection, sweep_demo

MINE = ("content.hidden_link", "link.unsafe")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_sweep(tmp_path_factory: Any) -> Iterator[tuple[dict, list[dict]]]:
    tmp = tmp_path_factory.mktemp("hacked-demo")
    manifest, store = sweep_demo(tmp, "GOVCRAWL_BROWSER=True", "GOVCRAWL_HACKED_CLOAK_ALL_PAGES=True",
                                 "LOG_LEVEL=INFO", f"LOG_FILE={tmp / 'sweep.log'}", scale="demo")
    _c, _iid, findings = findings_of_last_inspection(store)
    for f in findings:
        f["evidence"] = json.loads(f["evidence_json"] or "{}")
    yield manifest, findings


def _matches(p: dict, f: dict) -> bool:
    if p["rule"] != f["rule"] or p["site_id"] != f["site_id"]:
        return False
    if p.get("url") and p["url"] != f["url"]:
        return False
    if p.get("target") and p["target"] != f["target"]:
        return False
    if p.get("text"):
        said = [f["text"] or ""] + list(f["evidence"].get("spam") or [])
        if not any(s and (s in p["text"] or p["text"] in s) for s in said):
            return False
    return True


def test_planted_hacked_patterns_found(demo_sweep: Any) -> None:
    manifest, findings = demo_sweep
    planted = [p for p in manifest["planted"] if p["rule"] in MINE
               or (p["rule"] == "content.illegal" and (p.get("evidence") or {}).get("cloaking"))]
    assert planted, "the demo plants no hacked-page pattern any more"
    missed = [p for p in planted if not any(_matches(p, f) for f in findings)]
    assert not missed, missed


def test_no_hacked_finding_outside_the_planted_ones(demo_sweep: Any) -> None:
    manifest, findings = demo_sweep
    allowed = manifest["planted"] + manifest.get("tolerated", [])
    extra = [(f["site_id"], f["rule"], f["where"], f["url"], f["target"], f["text"]) for f in findings
             if f["rule"] in MINE and not any(_matches(p, f) for p in allowed)]
    assert not extra, extra


def test_controls_not_flagged(demo_sweep: Any) -> None:
    manifest, findings = demo_sweep
    clean = {c["site_id"] for c in manifest["controls"] if c["rules"] == ["*"]}
    assert not [f for f in findings if f["site_id"] in clean and f["rule"] in MINE]
    for c in manifest["controls"]:
        if c.get("target"):  # the friendly link to another government site
            assert not [f for f in findings if f["target"] == c["target"] and f["rule"] in c["rules"]], c
    # the site's own menu, skip link and date script: no hidden-link finding on an internal target
    hacked = {c["site_id"] for c in manifest["controls"] if c["kind"] == "collapsed_menu"}
    sites = manifest["sites"]
    for f in findings:
        if f["site_id"] in hacked and f["rule"] == "content.hidden_link" and f["target"]:
            assert not any(f["target"].startswith(p) for p in sites[f["site_id"]]["scope"]), f
