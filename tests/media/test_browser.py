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
    fake = FakePlatforms([acc], as_of).start()
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
    assert c.execute("SELECT current_name, status FROM accounts").fetchone() == ("示范应急发布", "ok")
    assert c.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 2
    rules = {r for (r,) in c.execute("SELECT rule FROM findings")}
    assert rules == {"media.renamed", "media.not_updated"}
    kinds = {k for (k,) in c.execute("SELECT kind FROM notices")}
    assert "media.rendered" in kinds
