"""The demo server: pages, encodings, list mechanisms, traps, cloaking, stats."""

from __future__ import annotations

import html
import json
import re
import socket
import threading
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urljoin

import pytest

from govcrawl.demo import DemoServer, build_world

from .conftest import AS_OF, fetch

BAIDU = {"User-Agent": "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
         "Referer": "https://www.baidu.com/s?wd=%E7%A4%BA%E8%8C%83%E5%B8%82"}


def decode(headers: dict[str, str], body: bytes) -> str:
    m = re.search(rb'charset=["\']?([\w-]+)', body[:1024])
    return body.decode(m.group(1).decode() if m else "utf-8", errors="replace")


def test_every_required_page_is_served(world_server):
    world, _ = world_server
    m = world.manifest
    bad = []
    for sid, s in m["sites"].items():
        for url in sorted(s["pages"] | s["browser_only"] | s["attachments"]):
            status, _, _ = fetch(url)
            if status != 200:
                bad.append((sid, url, status))
    assert not bad


def test_every_page_carries_site_tags(world_server):
    world, _ = world_server
    for sid, s in world.manifest["sites"].items():
        for url in sorted(s["pages"])[:15]:
            status, h, body = fetch(url)
            text = decode(h, body)
            assert f'<meta name="SiteName" content="{s["name"]}">' in text, url


def test_gbk_site_declares_charset_only_in_meta(world_server):
    world, _ = world_server
    s = world.site("9901020001")
    status, h, body = fetch(s.url())
    assert status == 200 and "charset" not in h["Content-Type"].lower()
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=gbk">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert "东湖区人民政府" in text
    assert re.search(r'<span class="date">\d\d-\d\d</span>', text)  # year implied on the homepage
    col = next(c for c in s.columns if c.date_fmt == "bracket")
    _, _, lb = fetch(s.url(col.path))
    assert re.search(r"\[\d{4}-\d\d-\d\d\]", lb.decode("gbk"))
    col = next(c for c in s.columns if c.date_fmt == "cn")
    _, _, lb = fetch(s.url(col.path))
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", lb.decode("gbk"))
    _, _, ab = fetch(s.url(col.items[0].path))
    assert 'id="UCAP-CONTENT"' in ab.decode("gbk") and "发布时间：" in ab.decode("gbk")
    # ?page=N pagination reaches every item exactly once
    seen = []
    for n in range(1, col.pages + 1):
        _, _, lb = fetch(s.url(f"{col.path}?page={n}"))
        seen += re.findall(r'href="([^"]*/content/post_\d+\.html)"', lb.decode("gbk"))
    assert sorted(seen) == sorted(i.path for i in col.items)


def test_trs_pagination_only_by_create_page_html(world_server):
    world, _ = world_server
    s = world.site("9901000001")
    col = next(c for c in s.columns if c.pages >= 3)
    status, _, body = fetch(s.url(col.path))
    text = body.decode("utf-8")
    m = re.search(r'createPageHTML\((\d+), (\d+), "index", "html"\)', text)
    assert m and int(m.group(1)) == col.pages and m.group(2) == "0"
    assert "index_1.html" not in re.sub(r"<script>function createPageHTML.*?</script>", "", text, flags=re.S)

    def items(page: str, base: str) -> list[str]:
        ul = re.search(r'<ul class="list">(.*?)</ul>', page, re.S).group(1)
        return [urljoin(base, h) for h in re.findall(r'<li><a href="([^"]+)"', ul)]

    seen = items(text, col.path)
    for n in range(1, col.pages):
        st, _, b = fetch(s.url(f"{col.path}index_{n}.html"))
        assert st == 200
        assert f'createPageHTML({col.pages}, {n}, "index", "html")' in b.decode()
        seen += items(b.decode(), f"{col.path}index_{n}.html")
    assert fetch(s.url(f"{col.path}index_{col.pages}.html"))[0] == 404
    assert sorted(seen) == sorted(i.path for i in col.items)
    it = col.items[0]
    assert re.fullmatch(rf"{col.path}\d{{6}}/t\d{{8}}_\d+\.html", it.path)
    _, _, ab = fetch(s.url(it.path))
    a = ab.decode()
    assert 'class="TRS_Editor"' in a and "当前位置：" in a
    for tag in ("ArticleTitle", "PubDate", "ContentSource", "ColumnName", "SiteIDCode"):
        assert f'<meta name="{tag}"' in a
    assert re.search(r'<meta name="PubDate" content="\d{4}-\d\d-\d\d \d\d:\d\d">', a)


def test_hanweb_dataproxy_xml(world_server):
    world, _ = world_server
    s = world.site("9901000002")
    col = next(c for c in s.columns if c.name == "工作动态")
    _, _, body = fetch(s.url(col.path))
    page = body.decode()
    assert not any(it.path in page for it in col.items)  # the list is not in the page itself
    first = html.unescape(re.search(r'url:"([^"]+dataproxy\.jsp[^"]+)"', page).group(1))
    assert first.startswith(s.prefix)  # the endpoint lies inside the department's scope
    url, seen, total = s.url(first), [], None
    while url:
        st, h, xml = fetch(url)
        assert st == 200 and h["Content-Type"].startswith("text/xml")
        root = ET.fromstring(xml)
        total = int(root.findtext("totalrecord"))
        for rec in root.iter("record"):
            seen += re.findall(r'href="([^"]+)"', rec.text)
        nxt = re.search(r'href="([^"]+)"', root.findtext("nextgroup") or "")
        url = urljoin(url, html.unescape(nxt.group(1))) if nxt else None
    assert total == len(col.items)
    assert seen == [i.path for i in col.items]
    # POST with form fields, as jpage.js on real sites sends it
    st, _, xml = fetch(s.url(s.dataproxy + "?startrecord=1&endrecord=15&perpage=15"), method="POST",
                       data=f"col=1&webid=2&columnid={col.cid}&unitid={col.cid + 7000}".encode())
    assert st == 200 and len(list(ET.fromstring(xml).iter("record"))) == 15
    blank = next(c for c in s.columns if c.blank)
    _, _, bp = fetch(s.url(blank.path))
    assert "暂无信息" in bp.decode()


def test_json_endpoint_and_browser_only_column(world_server):
    world, _ = world_server
    s = world.site("9901230001")
    col = next(c for c in s.columns if c.name == "县政府动态")
    _, _, body = fetch(s.url(col.path))
    page = body.decode()
    api = re.search(r'var listUrl = "([^"]+)"', page).group(1)
    assert api.endswith("page=1")
    seen = []
    st, h, data = fetch(s.url(api))
    d = json.loads(data)
    assert h["Content-Type"].startswith("application/json") and d["total"] == len(col.items)
    for p in range(1, d["pages"] + 1):
        d = json.loads(fetch(s.url(api[:-1] + str(p)))[2])
        seen += [x["url"] for x in d["list"]]
    assert seen == [i.path for i in col.items]
    hidden = next(c for c in s.columns if c.browser_only)
    _, _, hb = fetch(s.url(hidden.path))
    text = hb.decode()
    for it in hidden.items:
        assert it.path not in text and it.title not in text  # invisible without running the script
    blob = re.search(r'var s="([^"]+)"', text).group(1)
    decoded = json.loads(unquote(blob[::-1]))
    assert [x[1] for x in decoded] == [i.path for i in hidden.items]
    assert json.loads(fetch(s.url(s.p(f"api/list?channel={hidden.cid}&page=1")))[2])["total"] == 0


def test_trap_urls_are_endless(world_server):
    world, _ = world_server
    s = world.site("9901000003")
    url, seen = s.url("/rl/calendar.html"), set()
    for _ in range(40):
        st, _, body = fetch(url)
        assert st == 200 and url not in seen
        seen.add(url)
        url = urljoin(url, html.unescape(re.search(r'href="([^"]+)">下个月', body.decode()).group(1)))
    url, seen = s.url("/bsfw/list.jsp"), set()
    for _ in range(40):
        st, _, body = fetch(url)
        assert st == 200 and url not in seen
        seen.add(url)
        url = urljoin(url, re.search(r'href="([^"]+)">刷新列表', body.decode()).group(1))


def test_redirects(world_server):
    world, _ = world_server
    s = world.site("9901000003")
    st, h, _ = fetch(s.url("/r/a.html"))
    assert st == 302 and h["Location"] == "/r/b.html"
    st, h, _ = fetch(s.url("/r/b.html"))
    assert st == 302 and h["Location"] == "/r/a.html"
    st, h, _ = fetch(s.url("/r/out.html"))
    assert st == 302 and h["Location"] in world.manifest["out_of_scope"]


def test_huge_page_streams_and_server_survives(world_server):
    world, _ = world_server
    s = world.site("9901000003")
    st, h, _ = fetch(s.url("/files/big.html"), method="HEAD")
    assert st == 200 and int(h["Content-Length"]) > 50 * 1024 * 1024
    for path in ("/files/big.html", "/files/big-nolength.html"):
        with socket.create_connection(("127.0.0.1", world.ports["jtj"])) as c:
            c.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
            got = b""
            while len(got) < 1 << 20:
                got += c.recv(65536)
        assert got.startswith(b"HTTP/1.0 200")
    assert fetch(s.url("/"))[0] == 200


def test_problem_pages(world_server):
    world, _ = world_server
    s = world.site("9901000003")
    st, h, body = fetch(s.url("/xwzx/bad-bytes.html"))
    assert st == 200 and "utf-8" in h["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert fetch(s.url("/error/500.html"))[0] == 500
    assert fetch(s.url("/xxgk/missing.html"))[0] == 404
    assert fetch(s.url("/images/missing.png"))[0] == 404
    broken = [p for p in world.manifest["planted"] if p["rule"] == "link.broken" and p["site_id"] == s.id]
    refused = [p["target"] for p in broken if str(world.ports["refused"]) in p["target"]]
    assert refused
    _, _, page = fetch(broken[0]["url"])
    for p in broken:
        assert p["target"].split(str(world.ports["jtj"]))[-1] in page.decode() or p["target"] in page.decode()
    with pytest.raises(OSError):
        fetch(refused[0])
    types = {}
    for url in world.manifest["sites"]["9901000003"]["attachments"]:
        st, h, _ = fetch(url)
        types[url.rsplit(".", 1)[1]] = h["Content-Type"]
    assert types == {"pdf": "application/pdf", "doc": "application/msword",
                     "xls": "application/vnd.ms-excel", "zip": "application/zip"}
    odd = [c for c in world.manifest["controls"] if c["kind"] == "odd_date"]
    texts = [fetch(c["url"])[2].decode() for c in odd]
    assert any("二〇" in t for t in texts) and any("-02-30" in t for t in texts)


def test_cloaking_only_for_baiduspider_from_baidu(world_server):
    world, _ = world_server
    p = next(p for p in world.manifest["planted"] if p.get("evidence", {}).get("cloaking"))
    title = lambda b: re.search(r"<title>(.*?)</title>", b.decode()).group(1)  # noqa: E731
    plain = title(fetch(p["url"])[2])
    spider_only = title(fetch(p["url"], {"User-Agent": BAIDU["User-Agent"]})[2])
    cloaked = title(fetch(p["url"], BAIDU)[2])
    assert p["text"] in cloaked
    assert p["text"] not in plain and plain == spider_only


def test_planted_and_control_texts_appear_where_the_manifest_says(world_server):
    world, _ = world_server
    m = world.manifest
    for e in m["planted"] + m["controls"]:
        if "text" not in e or "url" not in e:
            continue
        headers = BAIDU if e.get("evidence", {}).get("cloaking") else None
        st, h, body = fetch(e["url"], headers)
        page = html.unescape(decode(h, body))
        if "fromCharCode" in e.get("note", ""):
            assert e["text"] not in page  # only the script shows it
            codes = re.search(r"String\.fromCharCode\(([\d,]+)\)", page).group(1)
            page = "".join(chr(int(c)) for c in codes.split(","))
            assert e["target"] in page
        assert st == 200 and e["text"] in page, e


def test_hidden_links_and_controls_on_hacked_homepage(world_server):
    world, _ = world_server
    s = world.site("9901000004")
    page = fetch(s.url())[2].decode()
    hidden = re.search(r'<div style="display:none">(.*?)</div>', page).group(1)
    targets = {p["target"] for p in world.manifest["planted"]
               if p["rule"] == "content.hidden_link" and p["url"] == s.url()}
    assert targets and all(t in hidden for t in targets)
    assert all(world.netloc("wlj") not in t for t in targets)  # all outside the site
    assert 'style="display:none"><li><a href="/tzgg/">' in page  # own collapsed menu (control)
    assert "document.write(d.getFullYear()" in page
    assert world.site("9901000001").url() in page  # friendly link


def test_letters_and_identity(world_server):
    world, _ = world_server
    m = world.manifest
    slow = next(p for p in m["planted"] if p["rule"] == "interaction.slow_reply")
    page = fetch(slow["url"])[2].decode()
    assert slow["evidence"]["submitted"] in page and slow["evidence"]["replied"] in page
    un = next(p for p in m["planted"] if p["rule"] == "interaction.unanswered")
    page = fetch(un["url"])[2].decode()
    assert "办理中" in page
    portal = fetch(world.site("9901000001").url())[2].decode()
    for needle in ("bszs.conac.cn", "主办单位", "联系电话", "网站标识码：9901000001", "beian.miit.gov.cn",
                   "beian.gov.cn/portal/registerSystemInfo", "zfwzgl.www.gov.cn/exposure/jiucuo.html"):
        assert needle in portal
    gbk = fetch(world.site("9901020001").url())[2].decode("gbk")
    assert "beian.miit.gov.cn" not in gbk and "jiucuo" not in gbk


def test_unreachable_site_refuses(world_server):
    world, _ = world_server
    with pytest.raises(OSError):
        fetch(world.site("9901000006").url())


def test_stats_track_concurrency_duplicates_and_headers():
    world = build_world(AS_OF, scale="demo", seed=2)
    with DemoServer(world, latency=0.5) as server:
        s = world.site("9901000005")
        urls = [s.url(p) for p in sorted(s.required)[:4]]
        start = threading.Barrier(4)

        def get(u):
            start.wait()
            fetch(u, {"User-Agent": "demo-test", "Referer": s.url()})

        threads = [threading.Thread(target=get, args=(u,)) for u in urls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        fetch(urls[0])
        st = server.stats()[s.id]
        assert st["max_concurrency"] == 4
        assert st["duplicates"] == {f"GET {urls[0]}": 2}
        assert st["duplicates_same_ua"] == {}  # first time with "demo-test", then urllib's own
        fetch(urls[0])
        assert server.stats()[s.id]["duplicates_same_ua"] == {f"GET {urls[0]}": 2}
        assert ("GET", urls[1], "demo-test", s.url()) in st["log"]
        assert st["total"] == 5 and server.stats()[s.id]["total"] == 6
        # the department under the portal's path is counted apart from the portal
        dept = world.site("9901000002")
        fetch(dept.url())
        assert server.stats()[dept.id]["total"] == 1
        assert world.site("9901000001").id not in server.stats()


def test_site_whose_every_link_is_broken(world_server):
    world, _ = world_server
    s = world.site("9901000007")
    st, _, body = fetch(s.url())
    page = body.decode()
    assert st == 200 and "网站标识码：9901000007" in page
    targets = [p["target"] for p in world.manifest["planted"]
               if p["rule"] == "link.broken" and p["site_id"] == s.id]
    assert len(targets) >= 5
    for t in targets:
        if str(world.ports["refused"]) in t:
            with pytest.raises(OSError):
                fetch(t)
        else:
            assert fetch(t)[0] >= 400, t
    hrefs = set(re.findall(r'(?:href|src)="([^"#]+)"', page))
    internal = {urljoin(s.url(), h) for h in hrefs if not h.startswith("http") or "127.0.0.1" in h}
    internal -= {s.url("/css/style.css"), s.url("/images/red.png"), s.url("/images/ga.png")}  # footer
    assert internal <= set(targets) | {s.url()}


def test_letters_list_without_reply_fields(world_server):
    world, _ = world_server
    c = next(c for c in world.manifest["controls"] if c["kind"] == "letters_list_without_reply_fields")
    page = fetch(c["url"])[2].decode()
    assert "回复时间" not in page and "来信时间" not in page
    detail = re.search(r'<li><a href="([^"]+letter[^"]*|[^"]+\.html)">', page.split('<ul class="list">')[1]).group(1)
    assert "回复时间" in fetch(urljoin(c["url"], detail))[2].decode()


def test_template_site_carries_the_interface_elements_of_real_templates(world_server):
    """示范市科学技术局 is built like a real site: the elements the sweeps must not flag
    (tests/hacked/test_demo_sweep.py, tests/checks/test_e2e_checks.py and
    tests/text/test_e2e_wording.py assert no finding on them) are really on its pages."""
    world, _ = world_server
    s = world.site("9901000008")
    home = fetch(s.url())[2].decode("utf-8")
    for piece in ('class="subnav" style="display:none"', "<select", "www.gov.cn", 'class="swiper-slide" style',
                  'class="tab-con" style="display:none"', "<h4>友情链接</h4><ul style=\"display:none\">",
                  "我为政府网站找错", "技术支持：", "无障碍", "长者模式", "今天是：2024年6月22日",
                  'class="hd-sj" style="display:none"', 'class="ft-sj" style="display:none"'):
        assert piece in home, piece
    ev = next(it for c in s.columns for it in c.items if "科技活动周" in it.title)
    page = fetch(s.url(ev.path))[2].decode("utf-8")
    assert f"<title>{s.name}</title>" in page  # a generic <title>
    for piece in ("网站首页</a> &gt; 详情页", "您现在的位置：", 'class="bdsharebuttonbox" id="bdshare" style="display:none"',
                  "成文日期：", "报名截止时间：2024-06-25", "本页生成日期：2024-06-22", 'class="sidebar"',
                  'class="pc-article hidden-xs"', 'class="m-article visible-xs"'):
        assert piece in page, piece
    typo = next(p for p in world.manifest["planted"] if p["site_id"] == s.id and p["rule"] == "content.typo")
    article = fetch(typo["url"])[2].decode("utf-8")
    assert article.count(typo["text"]) == 1 and "摄于" in article  # in the mobile copy only; a photo credit
    mobile = article.index('class="m-article')
    assert article.index(typo["text"]) > mobile
