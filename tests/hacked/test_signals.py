"""Outbound host risk and the signals file."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcrawl.checks.hacked.signals import HostJudge, SignalsError, load_signals, looks_random, registrable


@pytest.fixture(scope="module")
def hosts() -> HostJudge:
    return HostJudge(load_signals())


@pytest.mark.parametrize("url, strong", [
    ("http://www.365bet.com/", True),
    ("http://bet365-vip.cc/", True),
    ("http://www.amjs8888.com/", True),
    ("http://casino-royal.example/", True),
    ("http://www.baijiale-yl.net/", True),
    ("http://www.xk9qzpw7.com:8899/", True),  # random-looking name on an odd port
    ("http://www.alphabet.com/", False),
    ("http://www.essex.ac.uk/", False),
    ("http://www.icbc.com.cn/", False),
    ("http://www.12306.cn/", False),
    ("http://www.sgcc.com.cn/", False),
])
def test_strong_signals(hosts: HostJudge, url: str, strong: bool) -> None:
    assert bool(hosts.assess(url).strong) is strong, hosts.assess(url)


@pytest.mark.parametrize("url, weak", [
    ("http://t.cn/A6abcd", "shortener"),
    ("http://103.45.67.8/x.html", "raw IP"),
    ("http://www.a8c6e2k9.cn/", "random-looking"),
    ("http://www.qzxkwptrm.com/", "random-looking"),
    ("http://shop.example.com:8686/", "unusual port"),
])
def test_weak_signals(hosts: HostJudge, url: str, weak: str) -> None:
    r = hosts.assess(url)
    assert any(weak in w for w in r.weak), r
    assert not r.strong


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/", "http://192.168.1.10/oa/", "http://www.zhengfuwang.com/",
    "http://www.shanxijiaotong.com/", "http://www.chinamobile.com/", "http://www.hnsavings.com/",
])
def test_no_signal(hosts: HostJudge, url: str) -> None:
    assert not hosts.assess(url).risky, hosts.assess(url)


@pytest.mark.parametrize("url", ["http://www.weinan.gov.cn/", "http://xxgk.mzj.gov.cn:8080/",
                                 "https://bszs.conac.cn/sitename", "http://www.people.com.cn/"])
def test_trusted(hosts: HostJudge, url: str) -> None:
    assert hosts.assess(url).trusted


def test_idn_is_decoded_for_the_checker(hosts: HostJudge) -> None:
    r = hosts.assess("http://www." + "澳门赌场".encode("idna").decode() + ".com/")
    assert r.idn == "www.澳门赌场.com"


def test_helpers() -> None:
    assert registrable("a.b.example.com.cn") == "example.com.cn"
    assert registrable("www.example.com") == "example.com"
    assert looks_random("x7kq9zpw3") and not looks_random("beijingnews")


@pytest.mark.parametrize("content, where", [
    ("trusted gov.cn\nbogus x\n", ":2: unknown kind"),
    ("gambling (unclosed\n", ":1: bad regular expression"),
    ("trusted\n", ":1: expected"),
])
def test_bad_signals_file_names_file_and_line(tmp_path: Path, content: str, where: str) -> None:
    p = tmp_path / "signals.txt"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(SignalsError) as e:
        load_signals(p)
    assert str(p) in str(e.value) and where in str(e.value)
