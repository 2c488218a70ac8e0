"""The inspector's desk in a real browser: Python `playwright` driving Debian's chromium
against `govcrawl serve` (started and stopped here, on a free port) over a store of the
demo sweep with its evidence screenshots, and over the hostile site's store."""

from __future__ import annotations

import pytest

from tests.web.conftest import CHROMIUM
from tests.web.hostile_site import SCRIPT_TITLE

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SITE = "9901020001"  # 东湖区人民政府: one banned term (北朝鲜) among its deductions
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def watched(context, base: str):
    """A page that records script errors, console errors and requests off the server."""
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: page.problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(base) else page.problems.append(f"request: {r.url}"))
    return page


def test_review_a_finding_in_the_browser(demo_desk, served, browser):
    srv = served(demo_desk)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = watched(ctx, srv.url)
    page.goto(srv.url + "/")
    page.get_by_role("link", name="第 1 次").click()
    page.get_by_role("link", name="东湖区人民政府").click()
    assert page.url.endswith(f"/sites/{SITE}")
    assert page.locator("#verdict .score b").inner_text() == "91"
    assert "使用禁用慎用表述" in page.locator("#verdict .problems").inner_text()

    card = page.locator("article.finding", has_text="content.prohibited")
    assert card.locator("mark").inner_text() == "北朝鲜"
    img = card.locator("figure.shot img")
    img.scroll_into_view_if_needed()
    assert img.evaluate("i => i.complete && i.naturalWidth") >= 640  # the screenshot, loaded
    assert "问题位置已框出" in card.locator("figcaption").inner_text()

    bulletin = watched(ctx, srv.url)
    bulletin.goto(f"{srv.url}/inspections/1/bulletin")
    assert "使用禁用慎用表述" in bulletin.locator("tr", has_text="东湖区人民政府").first.inner_text()

    card.locator("input[name=note]").fill("引用外交部发言原文，非本网表述")
    card.get_by_role("button", name="误报").click()
    page.wait_for_url("**done=false_alarm**")
    assert "已保存复核结果：误报" in page.locator(".flash").inner_text()
    assert page.locator("#verdict .score b").inner_text() == "93"
    assert "使用禁用慎用表述" not in page.locator("#verdict .problems").inner_text()
    card = page.locator("article.finding", has_text="content.prohibited")
    assert card.locator(".badge.review").inner_text() == "误报"
    assert "引用外交部发言原文" in card.inner_text()

    bulletin.reload()
    row = bulletin.locator("tr", has_text="东湖区人民政府").first.inner_text()
    assert "使用禁用慎用表述" not in row and "网站标识不规范" in row

    # the same page on a phone: no sideways scrolling, the review buttons at hand
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    mobile = watched(phone, srv.url)
    mobile.goto(f"{srv.url}/inspections/1/sites/{SITE}")
    assert mobile.evaluate("document.scrollingElement.scrollWidth") <= 391
    first = mobile.locator("article.finding").first
    assert first.get_by_role("button", name="误报").is_visible()
    assert mobile.locator("figure.shot img").first.evaluate("i => i.getBoundingClientRect().width") <= 390
    assert page.problems == [] and bulletin.problems == [] and mobile.problems == []


def test_a_script_in_a_crawled_title_shows_as_text(hostile_sweep, served, browser):
    srv = served(hostile_sweep["store"])
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = watched(ctx, srv.url)
    page.goto(f"{srv.url}/inspections/1/sites/9909000001")
    text = page.locator("main").inner_text()
    assert SCRIPT_TITLE in text
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 0
    # the title's screenshot shows it as text too (its banner), and it loads
    imgs = page.locator("figure.shot img")
    assert imgs.count() >= 2
    assert all(imgs.nth(i).evaluate("i => i.complete && i.naturalWidth > 0") for i in range(imgs.count()))
    csp = page.request.get(page.url).headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert page.problems == []
