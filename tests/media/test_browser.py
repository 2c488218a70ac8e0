"""A profile page whose state exists only after its scripts run: read through Chromium."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from govcrawl.media.fake import FakeAccount, FakePlatforms, FakePost

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import run_media  # noqa: E402

CHROMIUM = os.environ.get("GOVCRAWL_CHROMIUM", "/usr/bin/chromium")


@pytest.mark.browser
def test_script_built_douyin_profile(tmp_path):
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM} (set GOVCRAWL_CHROMIUM)")
    as_of = date(2024, 6, 20)
    acc = FakeAccount("dy-js", "douyin", "示范应急", "MS4wLjABAAAAjsonly01", behaviour="script_only",
                      current_name="示范应急发布",
                      posts=[FakePost(20, "防汛应急演练举行。"), FakePost(25, "夏季防溺水提示。")])
    # its posts come only from the page's own signed request (/aweme/v1/web/aweme/post/)
    signed = FakeAccount("dy-signed", "douyin", "示范卫健", "MS4wLjABAAAAsigned01", behaviour="signed_list",
                         posts=[FakePost(15, "健康科普。", original=False), FakePost(30, "防暑提示。", original=False),
                                FakePost(100, "年度回顾。", original=False)])
    fake = FakePlatforms([acc, signed], as_of).start()
    try:
        reg = tmp_path / "r.yaml"
        reg.write_text(yaml.safe_dump({"accounts": fake.registry_rows()}, allow_unicode=True),
                       encoding="utf-8")
        store = tmp_path / "s.db"
        p = run_media(reg, store, as_of.isoformat(), "-s", "GOVCRAWL_BROWSER=True")
    finally:
        fake.stop()
    assert p.returncode == 0, p.stderr[-3000:]
    c = sqlite3.connect(store)
    assert c.execute("SELECT current_name, status FROM accounts WHERE account_id='dy-js'").fetchone() \
        == ("示范应急发布", "ok")
    assert c.execute("SELECT COUNT(*) FROM posts WHERE account_id='dy-js'").fetchone()[0] == 2
    rules = {r for (r,) in c.execute("SELECT rule FROM findings WHERE site_id='dy-js'")}
    assert rules == {"media.renamed", "media.not_updated"}
    kinds = {k for (k,) in c.execute("SELECT kind FROM notices WHERE site_id='dy-js'")}
    assert "media.rendered" in kinds
    # the signed list was read from what the page itself asked for: the rules judge it
    assert c.execute("SELECT COUNT(*) FROM posts WHERE account_id='dy-signed'").fetchone()[0] == 3
    rules = {r for (r,) in c.execute("SELECT rule FROM findings WHERE site_id='dy-signed'")}
    assert rules == {"media.not_updated", "media.no_original"}
    assert not any(k == "media.could_not_read" for (k,) in c.execute(
        "SELECT kind FROM notices WHERE site_id='dy-signed'"))
