"""The review application in process (Starlette's TestClient) over the report tests' history:
pages, escaping, reviews re-judging verdicts and the bulletin, CSRF, the access token, the
host check, screenshots only from the evidence folder, filters, pages, the 整改通知."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from govcrawl import history as H
from govcrawl.cli import main
from govcrawl.items import Finding
from govcrawl.scoring import read_verdicts
from govcrawl.store import Store
from tests.report.report_history import ID, SCRIPT_TITLE, leader, typo
from tests.web.conftest import csrf_of

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND"
       b"\xaeB`\x82")


def site_url(iid: int, sid: str) -> str:
    return f"/inspections/{iid}/sites/{sid}"


def verdict(path: Path, iid: int, sid: str) -> dict:
    store = Store(path, readonly=True)
    try:
        return next(v for v in read_verdicts(store, iid, "site") if v["site_id"] == sid)
    finally:
        store.close()


def review(client, iid: int, sid: str, key: str, state: str, note: str = "", **headers: str):
    page = client.get(site_url(iid, sid))
    return client.post(site_url(iid, sid) + "/review", data={
        "csrf": csrf_of(page.text), "key": key, "state": state, "note": note, "back": "severity=veto"},
        headers=headers, follow_redirects=False)


def test_pages_show_crawled_text_as_text_and_run_nothing(client, history):
    _, ids = history
    home = client.get("/")
    assert home.status_code == 200 and f"/inspections/{ids['q3']}" in home.text
    assert "2024年第三季度" in home.text and "政务新媒体" in home.text
    sites = client.get(f"/inspections/{ids['q3']}")
    assert sites.status_code == 200
    assert sites.text.count("不合格") >= 3 and "乙县财政局" in sites.text
    page = client.get(site_url(ids["q3"], ID["b2"]))
    assert page.status_code == 200
    assert SCRIPT_TITLE.replace("<", "&lt;").replace(">", "&gt;") in page.text  # the crawled title
    for r in (home, sites, page):
        assert "<script" not in r.text.lower()
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
    # the flagged span, highlighted inside its text; the suggestion
    assert "<mark>习近凭</mark>" in page.text and "建议：习近平" in page.text
    # an account inspection reads the same way
    media = client.get(f"/inspections/{ids['m3']}")
    assert media.status_code == 200 and "丙区融媒" in media.text
    assert client.get(site_url(ids["m3"], "dy-m4")).status_code == 200
    assert client.get(site_url(ids["q3"], "nosuchsite")).status_code == 404
    assert client.get("/inspections/999").status_code == 404


def test_false_alarm_rejudges_the_site_everywhere_and_the_bulletin_follows(client, history):
    path, ids = history
    q1, q3, b2 = ids["q1"], ids["q3"], ID["b2"]
    assert verdict(path, q3, b2)["result"] == "不合格"
    assert verdict(path, q1, b2)["result"] == "不合格"
    bulletin = client.get(f"/inspections/{q3}/bulletin")
    assert bulletin.status_code == 200 and "乙县财政局" in bulletin.text
    assert "<script" not in bulletin.text.lower()
    assert "style-src 'sha256-" in bulletin.headers["content-security-policy"]
    failing_before = _annex_failing(bulletin.text)
    assert "乙县财政局" in failing_before

    key = leader(b2, 133).key
    r = review(client, q3, b2, key, "false_alarm", note="引用的原文")
    assert r.status_code == 303
    assert r.headers["location"] == f"{site_url(q3, b2)}?severity=veto&done=false_alarm#f-{key[:12]}"
    after = client.get(r.headers["location"])
    assert "已保存复核结果：误报" in after.text and "引用的原文" in after.text
    assert re.search(r'class="verdict big pass">合格<', after.text)
    assert verdict(path, q3, b2)["result"] == "合格"
    # the same wrong name on the same page in Q1 (another offset, another key) is the same
    # false alarm: Q1's verdict is re-judged too
    assert verdict(path, q1, b2)["result"] == "合格"
    failing_after = _annex_failing(client.get(f"/inspections/{q3}/bulletin").text)
    assert failing_after == failing_before - {"乙县财政局"}
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        assert main(["verdicts", "--store", str(path), "--inspection", str(q3)]) == 0
    rows = {json.loads(x)["site_id"]: json.loads(x) for x in out.getvalue().splitlines()}
    assert rows[b2]["result"] == "合格"

    # changing one's mind: confirmed, and the site fails again in both inspections
    assert review(client, q3, b2, key, "confirmed").status_code == 303
    assert verdict(path, q3, b2)["result"] == "不合格"
    assert verdict(path, q1, b2)["result"] == "不合格"
    store = Store(path, readonly=True)
    row = store.conn.execute("SELECT state, note, reviewer FROM reviews WHERE key=?", (key,)).fetchone()
    assert tuple(row) == ("confirmed", None, "govcrawl serve")
    store.close()


def _annex_failing(html: str) -> set[str]:
    """Names the bulletin's first annex lists as 不合格."""
    return set(re.findall(r"<td>([^<]+)</td><td[^>]*>不合格</td>", html))


def test_review_state_filter_and_later_inspections_keep_the_decision(client, history):
    path, ids = history
    q2, q3, a1 = ids["q2"], ids["q3"], ID["a1"]
    # a1's 中华人民共合国 was dismissed in Q2; Q3 has it at another offset: shown as a false alarm
    page = client.get(site_url(q3, a1) + "?review=false_alarm")
    assert "中华人民共合国" in page.text and "误报" in page.text
    assert "没有符合条件的问题" in client.get(site_url(q3, a1) + "?review=none").text
    assert re.search(r'class="verdict big pass">合格<', page.text)
    assert "没有符合条件的问题" in client.get(site_url(q2, a1) + "?review=none").text


def test_csrf_is_required_for_every_review(client, history):
    path, ids = history
    q3, c1 = ids["q3"], ID["c1"]
    key = typo(c1, 33).key
    url = site_url(q3, c1) + "/review"
    client.get(site_url(q3, c1))  # the CSRF cookie
    token = csrf_of(client.get(site_url(q3, c1)).text)
    refused = [
        client.post(url, data={"key": key, "state": "false_alarm"}),  # no token
        client.post(url, data={"csrf": "0" * 64, "key": key, "state": "false_alarm"}),  # forged
        client.post(url, data={"csrf": token, "key": key, "state": "false_alarm"},
                    headers={"Origin": "http://evil.example"}),  # another origin
        client.post(url, data={"csrf": token, "key": key, "state": "false_alarm"},
                    headers={"Sec-Fetch-Site": "cross-site"}),
    ]
    client.cookies.clear()  # a page elsewhere cannot make the browser send the SameSite cookie
    refused.append(client.post(url, data={"csrf": token, "key": key, "state": "false_alarm"}))
    assert [r.status_code for r in refused] == [403] * 5
    store = Store(path, readonly=True)
    assert store.conn.execute("SELECT COUNT(*) FROM reviews WHERE key=?", (key,)).fetchone()[0] == 0
    store.close()
    # a bad state or a key of another site is refused too
    token = csrf_of(client.get(site_url(q3, c1)).text)
    assert client.post(url, data={"csrf": token, "key": key, "state": "deleted"}).status_code == 400
    other = leader(ID["b2"], 133).key
    assert client.post(url, data={"csrf": token, "key": other, "state": "confirmed"}).status_code == 404


def test_screenshots_only_from_the_evidence_folder(client, history, tmp_path):
    path, ids = history
    q3, c1 = ids["q3"], ID["c1"]
    evidence = path.with_name(path.name + ".evidence")
    f = typo(c1, 33)
    rel = f"{q3}/{c1}/{f.key[:16]}.png"
    (evidence / rel).parent.mkdir(parents=True)
    (evidence / rel).write_bytes(PNG)
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    (evidence / f"{q3}/{c1}/{'0' * 16}.png").symlink_to(secret)  # a link out of the folder
    store = Store(path)
    with store.tx() as c:
        c.execute("UPDATE findings SET evidence_json=? WHERE inspection_id=? AND key=?",
                  (json.dumps({"screenshot": rel, "screenshot_located": True}), q3, f.key))
        c.execute("UPDATE findings SET evidence_json=? WHERE inspection_id=? AND site_id=?",
                  (json.dumps({"screenshot": "../../secret.png"}), q3, ID["b2"]))
    store.close()
    page = client.get(site_url(q3, c1))
    assert f'<img src="/shots/{rel}"' in page.text and "问题位置已框出" in page.text
    img = client.get(f"/shots/{rel}")
    assert img.status_code == 200 and img.headers["content-type"] == "image/png" and img.content == PNG
    assert "<img" not in client.get(site_url(q3, ID["b2"])).text  # evidence naming a path outside
    for bad in ["../store.sqlite", "..%2fstore.sqlite", "%2e%2e/%2e%2e/etc/passwd",
                f"{q3}/{c1}/../../../store.sqlite", f"{q3}/{c1}/{'0' * 16}.png", "/etc/passwd",
                f"{q3}/{c1}/{f.key[:16]}.PNG", f"{q3}/{c1}/x.txt"]:
        r = client.get("/shots/" + bad)
        assert r.status_code == 404, bad
        assert r.content != PNG


def test_rectification_notice_with_screenshots(client, history):
    path, ids = history
    q3, c1 = ids["q3"], ID["c1"]
    evidence = path.with_name(path.name + ".evidence")
    f = typo(c1, 33)
    rel = f"{q3}/{c1}/{f.key[:16]}.png"
    (evidence / rel).parent.mkdir(parents=True)
    from PIL import Image

    Image.new("RGB", (640, 300), (255, 255, 255)).save(evidence / rel)
    store = Store(path)
    with store.tx() as c:
        c.execute("UPDATE findings SET evidence_json=? WHERE inspection_id=? AND key=?",
                  (json.dumps({"screenshot": rel}), q3, f.key))
    store.close()
    r = client.get(site_url(q3, c1) + "/rectification.docx")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert [n for n in z.namelist() if n.startswith("word/media/")]  # the screenshot
    doc = z.read("word/document.xml").decode("utf-8")
    assert "整改通知" in doc and "再接再励" in doc and "附：问题截图" in doc
    # `govcrawl report` puts the same screenshot into its per-site notice
    from govcrawl.report import write_report

    files = write_report(Store(path, readonly=True), path.parent / "report")
    notice = next(p for p in files.rectification if p.name == f"{c1}.docx")
    assert [n for n in zipfile.ZipFile(notice).namelist() if n.startswith("word/media/")]
    # nothing to rectify once the only finding is a false alarm
    assert review(client, q3, c1, f.key, "false_alarm").status_code == 303
    assert client.get(site_url(q3, c1) + "/rectification.docx").status_code == 404


def test_filters_search_and_pages(tmp_path):
    from starlette.testclient import TestClient

    from govcrawl.registry import Site
    from govcrawl.web import create_app

    path = tmp_path / "big.sqlite"
    store = Store(path)
    iid = store.create_inspection(as_of="2024-06-20")
    site = Site("6101000009", "甲市测试局", "http://127.0.0.1:9/t/", ("http://127.0.0.1:9/t/",), "甲市",
                "甲市测试局", "department")
    store.upsert_sites(iid, [site])
    fs = [Finding("content.typo", "deduct", site.id, url=f"http://127.0.0.1:9/t/p{i}.html",
                  text="再接再励", suggestion="再接再厉", start=i, end=i + 4, where="text",
                  column="工作动态" if i % 2 else "通知公告") for i in range(110)]
    fs += [Finding("content.leader_name", "veto", site.id, url="http://127.0.0.1:9/t/x.html",
                   text="习近凭", suggestion="习近平", start=5, end=8, where="text", column="要闻")]
    store.add_findings(iid, fs)
    H.set_review(store, fs[3].key, "to_check", note="再看看")
    store.close()
    with TestClient(create_app(str(path)), base_url="http://127.0.0.1") as c:
        url = site_url(iid, site.id)

        def cards(q: str = "") -> int:
            return c.get(url + q).text.count('<article class="finding')

        first = c.get(url).text
        assert first.count('<article class="finding') == 50 and "第 1/3 页" in first
        assert first.index("content.leader_name") < first.index("content.typo")  # vetoes first
        assert cards("?page=3") == 11 and cards("?page=99") == 11  # clamped to the last page
        assert cards("?severity=veto") == 1
        assert cards("?rule=content.typo&column=工作动态") == 50
        assert cards("?rule=content.typo&column=工作动态&page=2") == 5
        assert cards("?review=to_check") == 1 and "再看看" in c.get(url + "?review=to_check").text
        assert cards("?q=p17.html") == 1 and cards("?q=习近") == 1 and cards("?q=没有这个") == 0
        assert "符合条件 55 条" in c.get(url + "?column=工作动态").text
        assert 'href="?column=%E5%B7%A5%E4%BD%9C%E5%8A%A8%E6%80%81&amp;page=2"' in c.get(url + "?column=工作动态").text


def test_access_token_off_loopback(history, tmp_path, capsys, monkeypatch):
    from starlette.testclient import TestClient

    from govcrawl.web import create_app

    path, ids = history
    token = "t" * 24
    with TestClient(create_app(str(path), token=token, loopback=False),
                    base_url="http://10.1.2.3:8700") as c:
        r = c.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert c.get(f"/inspections/{ids['q3']}/bulletin", follow_redirects=False).status_code == 303
        assert c.get("/shots/1/x/0123456789abcdef.png").status_code == 401
        assert c.post(site_url(ids["q3"], ID["c1"]) + "/review", data={}).status_code == 401
        login = c.get("/login")
        bad = c.post("/login", data={"csrf": csrf_of(login.text), "token": "wrong"}, follow_redirects=False)
        assert bad.status_code == 401 and "令牌不正确" in bad.text
        good = c.post("/login", data={"csrf": csrf_of(login.text), "token": token}, follow_redirects=False)
        assert good.status_code == 303
        assert token not in good.headers["set-cookie"]  # an HMAC of it, never the token
        assert "httponly" in good.headers["set-cookie"].lower()
        assert c.get("/").status_code == 200
    with TestClient(create_app(str(path), token=token, loopback=False), base_url="http://10.1.2.3") as c:
        assert c.get("/", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert c.get("/", headers={"Authorization": "Bearer nope"}, follow_redirects=False).status_code == 303
    # the command refuses a non-loopback address without a token, and a short token
    monkeypatch.delenv("GOVCRAWL_SERVE_TOKEN", raising=False)
    assert main(["serve", "--store", str(path), "--host", "0.0.0.0", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "GOVCRAWL_SERVE_TOKEN" in err[0]
    monkeypatch.setenv("GOVCRAWL_SERVE_TOKEN", "short")
    assert main(["serve", "--store", str(path), "--port", "0"]) == 2
    assert "too short" in capsys.readouterr().err
    monkeypatch.delenv("GOVCRAWL_SERVE_TOKEN")
    assert main(["serve", "--store", str(tmp_path / "none.sqlite"), "--port", "0"]) == 2
    assert "store not found" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()


def test_loopback_server_answers_only_loopback_host_names(history):
    from starlette.testclient import TestClient

    from govcrawl.web import create_app

    path, _ = history
    with TestClient(create_app(str(path)), base_url="http://127.0.0.1") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"Host": "localhost:8700"}).status_code == 200
        assert c.get("/", headers={"Host": "[::1]:8700"}).status_code == 200
        assert c.get("/", headers={"Host": "rebound.example:8700"}).status_code == 421


@pytest.mark.parametrize("state", H.REVIEW_STATES)
def test_cli_review_and_web_review_agree(history, state):
    """`govcrawl review` and the review page share one path (history.review)."""
    path, ids = history
    key = typo(ID["c1"], 33).key
    assert main(["review", "--store", str(path), "--finding", key[:12], "--state", state]) == 0
    v = verdict(path, ids["q3"], ID["c1"])
    assert v["result"] == "合格"
    assert ("存在错别字" in v["problems"]) == (state != "false_alarm")


@pytest.mark.postgres
def test_the_desk_on_a_postgresql_store(history, pg_url):
    """The same pages and reviews on the shared store of several machines (the SQL of
    govcrawl.web.data written once, translated by govcrawl.db)."""
    from starlette.testclient import TestClient

    from govcrawl.cli.store import copy_tables
    from govcrawl.web import create_app

    path, ids = history
    src, dst = Store(path, readonly=True), Store(pg_url)
    copy_tables(src, dst)
    src.close()
    dst.close()
    q3, b2, a1 = ids["q3"], ID["b2"], ID["a1"]
    with TestClient(create_app(pg_url), base_url="http://127.0.0.1") as c:
        assert "乙县财政局" in c.get(f"/inspections/{q3}").text
        page = c.get(site_url(q3, b2) + "?q=习近&severity=veto")
        assert page.status_code == 200 and "<mark>习近凭</mark>" in page.text
        assert "误报" in c.get(site_url(q3, a1) + "?review=false_alarm").text  # same text dismissed
        key = leader(b2, 133).key
        r = c.post(site_url(q3, b2) + "/review", data={"csrf": csrf_of(page.text), "key": key,
                                                       "state": "false_alarm"}, follow_redirects=False)
        assert r.status_code == 303
        assert re.search(r'class="verdict big pass">合格<', c.get(site_url(q3, b2)).text)
        assert c.get(f"/inspections/{q3}/bulletin").status_code == 200
    assert verdict(pg_url, q3, b2)["result"] == "合格"
