"""Back-off per account and per answer kind: an account answered 418 waits alone, its
waits double per repeat and stop at its budget; the platform's other accounts go on."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import date
from pathlib import Path

import yaml

from govcrawl.media.fake import FakeAccount, FakePlatforms, FakePost

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import run_media  # noqa: E402

AS_OF = date(2024, 6, 20)


def test_a_limited_account_waits_alone(tmp_path):
    accounts = [FakeAccount(f"wb-{i}", "weibo", f"示范账号{i}", f"19200000{i:02d}",
                            posts=[FakePost(1, "示范市召开防汛工作会议。"), FakePost(3, "夏季安全提示。")])
                for i in range(8)]
    accounts[0].behaviour = "ratelimit"  # 418 on every request, as dataabc/weibo-crawler#557
    fake = FakePlatforms(accounts, AS_OF).start()
    try:
        reg = tmp_path / "r.yaml"
        reg.write_text(yaml.safe_dump({"accounts": fake.registry_rows()}, allow_unicode=True),
                       encoding="utf-8")
        store = tmp_path / "s.db"
        # 418: 1 s, then 2 s — but the account's budget of 2.5 s leaves 1.5 s for the second
        p = run_media(reg, store, AS_OF.isoformat(), "-s", "GOVCRAWL_BROWSER=False",
                      "-s", "GOVCRAWL_MEDIA_DELAY=0.05", "-s", "GOVCRAWL_MEDIA_CONCURRENCY=1",
                      "-s", 'GOVCRAWL_MEDIA_BACKOFF_KINDS={"418": 1}',
                      "-s", "GOVCRAWL_MEDIA_BACKOFF_MAX=5", "-s", "GOVCRAWL_MEDIA_BACKOFF_BUDGET=2.5",
                      "-s", "GOVCRAWL_MEDIA_RATE_RETRIES=3")
    finally:
        fake.stop()
    assert p.returncode == 0, p.stderr[-3000:]
    limited_path = "/api/container/getIndex?type=uid&value=1920000000"
    assert fake.hits[limited_path] == 3  # asked, waited 1 s, asked, waited 1.5 s, asked, gave up
    # when the seven other accounts were read completely
    others_done = max(t for k, t in fake.times.items() if "value=1920000000" not in k)
    c = sqlite3.connect(store)
    waits = [json.loads(d)["wait"] for (d,) in c.execute(
        "SELECT data_json FROM notices WHERE site_id='wb-0' AND kind='media.rate_limited'"
        " ORDER BY rowid") if "wait" in json.loads(d)]
    assert waits == [1.0, 1.5]
    verdicts = {r[0] for r in c.execute("SELECT site_id FROM verdicts")}
    assert verdicts == {f"wb-{i}" for i in range(1, 8)}
    # the limited account did wait 1 s, then 1.5 s (timers may fire a clock tick early) ...
    assert fake.times[limited_path] - fake.first_times[limited_path] >= 2.5 - 0.05
    # ... and the others were done before its last try: no platform-wide freeze (a slot-wide
    # delay of the wait would have spaced their 14 requests 1 s apart)
    assert others_done < fake.times[limited_path]
    answers = {json.loads(d)["answer"] for (d,) in c.execute(
        "SELECT data_json FROM notices WHERE kind='media.rate_limited'")}
    assert answers == {"418"}
