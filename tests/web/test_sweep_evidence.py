"""The sweep takes the evidence screenshots itself once a site is done: a real
`scrapy crawl sweep` of the hostile site with the browser on (tests/web/conftest.py)."""

from __future__ import annotations

import json

import pytest

from govcrawl.store import Store
from tests.web.hostile_site import SITE_ID

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_sweep_screenshots_page_findings_up_to_the_limit(hostile_sweep):
    store = Store(hostile_sweep["store"], readonly=True)
    try:
        iid = store.inspection("latest")["id"]
        rows = store.conn.execute("SELECT * FROM findings WHERE inspection_id=?", (iid,)).fetchall()
        notices = store.conn.execute("SELECT kind, url, message, data_json FROM notices WHERE"
                                     " inspection_id=? AND kind LIKE 'evidence%'", (iid,)).fetchall()
        status = store.inspection(iid)["status"]
    finally:
        store.close()
    assert status == "finished"
    ev = {r["key"]: json.loads(r["evidence_json"] or "{}") for r in rows}
    shot = {k: e["screenshot"] for k, e in ev.items() if e.get("screenshot")}
    by = {(r["rule"], r["where"], r["url"].rsplit("/", 1)[-1]): r["key"] for r in rows}

    # the vetoes first (gone.html's is tried and fails), then the banned term of the title
    assert {k for k, key in by.items() if key in shot} == {
        ("content.hidden_link", "script", "b.html"), ("content.leader_name", "text", "a.html"),
        ("content.prohibited", "title", "a.html")}
    for key in shot:
        assert ev[key]["screenshot_located"] is True
        png = hostile_sweep["evidence"] / shot[key]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
        assert shot[key].startswith(f"{iid}/{SITE_ID}/")
    # site-level findings have no spot to show
    assert not any(r["key"] in shot for r in rows if r["rule"].startswith(("identity.", "interaction.")))

    kinds = [n["kind"] for n in notices]
    # gone.html answers 500 since the crawl: a notice, and the sweep still finished
    render = [n for n in notices if n["kind"] == "evidence_render"]
    assert len(render) == 1 and render[0]["url"].endswith("/gone.html")
    # four screenshots at most (GOVCRAWL_EVIDENCE_MAX_PER_SITE=4, gone.html's attempt included)
    cap = [json.loads(n["data_json"]) for n in notices if n["kind"] == "evidence_cap"]
    assert kinds.count("evidence_cap") == 1 and cap[0]["cap"] == 4
    eligible = cap[0]["eligible"]
    assert len(shot) == 3 and cap[0]["left_out"] == eligible - 4 > 0

    # the only browser that ran the pages' scripts was the screenshots' one (the script-written
    # link is in its screenshot), and it never reached outside the site
    assert hostile_sweep["hits"]["outside"] == {}
    assert hostile_sweep["hits"]["site"]["/gone.html"] == 2  # the crawl, then the render's attempt
