"""The script reader never fails on what real pages hold: CJK identifiers and strings, raw
newlines inside literals, unterminated strings, comments and regexes, arbitrary Unicode.

A page whose script the reader cannot tokenise loses its hacked-page checks; so the reader
must answer (possibly "nothing written") for any input.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from govcrawl.checks.hacked.analysis import analyze
from govcrawl.checks.hacked.scripts import decode_script, tokenize

# pieces real scripts are made of, CJK and broken forms included
PIECES = st.sampled_from([
    "var ", "建", "设", "中文", "= ", "1", "0x1F", ".5", "1e3", "'", '"', "`", "\n", "\\", "\\u", "\\x4",
    "document.write(", "String.fromCharCode(", "unescape(", "atob(", "eval(", ")", "(", "+", ";",
    "/", "/*", "*/", "//", "<!--", "[", "]", "{", "}", ",", ".split('')", ".reverse()", ".join('')",
    "function(p,a,c,k,e,d){", "'<a href=\"http://x.example/\">开云</a>'", "²", "١", "\u3000", "　",
    "innerHTML=", "location.href=", "document.title=", "$", "_", "建设银行", "\r\n",
])
SCRIPTS = st.one_of(
    st.lists(PIECES, max_size=60).map("".join),
    st.text(max_size=300),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCRIPTS)
def test_tokenize_and_decode_never_fail(src: str) -> None:
    toks = tokenize(src)
    assert all(t[0] in ("s", "n", "i", "p", "r") for t in toks)
    for w in decode_script(src):
        assert isinstance(w.value, str)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCRIPTS)
def test_page_with_any_script_is_analysed(src: str) -> None:
    body = src.replace("</", "<\\/")
    html = f"<html><body><p>正文</p><script>{body}</script></body></html>"
    a = analyze(html, "http://site.example/a.html", lambda u: "site.example" in u)
    assert a.title == ""


def test_cjk_identifier_and_newline_in_string() -> None:
    """The two shapes seen on real pages: `var 建 = 1;` and a string broken by a raw newline
    followed by CJK text; the reader goes on and still decodes the write after them."""
    src = ('var 建 = 1;\nvar s = "第一行\n第二行";\n'
           'document.write(String.fromCharCode(60,97,62,20013,60,47,97,62));')
    toks = tokenize(src)
    assert ["i", "建", set()] in toks
    assert any(w.sink == "write" and w.value == "<a>中</a>" for w in decode_script(src))
