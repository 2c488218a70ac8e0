"""Account findings reach Elasticsearch (the team's fake cluster) when ELASTICSEARCH_URL is set."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import yaml

from govcrawl.media.fake import FakeAccount, FakePlatforms, FakePost

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import run_media  # noqa: E402


def test_account_findings_are_indexed(tmp_path):
    from govcrawl.es.fakeserver import FakeElasticsearch

    as_of = date(2024, 6, 20)
    acc = [FakeAccount("wb-es", "weibo", "示范水务", "1920000001", posts=[FakePost(20, "防汛通知。")]),
           FakeAccount("wb-es2", "weibo", "示范交通", "1920000002", posts=[FakePost(1, "出行提示。")])]
    fake = FakePlatforms(acc, as_of).start()
    es = FakeElasticsearch().start()
    try:
        reg = tmp_path / "r.yaml"
        reg.write_text(yaml.safe_dump({"accounts": fake.registry_rows()}, allow_unicode=True),
                       encoding="utf-8")
        p = run_media(reg, tmp_path / "s.db", as_of.isoformat(), "-s", f"ELASTICSEARCH_URL={es.url}")
        assert p.returncode == 0, p.stderr[-3000:]
        docs = [d for name, d in es.docs("*").items()]
    finally:
        es.stop()
        fake.stop()
    # ECS-shaped finding documents: rule.id, govcrawl.site.id
    got = {((d.get("rule") or {}).get("id"), ((d.get("govcrawl") or {}).get("site") or {}).get("id"))
           for d in docs}
    assert ("media.not_updated", "wb-es") in got, docs[:2]
