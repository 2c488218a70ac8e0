"""Site checks over hand-filled stores, at every threshold."""

from datetime import date, datetime, timedelta, timezone

from govcrawl.checks.site import run_site_checks, write_columns
from .checks_helpers import HOME, Builder, d

AS_OF = date(2024, 6, 20)


def rules_of(res):
    return sorted(f.rule for f in res.findings)


def run(b, **settings):
    return run_site_checks(b.store.conn, b.iid, b.site_id, AS_OF, settings or None)


def fresh_site(tmp_path):
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([d(AS_OF, 1), d(AS_OF, 3)])
    b.channel()
    return b


def test_clean_site_has_no_findings(tmp_path):
    b = fresh_site(tmp_path)
    b.column("xwzx/gzdt/", "工作动态", [d(AS_OF, 2), d(AS_OF, 9)], pages=2)
    b.column("xxgk/tzgg/", "通知公告", [d(AS_OF, 100)], level_crumbs=["首页", "政务公开", "通知公告"])
    b.column("jgzn/", "机构职能", [None])
    res = run(b)
    assert res.findings == []
    assert {c.name for c in res.columns} >= {"工作动态", "通知公告", "机构职能", "领导信箱"}


def test_news_column_13_vs_14_days(tmp_path):
    b = fresh_site(tmp_path)
    b.column("a/", "工作动态", [d(AS_OF, 13)])
    b.column("b/", "部门动态", [d(AS_OF, 14), d(AS_OF, 30)])
    res = run(b)
    stale = [f for f in res.findings if f.rule == "column.stale_news"]
    assert [f.column for f in stale] == ["部门动态"]
    assert stale[0].evidence["newest_date"] == d(AS_OF, 14)
    assert stale[0].evidence["age_days"] == 14
    assert stale[0].url == HOME + "b/"


def test_newest_item_across_pagination(tmp_path):
    b = fresh_site(tmp_path)
    # the newest item sits on the third page of the list
    b.column("c/", "工作动态", [d(AS_OF, 40), d(AS_OF, 50), d(AS_OF, 60), d(AS_OF, 2)], pages=3)
    res = run(b)
    assert "column.stale_news" not in rules_of(res)
    col = next(c for c in res.columns if c.name == "工作动态")
    assert col.newest.isoformat() == d(AS_OF, 2) and len(col.pages) == 3


def test_undated_items_count_as_not_updated(tmp_path):
    b = fresh_site(tmp_path)
    b.column("c/", "工作动态", [None, None])
    f = next(f for f in run(b).findings if f.rule == "column.stale_news")
    assert f.evidence["newest_date"] is None and f.evidence["undated"] == 2


def test_future_dates_do_not_make_a_column_fresh(tmp_path):
    b = fresh_site(tmp_path)
    b.column("c/", "工作动态", [(AS_OF + timedelta(days=30)).isoformat(), d(AS_OF, 40)])
    f = next(f for f in run(b).findings if f.rule == "column.stale_news")
    assert f.evidence["newest_date"] == d(AS_OF, 40)


def test_notice_column_six_months_first_level_only(tmp_path):
    b = fresh_site(tmp_path)
    b.column("t1/", "通知公告", [d(AS_OF, 182)], level_crumbs=["首页", "政务公开", "通知公告"])
    b.column("t2/", "政策文件", [d(AS_OF, 183)], level_crumbs=["首页", "政务公开", "政策文件"])
    # a deep notice column is judged with the other-columns threshold (365 days)
    b.column("t3/", "公示公告", [d(AS_OF, 200)], level_crumbs=["首页", "专题", "某专题", "公示公告"])
    res = run(b)
    assert [(f.rule, f.column) for f in res.findings] == [("column.stale_notice", "政策文件")]


def test_other_column_uses_rule_days(tmp_path):
    b = fresh_site(tmp_path)
    b.column("rs/", "人事信息", [d(AS_OF, 364)])
    b.column("gh/", "规划计划", [d(AS_OF, 365)])
    res = run(b)
    assert [(f.rule, f.column) for f in res.findings] == [("column.stale_other", "规划计划")]
    res = run(b, GOVCRAWL_OTHER_STALE_DAYS=30)  # per-rule days win over the default
    assert [(f.rule, f.column) for f in res.findings] == [("column.stale_other", "规划计划")]


def test_column_type_tag_classifies_unknown_names(tmp_path):
    b = fresh_site(tmp_path)
    b.column("x/", "本地播报", [d(AS_OF, 20)], tag="工作动态")
    assert [f.rule for f in run(b).findings] == ["column.stale_news"]


def test_blank_column_counted_once(tmp_path):
    b = fresh_site(tmp_path)
    b.column("kb/", "工作动态", [], text="工作动态 暂无信息")
    res = run(b)
    assert rules_of(res) == ["column.blank"]
    f = res.findings[0]
    assert f.column == "工作动态" and f.text == "暂无信息"
    assert next(c for c in res.columns if c.name == "工作动态").blank


def test_same_column_at_two_urls_counted_once(tmp_path):
    b = fresh_site(tmp_path)
    b.column("a/", "工作动态", [d(AS_OF, 30)])
    b.column("b/", "工作动态", [d(AS_OF, 30)])
    assert rules_of(run(b)) == ["column.stale_news"]


def test_navigation_column_listing_subcolumns_is_not_stale(tmp_path):
    b = fresh_site(tmp_path)
    sub = b.column("zwgk/gzdt/", "工作动态", [d(AS_OF, 1)], level_crumbs=["首页", "政务公开", "工作动态"])
    parent = HOME + "zwgk/"
    b.page(parent, "list", column="政务公开", column_url=parent, breadcrumb=["首页", "政务公开"])
    b.entries(parent, [("工作动态", sub, None)])
    assert run(b).findings == []


def test_homepage_13_vs_14_days(tmp_path):
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([d(AS_OF, 13), d(AS_OF, 40)])
    b.channel()
    assert "site.homepage_not_updated" not in rules_of(run(b))
    tmp2 = tmp_path / "b"
    tmp2.mkdir()
    b2 = Builder.new(tmp2, AS_OF)
    b2.homepage([d(AS_OF, 14), d(AS_OF, 40), None])
    b2.channel()
    f = next(f for f in run(b2).findings if f.rule == "site.homepage_not_updated")
    assert f.severity == "veto" and f.evidence["newest_date"] == d(AS_OF, 14)
    assert f.evidence["basis"] == "homepage"


def test_navigation_only_homepage_uses_second_level_pages(tmp_path):
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([])  # no dated item at all: a portal of links
    b.channel()
    b.column("gzdt/", "工作动态", [d(AS_OF, 5)])
    res = run(b)
    assert "site.homepage_not_updated" not in rules_of(res)
    b.store.conn.execute("UPDATE entries SET date=? WHERE page_url=?", (d(AS_OF, 20), HOME + "gzdt/"))
    b.store.conn.commit()
    f = next(f for f in run(b).findings if f.rule == "site.homepage_not_updated")
    assert f.evidence["basis"] == "second-level pages"


def test_homepage_unreachable_in_sweep(tmp_path):
    b = Builder.new(tmp_path, AS_OF, reachable=0)
    b.page(HOME, "other", status=None, error="TCPTimedOutError: connection timed out", depth=0)
    b.store.add_notice(b.iid, b.site_id, "unreachable", "homepage could not be fetched", HOME)
    res = run(b)
    assert rules_of(res) == ["site.unreachable"]
    assert res.findings[0].severity == "veto"
    assert "timed out" in res.findings[0].evidence["error"]
    assert res.findings[0].evidence["notices"]


def test_site_with_no_page_at_all_is_unreachable(tmp_path):
    b = Builder.new(tmp_path, AS_OF, reachable=0)
    assert rules_of(run(b)) == ["site.unreachable"]


def _probes(b, n_ok, n_fail, day=AS_OF):
    at = datetime(day.year, day.month, day.day, 4, 0, tzinfo=timezone.utc)
    for i in range(n_ok + n_fail):
        b.store.add_probe(b.site_id, HOME, i >= n_fail, 200 if i >= n_fail else None, 0.1,
                          None if i >= n_fail else "timeout after 15 s",
                          at=(at - timedelta(minutes=70 * i)).isoformat())


def test_probe_share_4_vs_5_percent(tmp_path):
    b = fresh_site(tmp_path)
    _probes(b, 96, 4)
    assert "site.unreachable" not in rules_of(run(b))
    _probes(b, 0, 1)  # 5 of 101 = 4.95 %
    assert "site.unreachable" not in rules_of(run(b))
    tmp2 = tmp_path / "b"
    tmp2.mkdir()
    b2 = fresh_site(tmp2)
    _probes(b2, 95, 5)
    f = next(f for f in run(b2).findings if f.rule == "site.unreachable")
    assert f.evidence["failed"] == 5 and f.evidence["probes"] == 100 and f.evidence["share"] == 0.05


def test_probes_outside_the_window_and_too_few(tmp_path):
    b = fresh_site(tmp_path)
    _probes(b, 0, 30, day=AS_OF - timedelta(days=10))  # failures, but 10 days ago
    _probes(b, 10, 0)
    assert "site.unreachable" not in rules_of(run(b))
    _probes(b, 0, 3)  # 13 probes in window: below the minimum of 20
    assert "site.unreachable" not in rules_of(run(b))


def test_broken_links_with_pages_and_homepage_flag(tmp_path):
    b = fresh_site(tmp_path)
    art = b.page(HOME + "a/1.html", "article", pub_date=d(AS_OF, 2))
    ok_int = b.page(HOME + "a/2.html", "article", pub_date=d(AS_OF, 2))
    b.page(HOME + "missing.html", "other", status=404)
    b.link(HOME, HOME + "missing.html", anchor="失效页面")
    b.link(art, HOME + "missing.html", anchor="失效页面")
    b.link(art, ok_int)
    b.link(art, "http://127.0.0.1:9/x.pdf", kind="attachment", external=True, anchor="附件")
    b.link_status("http://127.0.0.1:9/x.pdf", None, "ConnectionRefusedError: refused")
    b.link(art, "http://127.0.0.1:8009/img.png", kind="img", external=True)
    b.link_status("http://127.0.0.1:8009/img.png", 500)
    b.link(art, "http://127.0.0.1:8009/fine", external=True)
    b.link_status("http://127.0.0.1:8009/fine", 200)
    b.link(art, "http://127.0.0.1:8009/hidden", external=True, hidden=True)
    b.link_status("http://127.0.0.1:8009/hidden", 404)
    b.link(art, "http://127.0.0.1:8009/big", external=True)
    b.link_status("http://127.0.0.1:8009/big", None, "maxsize exceeded: cancelled")
    res = run(b)
    broken = {f.target: f for f in res.findings if f.rule == "link.broken"}
    assert set(broken) == {HOME + "missing.html", "http://127.0.0.1:9/x.pdf",
                           "http://127.0.0.1:8009/img.png"}
    m = broken[HOME + "missing.html"]
    assert m.url == HOME and m.evidence["homepage"] and m.evidence["pages"] == [HOME, art]
    assert m.evidence["status"] == 404 and m.count == 2
    assert "refused" in broken["http://127.0.0.1:9/x.pdf"].evidence["error"]
    assert not broken["http://127.0.0.1:8009/img.png"].evidence["homepage"]


def test_every_link_broken(tmp_path):
    b = fresh_site(tmp_path)
    for i in range(30):
        t = f"http://127.0.0.1:9/{i}"
        b.link(HOME, t, external=True, anchor=f"链接{i}")
        b.link_status(t, 503 if i % 2 else None, None if i % 2 else "DNSLookupError")
    res = run(b)
    assert sum(f.rule == "link.broken" for f in res.findings) == 30


def _letters(b, rows):
    url = HOME + "hdjl/ldxx/"
    b.page(url, "interaction", column="领导信箱", column_url=url, breadcrumb=["首页", "互动交流", "领导信箱"])
    b.entries(url, [(f"来信{i}", f"{url}l{i}.html", r.get("submitted")) for i, r in enumerate(rows)],
              extra=rows)
    return url


def test_slow_reply_5_vs_6_workdays_across_holiday_and_makeup_saturday(tmp_path):
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([d(AS_OF, 1)])
    _letters(b, [{"submitted": "2024-04-30", "replied": "2024-05-10", "status": "已回复"},
                 {"submitted": "2024-04-30", "replied": "2024-05-11", "status": "已回复"}])
    res = run(b)
    slow = [f for f in res.findings if f.rule == "interaction.slow_reply"]
    assert len(slow) == 1 and slow[0].evidence["replied"] == "2024-05-11"
    assert slow[0].evidence["workdays"] == 6 and slow[0].column == "领导信箱"
    assert rules_of(res) == ["interaction.slow_reply"]


def test_unanswered_over_three_months_within_a_year(tmp_path):
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([d(AS_OF, 1)])
    _letters(b, [
        {"submitted": d(AS_OF, 91), "status": "未回复"},      # > 3 months: veto
        {"submitted": d(AS_OF, 90), "status": "未回复"},      # exactly 3 months: still open, late
        {"submitted": d(AS_OF, 400), "status": "未回复"},     # older than a year: not judged
        {"submitted": d(AS_OF, 2), "status": "办理中"},       # within 5 working days
        {"submitted": d(AS_OF, 30), "replied": d(AS_OF, 29)},
    ])
    res = run(b)
    un = [f for f in res.findings if f.rule == "interaction.unanswered"]
    assert [f.evidence["submitted"] for f in un] == [d(AS_OF, 91)]
    assert un[0].severity == "veto" and un[0].evidence["days_unanswered"] == 91
    slow = [f for f in res.findings if f.rule == "interaction.slow_reply"]
    assert [f.evidence["submitted"] for f in slow] == [d(AS_OF, 90)]


def test_letters_without_reply_fields_do_not_crash_or_accuse(tmp_path):
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([d(AS_OF, 1)])
    _letters(b, [{"submitted": d(AS_OF, 200)}, {"submitted": None}, {}])
    res = run(b)
    assert res.findings == []


def test_reply_dates_read_from_detail_pages(tmp_path):
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([d(AS_OF, 1)])
    url = HOME + "hdjl/ldxx/"
    b.page(url, "interaction", column="领导信箱", column_url=url, breadcrumb=["首页", "领导信箱"])
    b.entries(url, [("关于学校门口交通的问题", url + "l1.html", "2024-04-30")])
    b.page(url + "l1.html", "interaction", column="领导信箱", column_url=url,
           text="来信时间：2024年4月30日 内容…… 回复时间：2024-05-11 回复内容……")
    f = next(f for f in run(b).findings if f.rule == "interaction.slow_reply")
    assert f.url == url + "l1.html" and f.evidence["workdays"] == 6


def test_no_channel_and_link_channel(tmp_path):
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([d(AS_OF, 1)])
    assert rules_of(run(b)) == ["interaction.no_channel"]
    # a working link to the portal's 12345 platform is a channel
    b.link(HOME, "http://127.0.0.1:8002/12345/", anchor="我要写信", external=True)
    b.link_status("http://127.0.0.1:8002/12345/", 200)
    assert run(b).findings == []
    b.link_status("http://127.0.0.1:8002/12345/", 404)
    res = run(b)
    (f,) = [f for f in res.findings if f.rule == "interaction.no_channel"]
    assert f.severity == "veto" and f.url == HOME
    assert [x["target"] for x in f.evidence["broken"]] == ["http://127.0.0.1:8002/12345/"]


def test_stale_stats_more_than_61_days(tmp_path):
    b = fresh_site(tmp_path)
    b.column("lytj/", "留言统计", [d(AS_OF, 61)])
    assert run(b).findings == []
    b.column("xjtj/", "信件统计", [d(AS_OF, 62)])
    assert [(f.rule, f.column) for f in run(b).findings] == [("interaction.stale_stats", "信件统计")]


def test_columns_table_written(tmp_path):
    b = fresh_site(tmp_path)
    b.column("a/", "工作动态", [d(AS_OF, 2), None])
    res = run(b)
    write_columns(b.store.conn, b.iid, b.site_id, res.columns)
    b.store.conn.commit()
    rows = b.store.conn.execute("SELECT name, ctype, newest_date, item_count, undated_count FROM columns"
                                " WHERE inspection_id=? ORDER BY name", (b.iid,)).fetchall()
    assert ("工作动态", "news", d(AS_OF, 2), 2, 1) in [tuple(r) for r in rows]


def test_unread_list_is_not_judged(tmp_path):
    # a list page with no item and no 暂无信息: the sweep could not read it (script-built)
    b = fresh_site(tmp_path)
    b.column("js/", "工作动态", [], text="")
    res = run(b)
    assert res.findings == []
    col = next(c for c in res.columns if c.name == "工作动态")
    assert col.unread and not col.blank and res.stats["unread_columns"] == [HOME + "js/"]


def test_unchanged_pages_use_the_previous_fetch(tmp_path):
    # inspection 1 fetched the column; inspection 2 got HTTP 304 for it (incremental re-check)
    b = fresh_site(tmp_path)
    b.column("gzdt/", "工作动态", [d(AS_OF, 30)])
    from govcrawl.registry import Site
    iid2 = b.store.create_inspection(as_of=AS_OF.isoformat())
    b.store.upsert_sites(iid2, [Site(id=b.site_id, name="示范市测试局", url=HOME, scope=(HOME,))])
    b.iid, first = iid2, b.iid
    b.homepage([d(AS_OF, 1)])
    b.channel()
    b.store.conn.execute(
        "INSERT INTO pages (inspection_id, site_id, url, status, page_type, unchanged, extra_json, depth)"
        " VALUES (?,?,?,?,?,?,?,?)", (iid2, b.site_id, HOME + "gzdt/", 304, "other", 1,
                                      '{"previous_inspection": %d}' % first, 1))
    b.store.conn.commit()
    res = run(b)
    assert [(f.rule, f.column) for f in res.findings] == [("column.stale_news", "工作动态")]
    assert res.findings[0].evidence["newest_date"] == d(AS_OF, 30)


def test_site_whose_every_link_is_broken(tmp_path):
    # only a homepage; its menu, image and outside links all fail
    b = Builder.new(tmp_path, AS_OF)
    b.homepage([])
    menu = [("dagz/", "档案工作", 404), ("tzgg/", "通知公告", 404), ("hdjl/gzxx/", "馆长信箱", 500)]
    for path, name, code in menu:
        b.page(HOME + path, "other", status=code, error=f"HTTP {code}")
        b.link(HOME, HOME + path, anchor=name)
    b.link(HOME, HOME + "images/logo.png", kind="img")
    b.link_status(HOME + "images/logo.png", 404)
    b.link(HOME, "http://127.0.0.1:9/dag/", anchor="省档案馆", external=True)
    b.link_status("http://127.0.0.1:9/dag/", None, "ConnectionRefusedError: Connection was refused")
    res = run(b)
    assert sorted(set(rules_of(res))) == ["interaction.no_channel", "link.broken", "site.homepage_not_updated"]
    assert sum(f.rule == "link.broken" for f in res.findings) == 5
    assert all(f.evidence["homepage"] for f in res.findings if f.rule == "link.broken")
    nc = next(f for f in res.findings if f.rule == "interaction.no_channel")
    assert nc.evidence["broken"][0]["anchor"] == "馆长信箱"
    hp = next(f for f in res.findings if f.rule == "site.homepage_not_updated")
    assert hp.evidence["newest_date"] is None and "no dated item" in hp.evidence["reason"]
