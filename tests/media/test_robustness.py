"""Runs that end early or start wrong: the inspection is never lost, errors are one line."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import yaml

from govcrawl.media.fake import FakeAccount, FakePlatforms, FakePost

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import run_media  # noqa: E402

from datetime import date  # noqa: E402

AS_OF = date(2024, 6, 20)


def test_a_run_stopped_early_still_closes_the_inspection(tmp_path):
    accounts = [FakeAccount(f"wb-{i}", "weibo", f"示范账号{i}", f"19100000{i:02d}",
                            posts=[FakePost(1, "示范市召开防汛工作会议。")]) for i in range(6)]
    fake = FakePlatforms(accounts, AS_OF).start()
    try:
        reg = tmp_path / "r.yaml"
        reg.write_text(yaml.safe_dump({"accounts": fake.registry_rows()}, allow_unicode=True),
                       encoding="utf-8")
        store = tmp_path / "s.db"
        # stop after the first account is done; the rest must still be accounted for
        p = run_media(reg, store, AS_OF.isoformat(), "-s", "CLOSESPIDER_ITEMCOUNT=1",
                      "-s", "CONCURRENT_REQUESTS=1", "-s", "GOVCRAWL_MEDIA_CONCURRENCY=1")
    finally:
        fake.stop()
    assert p.returncode == 0, p.stderr[-2000:]
    c = sqlite3.connect(store)
    status, finished, stats = c.execute(
        "SELECT status, finished_at, stats_json FROM inspections").fetchone()
    assert finished and status == "failed"
    assert json.loads(stats)["reason"] == "closespider_itemcount"
    rows = dict(c.execute("SELECT account_id, status FROM accounts").fetchall())
    assert set(rows) == {a.id for a in accounts}
    unchecked = [a for a, s in rows.items() if s == "unknown"]
    assert unchecked, rows
    for aid in unchecked:
        kinds = {k for (k,) in c.execute("SELECT kind FROM notices WHERE site_id=?", (aid,))}
        assert "media.unchecked" in kinds


def test_bad_arguments_fail_before_crawling(tmp_path):
    reg = tmp_path / "sites-only.yaml"
    reg.write_text('sites:\n  - id: "9901000001"\n    name: 示范\n    url: http://127.0.0.1:9/\n',
                   encoding="utf-8")
    p = run_media(reg, tmp_path / "s.db", "2024-06-20")
    assert p.returncode != 0
    assert "no accounts" in p.stderr
    p2 = run_media(tmp_path / "missing.yaml", tmp_path / "s.db", "2024-06-20")
    assert p2.returncode != 0 and "registry file not found" in p2.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("accounts:\n  - id: a1\n    name: 示范\n    platform: myspace\n", encoding="utf-8")
    p3 = run_media(bad, tmp_path / "s.db", "2024-06-20")
    assert p3.returncode != 0 and "unknown platform 'myspace'" in p3.stderr
