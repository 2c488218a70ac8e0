"""Every planted pattern found with the right rule and severity; no control flagged.
Judged with the real wording checker (repo lexicons)."""

from __future__ import annotations

import pytest

from . import hacked_fixtures as F
from govcrawl.checks.hacked.analysis import analyze, host_in_site
from govcrawl.checks.hacked.rules import HackedRules, Version
from govcrawl.items import Finding

URL = F.SITE + "/xxgk/t20240501_1.html"
AS_OF = "2024-05-01"


def judge_page(rules: HackedRules, html: str) -> list[Finding]:
    return rules.page("6105000001", URL, AS_OF, analyze(html, URL, host_in_site(URL)))


def has(findings: list[Finding], rule: str, severity: str, where: str, needle: str) -> bool:
    return any(f.rule == rule and f.severity == severity and f.where == where
               and needle in f"{f.target or ''} {f.text or ''} {' '.join(f.evidence.get('spam') or [])}"
               for f in findings)


@pytest.mark.parametrize("name, rule, severity, where, needle", [
    ("HIDDEN_BLOCK", "content.hidden_link", "veto", "hidden link", "amjs8888.com"),
    ("HIDDEN_BLOCK", "content.hidden_link", "veto", "hidden link", "qx7kzp3w.net"),
    ("HIDDEN_BLOCK", "link.unsafe", "veto", "link", "bet365-vip.cc"),
    ("OFFSCREEN_DINGBATS", "content.hidden_link", "veto", "hidden link", "zqhw2.com"),
    ("OFFSCREEN_DINGBATS", "content.hidden_link", "veto", "hidden text", "必✿赢"),
    ("STYLESHEET_HIDDEN", "content.hidden_link", "veto", "hidden link", "hg0088tz.com"),
    ("COLOUR_FONT_MARQUEE", "content.hidden_link", "veto", "hidden link", "lhc-kj.example.org"),
    ("COLOUR_FONT_MARQUEE", "content.hidden_link", "veto", "hidden text", "六合彩"),
    ("COLOUR_FONT_MARQUEE", "content.hidden_link", "veto", "hidden link", "vns6677.com"),
    ("COLOUR_FONT_MARQUEE", "content.hidden_link", "veto", "hidden link", "xpj9988.com"),
    ("COLOUR_FONT_MARQUEE", "content.hidden_link", "veto", "hidden link", "pk10-yule.com"),
    ("FROMCHARCODE", "content.hidden_link", "veto", "script", "ky8899ty.com"),
    ("SCRIPT_TEXT", "content.hidden_link", "veto", "script text", "百家乐"),
    ("PACKED", "content.hidden_link", "veto", "script", "bwin-cn.net"),
    ("ATOB", "content.hidden_link", "veto", "script", "jsyl668.com"),
    ("UNESCAPE_HEX", "content.hidden_link", "veto", "script", "yl-9x8z.top"),
    ("TRAILING", "link.unsafe", "veto", "link", "qkzw8.com.cn"),
    ("TRAILING", "link.unsafe", "veto", "link", "mtjx66.com"),
    ("UA_SCRIPT_TITLE", "content.illegal", "veto", "script title", "午夜影院"),
    ("REFERRER_REDIRECT", "content.hidden_link", "veto", "script", "bet-77k.com"),
    ("META_REFRESH", "link.unsafe", "veto", "redirect", "casino-mx.com"),
    ("AFTER_HTML", "link.unsafe", "veto", "link", "pj-9k2x.com"),
])
def test_attack_found(rules: HackedRules, name: str, rule: str, severity: str, where: str, needle: str) -> None:
    found = judge_page(rules, getattr(F, name))
    assert has(found, rule, severity, where, needle), [(f.rule, f.severity, f.where, f.target, f.text) for f in found]


def test_controls_not_flagged(rules: HackedRules) -> None:
    found = judge_page(rules, F.CONTROLS)
    assert found == [], [(f.rule, f.severity, f.where, f.target, f.text) for f in found]


def test_hidden_outside_link_without_spam_is_a_notice_or_a_deduction_by_technique(rules: HackedRules) -> None:
    """rules.md: deduct when an injection technique (off-screen, zero size, font-size 0,
    colour = background…) hides a link to an unrelated commercial site; display:none alone
    (how templates collapse their menus) is a notice for review."""
    html = F.page(F.ARTICLE + '<div style="display:none"><a href="http://www.some-shop.com/">精品推荐</a></div>')
    (f,) = judge_page(rules, html)
    assert (f.rule, f.severity, f.where) == ("content.hidden_link", "notice", "hidden link")
    assert f.evidence["reason"] == "display:none" and f.evidence["technique"] == "display:none (CSS)"
    assert "not_interface" in f.evidence
    html = F.page(F.ARTICLE + '<div style="position:absolute;left:-9999px"><a href="http://www.some-shop.com/">'
                  '精品推荐</a></div>')
    (f,) = judge_page(rules, html)
    assert (f.rule, f.severity) == ("content.hidden_link", "deduct")
    assert f.evidence["technique"] == "moved off-screen"


def test_weak_outbound_signals_are_notices(rules: HackedRules) -> None:
    html = F.page(F.ARTICLE + '<a href="http://t.cn/A6xyz">详情</a><a href="http://8.134.20.7:8443/">平台</a>')
    found = {f.target: f.severity for f in judge_page(rules, html)}
    assert found == {"http://t.cn/A6xyz": "notice", "http://8.134.20.7:8443/": "deduct"}


def test_a_block_of_links_is_bounded_per_host(rules: HackedRules) -> None:
    """One finding per target, ten targets per host and page; the rest fold into one."""
    links = "".join(f'<a href="http://www.amjs8888.com/p{i}.html">澳门金沙{i}</a>' for i in range(40))
    links += '<a href="http://www.amjs8888.com/p0.html">澳门金沙</a>'  # the same target again
    found = judge_page(rules, F.page(F.ARTICLE + f'<div style="display:none">{links}</div>'))
    hidden = [f for f in found if f.where == "hidden link"]
    assert len(hidden) == 11
    assert hidden[0].target.endswith("/p0.html") and hidden[0].count == 2
    assert hidden[-1].count == 30 and len(hidden[-1].evidence["links"]) == 10


def test_registered_sites_are_never_spam(rules: HackedRules) -> None:
    html = F.page(F.ARTICLE + '<div style="display:none"><a href="http://127.0.0.9:8001/">区政府</a>'
                  '<a href="http://other-dept.example/">某局</a></div>')
    rules.registered = lambda u: "other-dept.example" in u or "127.0.0.9" in u
    try:
        assert judge_page(rules, html) == []
    finally:
        rules.registered = lambda u: False


def test_cloaked_title_and_links(rules: HackedRules) -> None:
    browser = Version(label="browser", title=F.CLEAN_TITLE, text="正文\n防汛", final_url=URL)
    html = F.page(F.ARTICLE + '<a href="http://www.vns6677.com/">澳门威尼斯人</a>', title=F.SPAM_TITLE)
    a = analyze(html, URL, host_in_site(URL))
    spider = Version(label="spider", title=F.SPAM_TITLE, text="正文\n防汛\n澳门威尼斯人", links=a.links,
                     final_url=URL, analysis=a)
    found = rules.compare("6105000001", URL, AS_OF, browser, spider, "cloaking")
    kinds = {(f.rule, f.where) for f in found}
    assert ("content.illegal", "cloaking title") in kinds
    assert ("content.hidden_link", "cloaking link") in kinds
    title = next(f for f in found if f.where == "cloaking title")
    assert title.evidence["before"] == F.CLEAN_TITLE and title.evidence["after"] == F.SPAM_TITLE
    # the same page seen the same way twice: nothing
    assert rules.compare("6105000001", URL, AS_OF, spider, spider, "cloaking") == []


def test_rendered_redirect(rules: HackedRules) -> None:
    static = Version(label="browser", title="某市人民政府", final_url=URL)
    landed = Version(label="rendered", title="澳门金沙娱乐城官网", text="百家乐 真人娱乐",
                     final_url="http://www.jinsha88.example/")
    found = rules.compare("6105000001", URL, AS_OF, static, landed, "rendering")
    redirect = [f for f in found if f.where == "rendering redirect"]
    assert redirect and redirect[0].severity == "veto"


def test_same_host_other_port_is_outside(rules: HackedRules) -> None:
    url = "http://127.0.0.1:8001/a.html"
    html = F.page(F.ARTICLE + '<div style="display:none"><a href="http://127.0.0.1:9009/x">六合彩开奖</a>'
                  '<a href="http://127.0.0.1:8001/b.html">本站</a></div>')
    found = rules.page("6105000001", url, AS_OF, analyze(html, url, host_in_site(url)))
    assert {(f.rule, f.target) for f in found if f.target} == {
        ("content.hidden_link", "http://127.0.0.1:9009/x"), ("link.unsafe", "http://127.0.0.1:9009/x")}


@pytest.mark.parametrize("name", ["HIDDEN_BLOCK", "OFFSCREEN_DINGBATS", "STYLESHEET_HIDDEN", "COLOUR_FONT_MARQUEE",
                                  "FROMCHARCODE", "PACKED", "ATOB", "UNESCAPE_HEX", "TRAILING",
                                  "UA_SCRIPT_TITLE", "REFERRER_REDIRECT", "META_REFRESH", "CONTROLS"])
def test_analysis_on_the_crawls_parse_equals_its_own(name: str, rules: HackedRules) -> None:
    """The sweep hands its parsed document to the hacked-page analysis (one parse, one
    style index per page): what the analysis finds must not change."""
    from govcrawl.extract.page import parse_page

    html = getattr(F, name)
    page = parse_page(URL, html.encode("utf-8"), content_type="text/html; charset=utf-8")
    assert page.dom is not None and page.html == html
    own = analyze(html, URL, host_in_site(URL))
    shared = analyze(page.html, URL, host_in_site(URL), dom=page.dom)
    assert shared == own and (own.hidden_links or own.scripts or own.links or own.refresh)
    assert rules.page("6105000001", URL, AS_OF, shared) == rules.page("6105000001", URL, AS_OF, own)
