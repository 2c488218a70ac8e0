"""Static decoding of script-written content."""

from __future__ import annotations

import base64

import pytest

from govcrawl.checks.hacked.scripts import decode_script, unpack
from .hacked_fixtures import char_codes, pack

LINK = '<a href="http://spam.example.com/">开云体育</a>'


def writes(src: str) -> list[tuple[str, str, list[str], str | None]]:
    return [(w.sink, w.value, w.encodings, w.conditional) for w in decode_script(src)]


@pytest.mark.parametrize("src, encoding", [
    (f"document.write(String.fromCharCode({char_codes(LINK)}));", "fromCharCode"),
    (f"document.write(String.fromCharCode.apply(null,[{char_codes(LINK)}]));", "fromCharCode"),
    ("document.write(unescape('" + "".join(f"%u{ord(c):04X}" for c in LINK) + "'));", "unescape"),
    ("document.write(decodeURIComponent('" + "".join(f"%{b:02X}" for b in LINK.encode()) + "'));", "unescape"),
    (f"document.write(atob('{base64.b64encode(LINK.encode()).decode()}'));", "atob"),
    (f"window['document']['write'](window.atob(\"{base64.b64encode(LINK.encode()).decode()}\"));", "atob"),
    ("document.write(\"" + "".join(f"\\u{ord(c):04x}" for c in LINK) + "\");", "escape"),
    ('var a="<a hr";a+="ef=\\"http://spam.example.com/\\">";a+="开云体育</a>";document.write(a);', "concat"),
    (f"document.write('{LINK[::-1]}'.split('').reverse().join(''));", "reverse"),
    (pack(f"document.write('{LINK}')"), "packed"),
    (f"eval(\"document.write(String.fromCharCode({char_codes(LINK)}))\")", "eval"),
    (f"document.getElementById('x').innerHTML = String.fromCharCode({char_codes(LINK)});", "fromCharCode"),
    (f"el.insertAdjacentHTML('beforeend', unescape('{''.join(f'%u{ord(c):04X}' for c in LINK)}'))", "unescape"),
])
def test_decodes_common_forms(src: str, encoding: str) -> None:
    got = decode_script(src)
    assert any(w.value == LINK and w.sink == "write" for w in got), writes(src)
    w = next(w for w in got if w.value == LINK)
    assert encoding in w.encodings


def test_packer_round_trip() -> None:
    code = 'document.write("<a href=\\"http://x.example/\\">x</a>");var a=1;'
    got = decode_script(pack(code))
    assert [w.value for w in got] == ['<a href="http://x.example/">x</a>']
    assert unpack("0 1 0", 62, 2, ["foo", "bar"]) == "foo bar foo"


def test_search_engine_conditions() -> None:
    ua = writes('if(/baiduspider|sogou/i.test(navigator.userAgent)){document.title="\\u5348\\u591c";}')
    assert ua == [("title", "午夜", ["escape"], "ua")]
    ref = writes('var r=document.referrer;if(r.indexOf("baidu")>0){location.href="http://x.example/"}')
    assert ref == [("redirect", "http://x.example/", [], "referrer")]
    rep = writes('if(document.referrer.match(/so.com|sm.cn/)){window.location.replace("http://y.example/")}')
    assert rep == [("redirect", "http://y.example/", [], "referrer")]


def test_decoded_string_passed_to_unknown_helper() -> None:
    got = writes(f"show(String.fromCharCode({char_codes(LINK)}));")
    assert got == [("decoded", LINK, ["fromCharCode"], None)]


@pytest.mark.parametrize("src", [
    "document.write('<a href=\"/index.html\">返回首页</a>');",
    "document.write(new Date().getFullYear());",
    "var x = a / b / c; var re = /ab+c/g; document.write('<b>' + x + '</b>');",
    "",
    "((((((",
    "'unterminated",
    "/* open comment",
    "eval(function(p,a,c,k,e,d){return p}('x',62,1,'',0,{}))",
])
def test_harmless_or_broken_scripts(src: str) -> None:
    for w in decode_script(src):
        assert "http" not in w.value


def test_plain_write_is_not_obfuscated() -> None:
    (w,) = decode_script("document.write('<a href=\"http://a.example/\">a</a>');")
    assert not w.obfuscated
    codes = char_codes('<a href="http://a.example/">a</a>')
    (w,) = decode_script(f"document.write(String.fromCharCode({codes}));")
    assert w.obfuscated
