"""The HTML report renders in headless Debian chromium with no script errors, and page text
(a crawled title holding `<script>`) is shown as text, never run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from .report_history import SCRIPT_TITLE

from govcrawl.report import write_report
from govcrawl.report.html_out import render_html
from govcrawl.report.model import build_bulletin
from govcrawl.store import Store

CHROMIUM = os.environ.get("GOVCRAWL_CHROMIUM", "/usr/bin/chromium")


def test_html_is_self_contained_and_escaped(history_store):
    path, _ = history_store
    html = render_html(build_bulletin(Store(path, readonly=True)))
    assert "<script" not in html.lower()  # no script of ours, and none let through
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "http://" not in html.split("<body>")[0]  # no external resources in the head
    assert html.count("<svg") == 6  # region/platform rates, categories, trend × sites and media


@pytest.mark.browser
def test_renders_in_headless_chromium(history_store, tmp_path):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"Debian chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    path, _ = history_store
    files = write_report(Store(path, readonly=True), tmp_path / "out", rectification=False)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu",
                                           "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}")
                    if m.type == "error" else None)
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(files.html.as_uri())
            shot = tmp_path / "bulletin.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert page.evaluate("document.scripts.length") == 0
            assert SCRIPT_TITLE in page.inner_text("body")  # shown as text
            assert "2024年第三季度" in page.title()
            assert page.locator("svg").count() == 6
            assert page.locator("table").first.locator("th").all_inner_texts() == [
                "序号", "网站名称", "检查结果", "突出问题"]
            assert [u for u in requests if not u.startswith("file:")] == []
        finally:
            browser.close()
    assert errors == []
