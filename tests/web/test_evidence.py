"""Evidence screenshots: which findings get one, where they go, the crop, and the browser
itself against the hostile site (the spot outlined, nothing outside the site requested,
page scripts off unless needed, a page that cannot be rendered is an error, not a crash)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from govcrawl.evidence import eligible, evidence_dir, plan, resolve_shot, shot_path
from govcrawl.evidence.shots import PageInfo, Shooter, crop, in_scope, locate_args
from govcrawl.items import Finding
from tests.web.conftest import CHROMIUM, need_chromium
from tests.web.hostile_site import SCRIPT_TITLE, SITE_ID, HostileSite

LAUNCH = {"executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu", "--disable-quic",
                                                 "--disable-background-networking"]}


def F(rule: str, severity: str, url: str = "http://127.0.0.1:9/a.html", **kw) -> Finding:
    return Finding(rule, severity, "6101000001", url=url, **kw)


def test_plan_takes_vetoes_first_and_counts_what_exists():
    fs = [F("content.typo", "deduct", text="再接再励", start=i) for i in range(5)]
    fs += [F("tag.missing", "deduct", target="PubDate"), F("content.fake_date", "notice", text="x"),
           F("content.leader_name", "veto", url="http://127.0.0.1:9/z.html", text="习近凭", start=1),
           F("column.blank", "deduct", column="通知公告"),  # no spot on a page
           F("site.unreachable", "veto", url="http://127.0.0.1:9/"),
           F("content.typo", "deduct", url="", text="再接再励")]  # no page
    assert sum(eligible(f) for f in fs) == 8
    p = plan(fs, 3)
    assert p.eligible == 8 and p.chosen == 3 and p.left_out == 5
    chosen = [f for page in p.pages.values() for f in page]
    assert chosen[0].rule == "content.leader_name" and [f.rule for f in chosen[1:]] == ["content.typo"] * 2
    assert list(p.pages) == ["http://127.0.0.1:9/z.html", "http://127.0.0.1:9/a.html"]  # one render a page
    # screenshots kept from before count against the limit
    again = plan(fs, 3, have={fs[0].key, fs[1].key})
    assert again.chosen == 3 and [f.rule for fs_ in again.pages.values() for f in fs_] == ["content.leader_name"]
    assert plan(fs, 0).pages == {}


def test_where_screenshots_go(tmp_path):
    assert evidence_dir(tmp_path / "s.sqlite") == tmp_path / "s.sqlite.evidence"
    assert evidence_dir("postgresql://u@db/g") is None
    assert evidence_dir("postgresql://u@db/g", "/srv/evidence") == Path("/srv/evidence")
    rel = shot_path(3, "../../etc", "ab" * 20)
    assert rel == "3/etc/abababababababab.png"
    (tmp_path / "3" / "etc").mkdir(parents=True)
    (tmp_path / rel).write_bytes(b"png")
    assert resolve_shot(tmp_path, rel) == (tmp_path / rel).resolve()
    for bad in ["../x/abababababababab.png", "3/../../abababababababab.png", "/etc/passwd", "",
                "3/etc/abababababababab.png/../../x", "3/etc/ABABABABABABABAB.png"]:
        assert resolve_shot(tmp_path, bad) is None, bad


def test_crop_stays_in_the_viewport_with_context():
    c = crop({"x": 1200, "y": 850, "w": 60, "h": 20, "vw": 1280, "vh": 900})
    assert c["x"] + c["width"] <= 1280 and c["y"] + c["height"] <= 900
    assert c["width"] >= 640 and c["height"] >= 300
    assert c["x"] <= 1200 and c["x"] + c["width"] >= 1260  # the spot is inside
    wide = crop({"x": 0, "y": 0, "w": 3000, "h": 2000, "vw": 1280, "vh": 900})
    assert wide == {"x": 0.0, "y": 0.0, "width": 1280.0, "height": 900.0}


def test_what_is_looked_for_on_the_page():
    page = PageInfo(title="再接再励-测试县", meta={"PubDate": "2025-01-01 10:00"},
                    text="甲再接再励乙。丙再接再励丁。")
    second = locate_args(F("content.typo", "deduct", text="再接再励", start=8, where="text",
                           suggestion="再接再厉"), page)
    assert second["mode"] == "text" and second["occurrence"] == 1
    assert second["label"] == "存在错别字：再接再励 → 再接再厉"
    title = locate_args(F("content.typo", "deduct", text="再接再励", where="title"), page)
    assert title["mode"] == "banner" and title["value"] == "再接再励-测试县"
    meta = locate_args(F("content.fake_date", "veto", text="2025-01-01 10:00", where="meta"), page)
    assert meta["mode"] == "banner" and 'name="PubDate"' in meta["head"] and "2025-01-01" in meta["value"]
    link = locate_args(F("link.broken", "deduct", target="http://x.invalid/", text="旧链接", where="link"), page)
    assert link["mode"] == "element" and link["target"] == "http://x.invalid/"
    assert in_scope("http://127.0.0.1:9/css/a.css", ["http://127.0.0.1:9/bm/"], "http://127.0.0.1:9/bm/a.html")
    assert not in_scope("http://127.0.0.1:10/x", ["http://127.0.0.1:9/"], "http://127.0.0.1:9/a.html")
    assert in_scope("data:image/png;base64,AA", [], "http://127.0.0.1:9/")


def _red_pixels(png: Path) -> int:
    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(png).convert("RGB")).astype(int)
    return int(((a[..., 0] > 200) & (a[..., 1] < 40) & (a[..., 2] < 40)).sum())


@pytest.mark.browser
def test_shooter_outlines_the_spot_and_keeps_the_page_in_its_site(tmp_path):
    need_chromium()
    asked: list[str] = []

    def egress(url: str) -> bool:  # the egress policy hook sees every request the scope allows
        asked.append(url)
        return not url.endswith("/refused-by-policy.css")

    async def run(site: HostileSite) -> tuple:
        shooter = Shooter(LAUNCH, timeout=10, concurrency=2, user_agent="GovCrawl-test", egress=egress,
                          site_concurrency=2, site_delay=0.0)
        base = site.site.url
        scope = [base + "/"]
        try:
            typo = F("content.leader_name", "veto", url=base + "/a.html", text="习近凭", start=19, end=22,
                     where="text", suggestion="习近平")
            title = F("content.prohibited", "deduct", url=base + "/a.html", text="北朝鲜", where="title")
            written = F("content.hidden_link", "veto", url=base + "/b.html", text="在线赌场",
                        target="http://bet-k8x7q2.invalid/", where="script")
            a = await shooter.shoot_page(base + "/a.html", [typo, title], PageInfo(
                title=SCRIPT_TITLE, text="会议要求，全县各级各部门要深入学习贯彻习近凭总书记"), out_dir=tmp_path,
                inspection_id=1, site_id=SITE_ID, scope=scope, scripts=False)
            blocked_without_scripts = shooter.blocked
            b = await shooter.shoot_page(base + "/b.html", [written], PageInfo(), out_dir=tmp_path,
                                         inspection_id=1, site_id=SITE_ID, scope=scope, scripts=True)
            site.site.max_inflight = 0
            images = F("content.typo", "deduct", url=base + "/images.html", text="植树", where="text")
            pictures = await shooter.shoot_page(base + "/images.html", [images], PageInfo(), out_dir=tmp_path,
                                                inspection_id=1, site_id=SITE_ID, scope=scope, scripts=False)
            gone = await shooter.shoot_page("http://127.0.0.1:9/closed.html", [typo], PageInfo(),
                                            out_dir=tmp_path, inspection_id=1, site_id=SITE_ID,
                                            scope=scope, scripts=False)
            return a, b, gone, blocked_without_scripts, shooter.blocked, pictures, site.site.max_inflight
        finally:
            await shooter.close()

    with HostileSite() as site:
        a, b, gone, blocked_a, blocked_b, pictures, inflight = asyncio.run(run(site))
        outside, site_hits = dict(site.outside.hits), dict(site.site.hits)
        site_host = site.site.url.split("/")[2]
    assert a.error is None and [s.located for s in a.shots] == [True, True]
    assert b.error is None and [s.located for s in b.shots] == [True]  # written by the page's script
    for s in a.shots + b.shots:
        png = tmp_path / s.path
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert _red_pixels(png) > 200  # the outline
    assert blocked_a == 1  # scripts off: only the stylesheet the egress policy refused
    assert blocked_b >= 2  # scripts on: its calls to the outside were refused ...
    assert outside == {}  # ... and never reached the outside server
    assert "/refused-by-policy.css" not in site_hits
    assert {u.split("/")[2] for u in asked} == {site_host, "127.0.0.1:9"}  # only the pages' own sites
    assert gone.shots == [] and gone.error  # a page that cannot be rendered: an error, no exception
    # six slow images: all fetched, never more than the site's two requests at a time
    assert pictures.error is None and all(site_hits.get(f"/slow/{i}.png") == 1 for i in range(6))
    assert inflight == 2


@pytest.mark.browser
def test_no_browser_is_an_error_per_page_not_a_crash(tmp_path):
    async def run():
        shooter = Shooter({"executable_path": str(tmp_path / "no-chromium")}, timeout=5)
        try:
            return await shooter.shoot_page("http://127.0.0.1:9/", [F("content.typo", "deduct", text="x")],
                                            PageInfo(), out_dir=tmp_path, inspection_id=1, site_id="s",
                                            scope=[], scripts=False)
        finally:
            await shooter.close()

    r = asyncio.run(run())
    assert r.shots == [] and "Chromium could not be started" in (r.error or "")


def test_unchanged_pages_reuse_last_inspections_screenshot(tmp_path):
    """A nightly sweep finds mostly the same problems on the same pages: the screenshot of
    the previous inspection is linked, not rendered again; a changed page is rendered (here
    with no Chromium at all, so that attempt shows as a notice)."""
    import json

    from govcrawl.evidence.site import shoot_site
    from govcrawl.registry import Site
    from govcrawl.store import Store

    path = tmp_path / "s.sqlite"
    root = evidence_dir(path)
    store = Store(path)
    site = Site("6101000001", "甲", "http://127.0.0.1:9/", ("http://127.0.0.1:9/",), "甲", "甲", "portal")
    same = F("content.typo", "deduct", url="http://127.0.0.1:9/same.html", text="再接再励", start=3, where="text")
    changed = F("content.typo", "deduct", url="http://127.0.0.1:9/changed.html", text="再接再励", start=3,
                where="text")
    ids = []
    for n, hashes in enumerate([("h1", "h2"), ("h1", "h2-edited")], 1):
        iid = store.create_inspection(as_of=f"2024-06-2{n}")
        store.upsert_sites(iid, [site])
        with store.tx() as c:
            c.executemany("INSERT INTO pages (inspection_id, site_id, url, status, content_hash)"
                          " VALUES (?,?,?,200,?)", [(iid, site.id, same.url, hashes[0]),
                                                    (iid, site.id, changed.url, hashes[1])])
        store.add_findings(iid, [same, changed])
        store.finish_inspection(iid)
        ids.append(iid)
    with store.tx() as c:  # the first inspection's screenshots
        for f in (same, changed):
            rel = shot_path(ids[0], site.id, f.key)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(b"\x89PNG " + f.key.encode())
            c.execute("UPDATE findings SET evidence_json=? WHERE inspection_id=? AND key=?",
                      (json.dumps({"screenshot": rel, "screenshot_located": True}), ids[0], f.key))
    store.close()

    async def run():
        shooter = Shooter({"executable_path": str(tmp_path / "no-chromium")}, timeout=5)
        try:
            return await shoot_site(shooter, str(path), ids[1], site.id, root=root, limit=20)
        finally:
            await shooter.close()

    res = asyncio.run(run())
    assert (res.reused, res.shots, res.failed_pages) == (1, 1, 1)
    assert [n.url for n in res.notices if n.kind == "evidence_render"] == [changed.url]
    store = Store(path, readonly=True)
    ev = {k: json.loads(e) for k, e in store.conn.execute(
        "SELECT key, evidence_json FROM findings WHERE inspection_id=?", (ids[1],))}
    store.close()
    assert ev[same.key]["screenshot"] == shot_path(ids[1], site.id, same.key)
    assert ev[same.key]["screenshot_from"] == ids[0]
    assert (root / ev[same.key]["screenshot"]).read_bytes() == b"\x89PNG " + same.key.encode()
    assert "screenshot" not in ev[changed.key]
