"""HiddenDetector: every hiding trick found, legitimate look-alikes left alone."""

from __future__ import annotations

import lxml.html
import pytest

from govcrawl.extract.hidden import HiddenDetector, parse_color, parse_stylesheet


def reasons(html: str) -> dict[str, str | None]:
    root = lxml.html.fromstring(html)
    det = HiddenDetector(root)
    out = {}
    for el in root.iter("a", "iframe"):
        out[el.get("href") or el.get("src")] = det.reason(el)
    return out


@pytest.mark.parametrize("snippet, why", [
    ('<div style="display:none"><a href="/x">x</a></div>', "display:none"),
    ('<div style="DISPLAY: NONE !important"><a href="/x">x</a></div>', "display:none"),
    ('<p style="visibility:hidden"><a href="/x">x</a></p>', "visibility:hidden"),
    ('<div style="opacity:0"><a href="/x">x</a></div>', "opacity:0"),
    ('<div style="position:absolute;top:-999px"><a href="/x">x</a></div>', "off-screen"),
    ('<div style="position:fixed;left:-80em"><a href="/x">x</a></div>', "off-screen"),
    ('<div style="text-indent:-9999px"><a href="/x">x</a></div>', "off-screen"),
    ('<div style="width:0;height:0;overflow:hidden"><a href="/x">x</a></div>', "zero size"),
    ('<div style="height:1px;overflow:hidden"><a href="/x">x</a></div>', "zero size"),
    ('<div style="font-size:0"><a href="/x">x</a></div>', "font-size 0"),
    ('<div style="font:0/0 a"><a href="/x">x</a></div>', "font-size 0"),
    ('<div style="background:#fafafa"><span style="color:#fbfbfb"><a href="/x">x</a></span></div>',
     "text colour equals background"),
    ('<table bgcolor="black"><tr><td><font color="#000"><a href="/x">x</a></font></td></tr></table>',
     "text colour equals background"),
    ('<marquee height="2" width="3"><a href="/x">x</a></marquee>', "marquee"),
    ('<marquee scrollamount="9999"><a href="/x">x</a></marquee>', "marquee"),
    ('<marquee scrolldelay="30000"><a href="/x">x</a></marquee>', "marquee"),
    ('<iframe src="/x" width="1" height="1"></iframe>', "tiny iframe"),
    ('<iframe src="/x" style="width:0;height:0"></iframe>', "tiny iframe"),
    ('<div hidden><a href="/x">x</a></div>', "hidden attribute"),
    ('<div id="k"><a href="/x">x</a></div><script>document.getElementById("k").style.display="none"</script>',
     "hidden by script"),
    ("<script>document.write('<div style=\"display:none\">')</script><a href=\"/x\">x</a>"
     "<script>document.write('</div>')</script>", "script-written invisible box"),
])
def test_inline_tricks(snippet: str, why: str) -> None:
    r = reasons(f"<html><body>{snippet}<a href='/ok'>ok</a></body></html>")
    assert r["/x"] is not None and why in r["/x"], r
    assert r["/ok"] is None


@pytest.mark.parametrize("css, why", [
    (".a{display:none}", "display:none"),
    ("div.a a{visibility:hidden}", "visibility:hidden"),
    ("#b .a{position:absolute;left:-5000px}", "off-screen"),
    ("body .a{height:0;overflow:hidden}", "zero size"),
    (".a{font-size:0px}", "font-size 0"),
    ("#b{background-color:#123456} .a{color:#123456}", "text colour equals background"),
    ("@media screen{.a{display:none}}", "display:none"),
])
def test_stylesheet_tricks(css: str, why: str) -> None:
    r = reasons(f"<html><head><style>{css}</style></head><body><div id='b'><div class='a'>"
                f"<a href='/x'>x</a></div></div><a href='/ok'>ok</a></body></html>")
    assert r["/x"] is not None and why in r["/x"], r
    assert r["/ok"] is None


@pytest.mark.parametrize("html", [
    # a later, more specific or inline declaration wins over the hiding one
    "<style>.a{display:none} .a.open{display:block}</style><div class='a open'><a href='/x'>x</a></div>",
    "<style>.a{display:none}</style><div class='a' style='display:block'><a href='/x'>x</a></div>",
    # the inline-block layout trick: font-size 0 on the row, real sizes on the cells
    "<div style='font-size:0'><span style='font-size:14px'><a href='/x'>x</a></span></div>",
    # visibility re-declared below
    "<div style='visibility:hidden'><p style='visibility:visible'><a href='/x'>x</a></p></div>",
    # white text on a background the page does not declare (the site's stylesheet paints it)
    "<div class='banner'><a style='color:#fff' href='/x'>x</a></div>",
    # white on red
    "<div style='background:#c00'><a style='color:#fff' href='/x'>x</a></div>",
    # print-only or narrow-screen rules do not describe what an editor sees
    "<style>@media print{.a{display:none}} @media (max-width:600px){.a{display:none}}</style>"
    "<div class='a'><a href='/x'>x</a></div>",
    # hover menus open on :hover; the closed state is what counts, but :hover rules are ignored
    "<style>.m:hover a{display:block}</style><div class='m'><a href='/x'>x</a></div>",
    "<marquee scrollamount='4' height='30'><a href='/x'>x</a></marquee>",
    "<iframe src='/x' width='600' height='400'></iframe>",
])
def test_visible_lookalikes(html: str) -> None:
    r = reasons(f"<html><body>{html}</body></html>")
    assert r["/x"] is None, r


def test_own_reason_for_the_text_walk() -> None:
    root = lxml.html.fromstring("<html><body><div id='row' style='font-size:0'><span style='font-size:12px'>"
                                "a</span></div><div id='h' style='font-size:0'>spam</div>"
                                "<div id='v' style='visibility:hidden'><b>x</b></div></body></html>")
    det = HiddenDetector(root)
    by_id = {el.get("id"): el for el in root.iter("div")}
    assert det.own_reason(by_id["row"]) is None
    assert det.own_reason(by_id["h"]) == "font-size 0"
    assert det.own_reason(by_id["v"]) == "visibility:hidden"
    assert det.own_reason(by_id["v"].find("b")) is None  # hiding started higher up
    roots = [(el.get("id"), why) for el, why in det.hidden_roots()]
    assert roots == [("h", "font-size 0"), ("v", "visibility:hidden")]


def test_css_helpers() -> None:
    assert parse_color("#FFF") == (255, 255, 255)
    assert parse_color("rgb(1, 2, 3)") == (1, 2, 3)
    assert parse_color("rgba(1,2,3,0)") is None
    assert parse_color("url(x.png) no-repeat") is None
    rules = parse_stylesheet("/* c */ a , b { display : none ; color: red } ; } @font-face{x:y} p{margin:0}")
    assert rules == [("a , b", {"display": ("none", False), "color": ("red", False)})]


def test_bad_css_and_deep_nesting_do_not_crash() -> None:
    deep = "<div>" * 3000 + "<a href='/x'>x</a>" + "</div>" * 3000
    html = f"<html><head><style>}}}} a{{{{ :::: ; .x[[{{display:none}}</style></head><body>{deep}</body></html>"
    root = lxml.html.fromstring(html)
    det = HiddenDetector(root)
    for a in root.iter("a"):
        det.reason(a)


def test_big_stylesheet_only_relevant_rules_evaluated() -> None:
    """Hundreds of ordinary rules and one hiding rule: only the hiding rule and the rules that
    could override it on its subtree are matched (the rest cannot hide anything)."""
    rules = "\n".join(f".c{i}{{color:#333;width:200px;display:block}} #m{i} li a{{float:left}}"
                      for i in range(400))
    body = "".join(f"<div class='c{i}'><a href='/a{i}'>a</a></div>" for i in range(200))
    root = lxml.html.fromstring(f"<html><head><style>{rules} .spam{{display:none}} .spam.open{{display:block}}"
                                f"</style></head><body><div class='spam'><a href='/x'>x</a></div>{body}</body></html>")
    det = HiddenDetector(root)
    matched_rules = {id(r) for rs in det._matched.values() for r in rs}
    assert len(matched_rules) == 1  # `.spam`; `.spam.open` names an absent class, `.cN` cannot reach it
    assert det.reason(root.xpath("//a[@href='/x']")[0]) == "display:none"
    assert det.reason(root.xpath("//a[@href='/a7']")[0]) is None
