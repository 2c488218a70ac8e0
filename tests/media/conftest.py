from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govcrawl.media.fake import FakePlatforms

# the scenario module sits next to this file; importable whatever the rootdir layout
sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[2]


def run_media(registry: Path, store: Path | str, as_of: str, *extra: str) -> subprocess.CompletedProcess:
    """`scrapy crawl media` as users run it, fast pacing for the local fake platforms."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "media", "-a", f"registry={registry}",
           "-a", f"store={store}", "-a", f"as_of={as_of}",
           "-s", "GOVCRAWL_MEDIA_DELAY=0", "-s", "GOVCRAWL_MEDIA_BACKOFF=0.05",
           "-s", "GOVCRAWL_MEDIA_BACKOFF_MAX=0.1", "-s", "RETRY_TIMES=1", "-s", "GOVCRAWL_MEDIA_WORDING=False", "-s", "LOG_LEVEL=INFO",
           "-s", "DOWNLOAD_TIMEOUT=10", *extra]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def media_run(tmp_path_factory, request):
    """One crawl over every scenario account (tests/media/scenarios.py), into an SQLite
    file and, the second time, into a PostgreSQL store."""
    from media_scenarios import ACCOUNTS, AS_OF

    tmp = tmp_path_factory.mktemp("media")
    fake = FakePlatforms(ACCOUNTS, AS_OF).start()
    try:
        reg = tmp / "registry.yaml"
        # an app read from its platform export, and an account registered without any address
        (tmp / "app-posts.csv").write_text(
            "发布时间,标题,是否原创\n2024-06-19 09:00,示范通上线电子社保卡服务,是\n", encoding="utf-8")
        (tmp / "app-msgs.csv").write_text(
            "留言时间,留言内容,回复时间\n2024-06-10 09:00,电子社保卡怎么激活？,2024-06-13 09:00\n",
            encoding="utf-8")
        extra = [{"id": "app-export", "name": "示范通", "platform": "移动客户端",
                  "settings": {"export": ["app-posts.csv", "app-msgs.csv"]}},
                 {"id": "wb-nourl", "name": "示范无址", "platform": "weibo"}]
        reg.write_text(yaml.safe_dump({"accounts": fake.registry_rows() + extra}, allow_unicode=True),
                       encoding="utf-8")
        store = tmp / "store.db" if request.param == "sqlite" else \
            request.getfixturevalue("pg_server").new_database()
        proc = run_media(reg, store, AS_OF.isoformat(), "-s", "GOVCRAWL_BROWSER=False")
        yield {"proc": proc, "store": store, "fake": fake, "registry": reg}
    finally:
        fake.stop()
