"""The generated benchmark sites: the `cms` template adds template weight, not content."""

from __future__ import annotations

from datetime import date

import pytest

from govcrawl.dist.loadsite import LoadWorld
from govcrawl.extract.hidden import parse_stylesheet
from govcrawl.extract.page import parse_page


def _article(template: str):
    w = LoadWorld(date(2024, 6, 20), sites=1, articles=8, seed=3, template=template)
    s = w.sites[0]
    s.port = 8001
    status, body, ctype, _ = w.render(s, "/col0/art2.html")
    assert status == 200
    return parse_page("http://127.0.0.1:8001/col0/art2.html", body, content_type=ctype,
                      site_home="http://127.0.0.1:8001/", as_of=date(2024, 6, 20)), body


def test_cms_template_is_heavier_but_reads_the_same() -> None:
    plain, small = _article("plain")
    cms, big = _article("cms")
    assert len(small) < 6_000 < 20_000 < len(big)
    assert cms.title == plain.title and cms.pub_date == plain.pub_date
    assert cms.text == plain.text  # the menu is navigation, not the article
    assert big.count(b"<a ") > small.count(b"<a ") + 100
    # the menu leads to the same column pages (no new pages to crawl), and its drop-downs,
    # opened by script, are not hidden links
    assert {lk.url for lk in cms.links} == {lk.url for lk in plain.links}
    assert not [lk for lk in cms.links if lk.hidden]


def test_unknown_template_is_refused() -> None:
    with pytest.raises(ValueError, match="template"):
        LoadWorld(date(2024, 6, 20), template="fancy")


def test_parsed_stylesheets_are_shared_but_lists_are_not() -> None:
    css = ".a{display:none} .b{color:red}"
    one, two = parse_stylesheet(css), parse_stylesheet(css)
    assert one == two == [(".a", {"display": ("none", False)}), (".b", {"color": ("red", False)})]
    one.clear()
    assert parse_stylesheet(css) == two
