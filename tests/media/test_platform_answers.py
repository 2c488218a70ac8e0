"""The platforms' real answer shapes (tests/media/platform_answers.py) through the adapters
and through `scrapy crawl media`: every ambiguous answer gives no veto and says why; every
rule at its threshold still fires on positive evidence."""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from collections import defaultdict
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import run_media  # noqa: E402
from platform_answers import AS_OF, BY_ID, CASES, DOUYIN_AWEME_POST, Case  # noqa: E402

from govcrawl.media.adapters import AdapterError, Resp, get_adapter  # noqa: E402
from govcrawl.media.checks import check_account  # noqa: E402
from govcrawl.media.model import Observation  # noqa: E402
from govcrawl.media.verdict import account_verdict, withheld  # noqa: E402

ROUTES: dict[str, tuple[int, str, Any]] = {k: v for c in CASES for k, v in c.routes.items()}
BASE = "http://127.0.0.1:9"


def answer(method: str, path: str, body: bytes | None) -> tuple[int, str, bytes]:
    key = f"{method} {path}"
    if method == "POST":
        posted = json.loads(body or b"{}")
        key += " " + "&".join(f"{k}={v}" for k, v in sorted(posted.items()))
    status, ctype, content = ROUTES.get(key, (404, "text/plain", "no such answer"))
    if not isinstance(content, (str, bytes)):
        content = json.dumps(content, ensure_ascii=False)
    return status, ctype, content.encode() if isinstance(content, str) else content


class AnswerServer:
    """The cases' answers on 127.0.0.1 (an ephemeral port); counts what was asked."""

    def __init__(self) -> None:
        self.asked: defaultdict[str, int] = defaultdict(int)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, method: str) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                server.asked[f"{method} {self.path}"] += 1
                status, ctype, content = answer(method, self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


SETTINGS = {"as_of": AS_OF, "GOVCRAWL_BROWSER": False}


def drive(case: Case) -> tuple[Observation, list[Any]]:
    """One case through its adapter and the checks, as the spider would (without retries)."""
    row = case.row(BASE)
    adapter = get_adapter(row["platform"], SETTINGS)
    obs = Observation(case.id)
    queue = adapter.begin(row)
    while queue:
        f = queue.pop(0)
        parts = urlsplit(f.url)
        status, ctype, body = answer(f.method, parts.path + (f"?{parts.query}" if parts.query else ""),
                                     f.body)
        try:
            queue += adapter.dispatch(row, f, Resp(f.url, status, body, {"content-type": ctype}), obs)
        except AdapterError as e:
            obs.notice(f"media.{e.kind}", e.message, f.url, **e.data)
    adapter.finish(row, obs)
    return obs, check_account(row, obs, AS_OF)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_answer_through_its_adapter(case):
    obs, findings = drive(case)
    fired = {f.rule for f in findings}
    assert fired == case.fires, (fired, obs.notices)
    assert case.not_judged <= set(obs.unjudged), obs.unjudged
    assert not fired & set(obs.unjudged)
    kinds = {n["kind"] for n in obs.notices}
    assert case.notices - {"media.rate_limited"} <= kinds, kinds
    verdict = account_verdict(case.id, findings) if obs.checkable else None
    no_verdict = verdict is None or withheld(verdict, obs.unjudged)
    assert no_verdict == case.unchecked, (verdict, obs.unjudged)


def test_weibo_reads_the_since_id_page_and_the_whole_long_posts():
    obs, _ = drive(BY_ID["wb-since-id"])
    assert sorted(p.at[:10] for p in obs.posts) == ["2024-03-02", "2024-05-11", "2024-06-12",
                                                     "2024-06-19"]
    assert obs.posts_total == 40 and not obs.list_end  # stopped once past 2024-03-20
    obs, _ = drive(BY_ID["wb-long-text"])
    text = {p.id: p.text for p in obs.posts}
    assert text["5009000000000002"].endswith("下半年要再接再励，稳住经济大盘。")  # /statuses/extend
    assert text["5009000000000001"] == "示范市统计局开展统计执法检查，严肃查处统计造假。"  # /detail
    assert all(p.data["long_text"] == "full" for p in obs.posts)


def test_weibo_pinned_post_and_deleted_original():
    obs, findings = drive(BY_ID["wb-stale-reposts"])
    pinned = [p for p in obs.posts if p.data.get("pinned")]
    assert [p.at[:10] for p in pinned] == ["2023-05-01"]
    deleted = obs.find_post("5002000000000016")
    assert deleted.original is False and deleted.data["source_user"] is None
    ev = {f.rule: f.evidence for f in findings}
    assert ev["media.not_updated"]["newest_post"].startswith("2024-06-06")
    assert ev["media.no_original"]["read_back_to"].startswith("2024-03-10")


def test_weibo_limits_name_their_answer():
    for cid, answer_kind in (("wb-418", "418"), ("wb-403", "403"), ("wb-432", "432"),
                             ("wb-ok-100", "ok:-100")):
        obs, findings = drive(BY_ID[cid])
        assert findings == []
        limited = [n for n in obs.notices if n["kind"] == "media.rate_limited"]
        assert limited and limited[0]["data"]["answer"] == answer_kind
    obs, _ = drive(BY_ID["wb-ok-100"])
    assert "passport.weibo.cn" in obs.notices[0]["data"]["login_url"]


def test_kuaishou_posts_are_photos_with_millisecond_timestamps():
    obs, _ = drive(BY_ID["ks-init-state"])
    assert obs.profile.name == "示范文明" and obs.posts_total == 5
    assert [p.id for p in obs.posts][:2] == ["3xq7dwkn2a1", "3xq7dwkn2a2"]
    assert obs.posts[0].at == "2024-06-06T10:00:00" and obs.list_end


def test_a_signed_list_is_read_from_what_the_rendered_page_asked_for():
    case = BY_ID["dy-signed-list"]
    row = case.row(BASE)
    adapter = get_adapter("douyin", {**SETTINGS, "GOVCRAWL_BROWSER": True})
    status, ctype, page = answer("GET", urlsplit(row["url"]).path, None)
    obs = Observation(case.id)
    again = adapter.dispatch(row, adapter.begin(row)[0], Resp(row["url"], status, page), obs)
    assert [f.render for f in again] == [True] and again[0].data["capture"] == "/aweme/v1/web/aweme/post/"
    assert adapter.dispatch(row, again[0], Resp(row["url"], status, page, rendered=True, captured=[
        json.dumps(DOUYIN_AWEME_POST).encode()]), obs) == []
    assert [p.at[:10] for p in obs.posts] == ["2024-06-05", "2024-05-02"] and obs.list_end
    assert rules_of(check_account(row, obs, AS_OF)) == {"media.not_updated"}
    # the browser saw nothing (an empty body, as unsigned requests get): not read, not 0 posts
    obs = Observation(case.id)
    adapter.dispatch(row, again[0], Resp(row["url"], status, page, rendered=True, captured=[b""]), obs)
    assert set(obs.unreadable) == {"media.not_updated", "media.no_original"}


def rules_of(findings: list[Any]) -> set[str]:
    return {f.rule for f in findings}


def test_rsshub_reposts_keep_only_the_accounts_own_words():
    obs, _ = drive(BY_ID["rsshub-reposts"])
    assert obs.profile.name == "示范公安"
    assert all(p.original is False for p in obs.posts)
    first = next(p for p in obs.posts if p.at.startswith("2024-06-19"))
    assert first.text == "提醒广大市民注意防范电信诈骗！" and "警惕新型骗局" in first.data["quoted"]
    obs, _ = drive(BY_ID["rsshub-mixed"])
    assert [p.original for p in obs.posts] == [False, None, False]


def test_the_answers_through_scrapy_crawl_media(tmp_path):
    server = AnswerServer()
    try:
        reg = tmp_path / "registry.yaml"
        reg.write_text(yaml.safe_dump({"accounts": [c.row(server.base) for c in CASES]},
                                      allow_unicode=True), encoding="utf-8")
        store = tmp_path / "store.db"
        proc = run_media(reg, store, AS_OF, "-s", "GOVCRAWL_BROWSER=False")
    finally:
        server.stop()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    c = sqlite3.connect(store)
    c.row_factory = sqlite3.Row
    fired: defaultdict[str, set[str]] = defaultdict(set)
    for r in c.execute("SELECT site_id, rule FROM findings"):
        fired[r["site_id"]].add(r["rule"])
    notices: defaultdict[str, set[str]] = defaultdict(set)
    for r in c.execute("SELECT site_id, kind FROM notices"):
        notices[r["site_id"]].add(r["kind"])
    verdicts = {r["site_id"] for r in c.execute("SELECT site_id FROM verdicts")}
    data = {r["account_id"]: json.loads(r["data_json"]) for r in c.execute("SELECT * FROM accounts")}
    problems = []
    for case in CASES:
        got = fired.get(case.id, set())
        if got != case.fires:
            problems.append(f"{case.id}: fired {sorted(got)}, want {sorted(case.fires)}")
        if not case.not_judged <= set(data[case.id].get("unjudged") or {}):
            problems.append(f"{case.id}: unjudged {data[case.id].get('unjudged')}")
        if not case.notices <= notices[case.id]:
            problems.append(f"{case.id}: notices {sorted(notices[case.id])}")
        if (case.id in verdicts) == case.unchecked:
            problems.append(f"{case.id}: verdict {'given' if case.id in verdicts else 'missing'}")
        if case.unchecked and "media.unchecked" not in notices[case.id]:
            problems.append(f"{case.id}: no media.unchecked notice")
    assert not problems, "\n".join(problems)
    long_text = dict(c.execute("SELECT post_id, text FROM posts WHERE account_id='wb-long-text'"))
    assert "再接再励" in long_text["5009000000000002"]  # the wording check reads past the cut
    limited = [json.loads(r[0]) for r in c.execute(
        "SELECT data_json FROM notices WHERE kind='media.rate_limited' AND site_id='wb-432'")]
    assert {d["answer"] for d in limited} == {"432"} and len(limited) == 3  # 2 waits, then moving on
    assert date.fromisoformat(AS_OF)
