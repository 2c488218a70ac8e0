"""Demo 政务新媒体 accounts for `govcrawl demo`: served by the local fake platforms.

    rows, fake = demo_accounts(as_of)      # fake platforms started on 127.0.0.1
    ...                                    # registry rows carry the real port
    fake.stop()

`run_media_demo(out, store, as_of)` does the whole media half of the demo: serve the
accounts, write `media-registry.yaml`, run `scrapy crawl media` into the demo store
(same as_of, so the bulletin pairs it with the site sweep) and print the verdicts.
Every account carries one problem a bulletin names (or none), as a demo should.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from govcrawl.media.fake import FakeAccount, FakeComment, FakePlatforms, FakePost

_NEWS = [
    "示范市召开2024年防汛抗旱工作部署会议，要求各地落实值班值守制度。",
    "示范市政务服务中心推出“周末不打烊”服务，市民可在周六办理社保、公积金业务。",
    "示范市卫生健康委提醒：夏季是食源性疾病高发期，请注意饮食卫生。",
    "东湖区开展城市道路积水点排查整治，已完成改造12处。",
    "西山县举办农产品产销对接会，签约金额3200万元。",
    "示范市人社局发布2024年高校毕业生就业见习岗位1200个，欢迎报名。",
    "示范市公安局提示：警惕冒充客服退款类电信网络诈骗。",
]


def _p(age: float, i: int, **kw: Any) -> FakePost:
    return FakePost(age_days=age, text=_NEWS[i % len(_NEWS)], **kw)


def demo_account_specs() -> list[FakeAccount]:
    """The demo's accounts; ages are days before as_of."""
    return [
        FakeAccount("dm-wb-fabu", "weibo", "示范发布", "2800000001", org="示范市人民政府新闻办公室",
                    posts=[_p(0.3, 0, comments=[FakeComment(1, "请问防汛值班电话是多少？",
                                                              reply_after_hours=3)]),
                           _p(2, 1), _p(5, 3), _p(30, 4)]),
        FakeAccount("dm-wx-wjw", "wechat", "示范市卫生健康委员会", "MP_WXS_9001",
                    org="示范市卫生健康委员会", interaction_entry="ok",
                    posts=[_p(16, 2), _p(28, 2), _p(45, 1)]),  # 14天未更新
        FakeAccount("dm-wx-gaoxin", "wechat", "示范市公安局高新分局", "MP_WXS_9002",
                    current_name="高新警讯", org="示范市公安局高新分局", interaction_entry="ok",
                    posts=[_p(1, 6), _p(6, 6)]),  # 已改名
        FakeAccount("dm-wx-sw", "wechat", "示范水务", "MP_WXS_9003", org="示范市水务局",
                    interaction_entry="broken", posts=[_p(2, 3), _p(9, 0)]),  # 互动链接有误
        FakeAccount("dm-dy-wjj", "douyin", "西山县卫生健康局", "MS4wLjABAAAAdmxswjj01",
                    org="西山县卫生健康局", posts=[_p(3, 2, original=False), _p(11, 1, original=False),
                                                   _p(40, 0, original=False)]),  # 3个月无原创
        FakeAccount("dm-dy-ysj", "douyin", "西山县道路运输管理所", "MS4wLjABAAAAdmxsysj01",
                    org="西山县道路运输管理所", behaviour="missing"),  # 搜索不到
        FakeAccount("dm-wb-cg", "weibo", "东湖城管", "2800000002", org="东湖区城市管理局",
                    posts=[_p(1, 3, comments=[FakeComment(6, "小区门口占道经营怎么处理？")]),
                           _p(4, 3)]),  # 互动回应差
        FakeAccount("dm-tt-tj", "toutiao", "示范统计", "MS4wLjABAAAAdmsftj01", org="示范市统计局",
                    posts=[FakePost(2, "上半年全市规模以上工业增加值同比增长6.1%，希望各部门再接再励。",
                                    title="上半年经济运行情况"), _p(8, 4)]),  # 错别字
        FakeAccount("dm-ks-wm", "kuaishou", "东湖文明", "3xdmdhwm01", org="东湖区文明办",
                    posts=[_p(0.5, 1), _p(7, 4)]),
        # posts only from a signed request: not read, so no verdict (and no false 14天未更新)
        FakeAccount("dm-dy-cg", "douyin", "东湖城管执法", "MS4wLjABAAAAdmdhcg01", org="东湖区城市管理局",
                    behaviour="signed_list", posts=[_p(30, 2)]),
    ]


def demo_accounts(as_of: date) -> tuple[list[dict[str, Any]], FakePlatforms]:
    """Registry rows for the demo accounts and the started fake platforms serving them."""
    fake = FakePlatforms(demo_account_specs(), as_of).start()
    return fake.registry_rows(), fake


def run_media_demo(out: Path, store: Path, as_of: date, extra_settings: list[str] | None = None,
                   log: Path | None = None) -> int:
    """Serve the demo accounts, run `scrapy crawl media` into `store`, print verdicts."""
    rows, fake = demo_accounts(as_of)
    try:
        registry = Path(out) / "media-registry.yaml"
        registry.write_text("# GovCrawl demo 政务新媒体 accounts (generated; local fake platforms)\n"
                            + yaml.safe_dump({"accounts": rows}, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")
        log = log or Path(out) / "media.log"
        cmd = [sys.executable, "-m", "scrapy", "crawl", "media", "-a", f"registry={registry}",
               "-a", f"store={store}", "-a", f"as_of={as_of.isoformat()}",
               "-s", "GOVCRAWL_MEDIA_DELAY=0", "-s", f"LOG_FILE={log}"]
        for kv in extra_settings or []:
            cmd += ["-s", kv]
        env = dict(os.environ, SCRAPY_SETTINGS_MODULE="govcrawl.settings")
        print(f"media: {len(rows)} accounts; {' '.join(cmd[2:6])} …", flush=True)
        rc = subprocess.call(cmd, env=env)
    finally:
        fake.stop()
    if rc != 0:
        print(f"demo: the media crawl exited with status {rc}; see {log}", file=sys.stderr)
        return rc
    c = sqlite3.connect(store)
    try:
        iid = c.execute("SELECT MAX(id) FROM inspections WHERE kind='media'").fetchone()[0]
        for aid, name, result, problems in c.execute(
                "SELECT v.site_id, a.name, v.result, v.problems_json FROM verdicts v JOIN accounts a"
                " ON a.inspection_id=v.inspection_id AND a.account_id=v.site_id"
                " WHERE v.inspection_id=? ORDER BY v.result DESC, v.site_id", (iid,)):
            print(f"  {aid:<14} {name:<12} {result:<4} {'、'.join(json.loads(problems)) or '-'}")
        for aid, name, msg in c.execute(
                "SELECT a.account_id, a.name, n.message FROM accounts a JOIN notices n ON"
                " n.inspection_id=a.inspection_id AND n.site_id=a.account_id AND n.kind='media.unchecked'"
                " WHERE a.inspection_id=? ORDER BY a.account_id", (iid,)):
            print(f"  {aid:<14} {name:<12} 未判定 {msg.split(': ', 1)[-1]}")
    finally:
        c.close()
    return 0
