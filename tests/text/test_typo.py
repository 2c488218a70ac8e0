"""The dictionary typo detector on a small dictionary of our own."""

from pathlib import Path

import pytest

from govcrawl.text import TextChecker

ROOT = Path(__file__).resolve().parents[2]

WORDS = """\
发展 50000
机制 20000
工作 80000
财政 30000
财政局 5000
负责 40000
安全 40000
基础 40000
总体 20000
方案 20000
总体方案 3000
林业局 2000
加强 50000
政府 80000
"""


def _small(lexdir, words: str = WORDS, extra: str = "") -> TextChecker:
    """A checker on a dictionary of our own (`words`), with typo.yaml settings `extra`."""
    (lexdir / "dict.txt").write_text(words, encoding="utf-8")
    (lexdir / "typo.yaml").write_text(
        f"dictionary: {lexdir / 'dict.txt'}\nmin_freq: 20\nmin_freq_short: 200\nmargin: 4.0\n{extra}",
        encoding="utf-8")
    return TextChecker(lexdir)


@pytest.fixture
def small(lexdir):
    return _small(lexdir)


def test_candidates_are_built(small):
    assert small.typo is not None and small.typo.n_candidates > 0


def test_near_miss_non_word_is_reported_with_suggestion(small):
    text = "原则同意总休方案。"
    hits = small.check(text)
    assert [(h.rule, h.text, h.suggestion) for h in hits] == [("content.typo", "总休方案", "总体方案")]
    assert text[hits[0].start:hits[0].end] == "总休方案"


def test_clean_text_is_silent(small):
    assert not small.check("加强政府安全基础工作，财政局负责总体方案。")


def test_typo_off_when_dictionary_none(lexdir):
    (lexdir / "typo.yaml").write_text("dictionary: none\n", encoding="utf-8")
    assert TextChecker(lexdir).typo is None


def test_macbert_hook_with_a_stand_in_model(lexdir, monkeypatch, tmp_path):
    """The optional MacBERT step, with a stand-in for pycorrector's class (no torch,
    no model here): only confusable one-character fixes are reported."""
    import sys
    import types

    class FakeMacBert:
        def __init__(self, path):
            self.path = path

        def correct_batch(self, sentences, threshold=0.7):
            out = []
            for s in sentences:
                errs = []
                if "机智" in s:
                    errs.append(("智", "制", s.index("机智") + 1))
                if "蓝天" in s:
                    errs.append(("蓝", "白", s.index("蓝天")))  # not confusable: dropped
                out.append({"source": s, "target": s, "errors": errs})
            return out

    mod = types.ModuleType("pycorrector.macbert.macbert_corrector")
    mod.MacBertCorrector = FakeMacBert
    monkeypatch.setitem(sys.modules, "pycorrector.macbert.macbert_corrector", mod)
    model = tmp_path / "model"
    model.mkdir()
    (lexdir / "typo.yaml").write_text(f"dictionary: none\nmacbert_dir: {model}\n", encoding="utf-8")
    checker = TextChecker(lexdir)
    text = "今天蓝天白云。完善发展机智。"
    hits = checker.check(text)
    assert [(h.rule, h.text, h.suggestion, h.evidence["detector"]) for h in hits] == \
        [("content.typo", "智", "制", "macbert")]
    assert text[hits[0].start:hits[0].end] == "智"


def test_macbert_dir_must_exist(lexdir, tmp_path):
    from govcrawl.text import LexiconError

    (lexdir / "typo.yaml").write_text(f"dictionary: none\nmacbert_dir: {tmp_path / 'nope'}\n",
                                      encoding="utf-8")
    with pytest.raises(LexiconError, match="macbert_dir"):
        TextChecker(lexdir)


# -- user dictionaries (typo.yaml user_words) -----------------------------------

def _user(lexdir, extra: str = "", lines: str = "数字经济\tshu4 zi4 jing1 ji4\n完善机制\n附能\n") -> TextChecker:
    (lexdir / "user.txt").write_text(lines, encoding="utf-8")
    return _small(lexdir, extra=f"user_words: [user.txt]\n{extra}")


def test_user_word_is_a_candidate_source(lexdir):
    ch = _user(lexdir)
    hits = ch.check("推动数字经记发展。")
    assert [(h.text, h.suggestion) for h in hits] == [("数字经记", "数字经济")]
    assert not ch.check("推动数字经济发展。")


def test_without_user_words_nothing_is_reported(small):
    assert not small.check("推动数字经记发展。")


def test_user_word_other_tone_follows_the_setting(lexdir):
    assert [h.suggestion for h in _user(lexdir).check("要晚善机制。")] == ["完善机制"]
    # (the pinyin check reads syllables without tones, so it is off here: this is about
    # the one-character near-miss candidates alone)
    assert [h.suggestion for h in _user(lexdir, "pinyin_words: false\n").check("要晚善机制。")] == ["完善机制"]
    assert not _user(lexdir, "user_other_tone: false\npinyin_words: false\n").check("要晚善机制。")


def test_short_user_word_is_known_but_no_source(lexdir):
    ch = _user(lexdir)
    assert "附能" in ch.typo.words and "附能" not in ch.typo.user_sources
    assert not ch.check("加强附能工作，付能工作。")
    ch2 = _user(lexdir, "user_min_len: 2\n")
    assert [h.text for h in ch2.check("加强付能工作。")] == ["付能"]


def test_user_words_bad_line_names_file_and_line(lexdir):
    from govcrawl.text import LexiconError

    with pytest.raises(LexiconError, match=r"user.txt:2: want 'word'"):
        _user(lexdir, lines="数字经济\n数字 经济\n")


def test_user_words_missing_file_names_the_setting(lexdir):
    from govcrawl.text import LexiconError

    (lexdir / "typo.yaml").write_text("user_words: [nope.txt]\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"typo.yaml: setting user_words: file .*nope.txt not found"):
        TextChecker(lexdir)


# -- character model and homophones (typo.yaml char_lm) -------------------------

def test_char_lm_learn_save_load_and_delta(tmp_path):
    from govcrawl.text.charlm import CharLM

    lm = CharLM.learn(["进一步完善机制。"] * 5 + ["他很机智"] * 5, order=4, min_count=2)
    p = tmp_path / "lm.txt"
    assert lm.save(p) == len(lm.counts)
    back = CharLM.load(p)
    assert back.counts == lm.counts and back.order == 4
    assert back.delta("要进一步完善机智", 6, 8, "机制") > 1
    assert back.delta("他很机智", 2, 4, "机制") < 0


def test_char_lm_bad_line_names_file_and_line(tmp_path):
    from govcrawl.text import LexiconError
    from govcrawl.text.charlm import CharLM

    p = tmp_path / "lm.txt"
    p.write_text("# header\n完\t3\n完善 x\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lm.txt:3: want 'ngram<TAB>count'"):
        CharLM.load(p)


def _lm_checker(lexdir, corpus: list[str], extra: str = "") -> TextChecker:
    from govcrawl.text.charlm import CharLM

    CharLM.learn(corpus, order=4, min_count=1).save(lexdir / "lm.txt")
    return _small(lexdir, WORDS + "完善 30000\n机智 20000\n他 30000\n很 30000\n",
                  "char_lm: lm.txt\nlm_margin: 1.0\nlm_seg_margin: -20\nlm_margin_real: 1.0\n"
                  f"lm_seg_margin_real: -20\n{extra}")


CORPUS = ["进一步完善机制，加强政府工作。"] * 20 + ["他很机智。"] * 5


def test_homophone_real_word_is_caught_with_the_char_model(lexdir, tmp_path):
    ch = _lm_checker(lexdir, CORPUS, "lm_max_seen: 100\n")
    hits = ch.check("要进一步完善机智。")
    assert [(h.text, h.suggestion) for h in hits] == [("机智", "机制")]
    (lexdir / "typo.yaml").write_text(f"dictionary: {lexdir / 'dict.txt'}\nmin_freq: 20\n"
                                      "min_freq_short: 200\nmargin: 4.0\n", encoding="utf-8")
    assert not TextChecker(lexdir).check("要进一步完善机智。")  # without the model: silent


def test_homophone_attested_as_written_stays_silent(lexdir):
    ch = _lm_checker(lexdir, CORPUS)  # 机智 seen 5 times > lm_max_seen 2
    assert not ch.check("要进一步完善机智。")
    assert not ch.check("进一步完善机制。")


def test_homophone_margin_is_honoured(lexdir):
    ch = _lm_checker(lexdir, CORPUS, "lm_max_seen: 100\nlm_margin_real: 1000\n")
    assert not ch.check("要进一步完善机智。")


def test_char_lm_missing_file_is_a_lexicon_error(lexdir):
    from govcrawl.text import LexiconError

    (lexdir / "typo.yaml").write_text("char_lm: nope.txt\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"typo.yaml: setting char_lm: file .*nope.txt not found"):
        TextChecker(lexdir)


# -- character substitutions learned from a labelled file (train_pairs) ---------

def _pairs(lexdir, train: str | None) -> TextChecker:
    (lexdir / "dict.txt").write_text(WORDS + "党委 20000\n", encoding="utf-8")
    cfg = f"dictionary: {lexdir / 'dict.txt'}\nmin_freq: 20\nmin_freq_short: 200\nmargin: 4.0\nmargin_short: 4.0\n"
    if train is not None:
        (lexdir / "train.tsv").write_text(train, encoding="utf-8")
        cfg += "train_pairs: [train.tsv]\n"
    (lexdir / "typo.yaml").write_text(cfg, encoding="utf-8")
    return TextChecker(lexdir)


def test_train_pairs_extend_the_confusable_table(lexdir):
    assert not _pairs(lexdir, None).check("报请兑委研究。")
    ch = _pairs(lexdir, "1\t向兑委报告\t向党委报告\n0\t加强工作\t加强工作\n")
    assert [(h.text, h.suggestion) for h in ch.check("报请兑委研究。")] == [("兑委", "党委")]


def test_train_pairs_bad_line_names_file_and_line(lexdir):
    from govcrawl.text import LexiconError

    with pytest.raises(LexiconError, match=r"train.tsv:2: want 'source<TAB>target'"):
        _pairs(lexdir, "向兑委报告\t向党委报告\n只有一列\n")


def test_learn_char_lm_command(tmp_path):
    import json

    from govcrawl.text.charlm import CharLM
    from govcrawl.text.learn import main

    src = tmp_path / "reports.jsonl"
    src.write_text("\n".join(json.dumps({"year": y, "content": t}, ensure_ascii=False)
                             for y, t in ((2010, "完善机制完善机制"), (2020, "数字经济数字经济"))),
                   encoding="utf-8")
    tgt = tmp_path / "train.tsv"
    tgt.write_text("1\t依法刑政\t依法行政\n1\t依法刑政\t依法行政\n", encoding="utf-8")
    out = tmp_path / "lm.txt"
    assert main(["--char-lm", str(out), "--text", str(src), "--targets", str(tgt),
                 "--max-year", "2015"]) == 0
    lm = CharLM.load(out)
    assert lm.counts["完善"] == 2 and "数字" not in lm.counts
    assert lm.counts["行政"] == 2 and "刑政" not in lm.counts


def test_hom_fuzzy_reads_blurred_pinyin(lexdir):
    corpus = ["进一步完善机制，加强政府工作。"] * 20
    # 晚上 (wan shang) is not 完善 (wan shan) unless the pinyin is compared loosely
    assert not _lm_checker(lexdir, corpus, "lm_max_seen: 100\n").check("要进一步晚上机制。")
    ch = _lm_checker(lexdir, corpus, "lm_max_seen: 100\nhom_fuzzy: true\n")
    assert [(h.text, h.suggestion) for h in ch.check("要进一步晚上机制。")] == [("晚上", "完善")]


# -- words typed by their pinyin (typo.yaml pinyin_words) ---------------------------

PINYIN_WORDS = WORDS + "联席会议 3000\n联席 800\n会议 60000\n办公室 20000\n设在 3000\n民政部 2000\n"


def _pinyin_checker(lexdir, extra: str = "", words: str = PINYIN_WORDS) -> TextChecker:
    return _small(lexdir, words, f"pinyin_min_freq: 100\n{extra}")


def test_word_typed_with_wrong_characters_of_its_pinyin(lexdir):
    """联席悔意 has the syllables of 联席会议 (lian xi hui yi): two characters differ,
    which no one-character near-miss can see."""
    ch = _pinyin_checker(lexdir)
    text = "联席悔意办公室设在民政部。"
    hits = ch.check(text)
    assert [(h.rule, h.text, h.suggestion) for h in hits] == [("content.typo", "联席悔意", "联席会议")]
    assert text[hits[0].start:hits[0].end] == "联席悔意"
    assert not ch.check("联席会议办公室设在民政部。")


def test_pinyin_words_follow_their_settings(lexdir):
    text = "联席悔意办公室设在民政部。"
    assert not _pinyin_checker(lexdir, "pinyin_words: false\n").check(text)
    assert not _pinyin_checker(lexdir, "pinyin_margin: 99\n").check(text)
    assert not _pinyin_checker(lexdir, "pinyin_min_freq: 5000\n").check(text)  # 联席会议 is 3000


def test_pinyin_match_that_is_itself_a_common_word_is_silent(lexdir):
    (lexdir / "extra.txt").write_text("联系会议\n", encoding="utf-8")
    ch = _pinyin_checker(lexdir, f"user_words: [{lexdir / 'extra.txt'}]\nuser_min_len: 9\n"
                                 "user_word_freq: 500\n")
    assert not ch.check("联系会议办公室设在民政部。")


# -- the word model (typo.yaml word_lm; Debian's libime-data-language-model) --------

def _debian_lm() -> str:
    from govcrawl.text.wordlm import default_path

    p = default_path()
    assert p, "Debian's libime-data-language-model is not installed: run `make system-deps`"
    return p


def test_word_lm_reads_the_debian_model():
    from govcrawl.text.wordlm import WordLM

    lm = WordLM(_debian_lm())
    assert lm.order == 3
    assert lm.segment("进一步完善制度") == ["进一步", "完善", "制度"]
    text = "要进一步晚上制度。"
    assert lm.delta(text, 4, 6, "完善") > 5  # 晚上 → 完善: the model prefers it clearly
    assert lm.delta("要进一步完善制度。", 4, 6, "晚上") < -5


def test_word_lm_auto_in_the_shipped_settings_finds_the_debian_model():
    from govcrawl.text.lexicon import load_typo

    s = load_typo(ROOT / "lexicons" / "typo.yaml")
    assert s.word_lm == _debian_lm() and s.word_lm_wanted


def test_word_lm_confirms_a_near_miss_the_dictionary_alone_lets_pass(lexdir):
    """建没 → 建设: too little segmentation gain for margin_short on its own; the word
    model, reading 规范化 before it, agrees, so with the model it is reported."""
    import shutil

    lex = lexdir / "repo"
    shutil.copytree(ROOT / "lexicons", lex)
    text = "推进政务公开标准化规范化建没。"
    with open(lex / "typo.yaml", "a", encoding="utf-8") as fh:
        fh.write("\nword_lm: ''\n")
    assert not TextChecker(lex).check(text)
    with open(lex / "typo.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"\nword_lm: {_debian_lm()}\n")
    hits = TextChecker(lex).check(text)
    assert [(h.text, h.suggestion) for h in hits] == [("建没", "建设")]


def test_word_lm_bad_files_are_lexicon_errors(lexdir, tmp_path):
    from govcrawl.text import LexiconError

    (lexdir / "typo.yaml").write_text("word_lm: nope.lm\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"typo.yaml: setting word_lm: file .*nope.lm not found"):
        TextChecker(lexdir)
    bad = tmp_path / "bad.lm"
    bad.write_text("this is not a language model\n", encoding="utf-8")
    (lexdir / "typo.yaml").write_text(f"word_lm: {bad}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad.lm: not a KenLM model"):
        TextChecker(lexdir)


def test_word_lm_auto_without_the_model_warns_and_runs(lexdir, monkeypatch, caplog):
    import govcrawl.text.wordlm as wordlm

    monkeypatch.setattr(wordlm, "DEBIAN_LM", str(lexdir / "absent" / "zh_CN.lm"))
    (lexdir / "dict.txt").write_text(PINYIN_WORDS, encoding="utf-8")
    (lexdir / "typo.yaml").write_text(f"dictionary: {lexdir / 'dict.txt'}\nword_lm: auto\n",
                                      encoding="utf-8")
    with caplog.at_level("WARNING"):
        ch = TextChecker(lexdir)
    assert ch.typo.lm is None
    assert any("libime-data-language-model is not installed" in r.getMessage() for r in caplog.records)


def test_rarer_two_character_words_are_sources_only_with_the_word_model(lexdir):
    """阻碍 is below min_freq_short in jieba's dictionary: without a model 组碍 is no
    candidate; with one (lm_min_freq_short) it is, and the model confirms it."""
    import shutil

    lex = lexdir / "repo"
    shutil.copytree(ROOT / "lexicons", lex)
    text = "不得以任何理由组碍交通。"
    with open(lex / "typo.yaml", "a", encoding="utf-8") as fh:
        fh.write("\nlm_min_freq_short: 1000\n")
    ch = TextChecker(lex)
    assert ch.typo.words["阻碍"] < ch.typo.s.min_freq_short
    assert not ch.check(text)
    with open(lex / "typo.yaml", "a", encoding="utf-8") as fh:
        fh.write("\nlm_min_freq_short: 200\n")
    hits = TextChecker(lex).check(text)
    assert [(h.text, h.suggestion) for h in hits] == [("组碍", "阻碍")]
    with open(lex / "typo.yaml", "a", encoding="utf-8") as fh:
        fh.write("\nword_lm: ''\n")
    assert not TextChecker(lex).check(text)  # no model: rarer words are no sources


def test_personal_names_of_the_dictionary_are_no_pinyin_sources(lexdir):
    """A name tagged nr in the dictionary (罗振玉) is not what a homophone name (罗振宇,
    a person on a staff page) was meant to be."""
    ch = _pinyin_checker(lexdir, words=PINYIN_WORDS + "罗振玉 400 nr\n罗振 100 nr\n")
    assert "罗振玉" in ch.typo.names
    assert not ch.check("办公室主任罗振宇设在民政部。")
    assert [h.suggestion for h in ch.check("联席悔意办公室设在民政部。")] == ["联席会议"]


# -- look-alike characters from rendered glyphs (typo.yaml shape_table) ------------

def test_shape_table_adds_look_alike_candidates(lexdir):
    """木/术 and 肋/助 are in no pycorrector table; lexicons/shapes.txt (measured on the
    glyphs) has them, so 技木 and 救肋 become near-misses of 技术 and 救助."""
    import shutil

    from govcrawl.text.lexicon import load_shape_table

    table = load_shape_table(ROOT / "lexicons" / "shapes.txt")
    assert "术" in table["木"] and "助" in table["肋"] and "木" in table["术"]
    lex = lexdir / "repo"
    shutil.copytree(ROOT / "lexicons", lex)
    text = "推广先进适用技木，对困难群众给予救肋。"
    hits = TextChecker(lex).check(text)
    assert [(h.text, h.suggestion) for h in hits] == [("技木", "技术"), ("救肋", "救助")]
    with open(lex / "typo.yaml", "a", encoding="utf-8") as fh:
        fh.write("\nshape_table: ''\n")
    assert not TextChecker(lex).check(text)


def test_shape_table_bad_line_names_file_and_line(lexdir):
    from govcrawl.text import LexiconError

    (lexdir / "shapes.txt").write_text("# look-alikes\n木\t术\n木 术\n", encoding="utf-8")
    (lexdir / "typo.yaml").write_text("shape_table: shapes.txt\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"shapes.txt:3: want 'char<TAB>look-alike characters'"):
        TextChecker(lexdir)


def test_shape_table_generator_writes_a_table_the_checker_reads(tmp_path):
    """The generator itself (Pillow renders the Debian CJK font): 木 and 术 differ by one
    stroke, so each is the other's nearest glyph.  (pillow and numpy come with the
    test extras; the checker does not need them.)"""
    from govcrawl.text.lexicon import load_shape_table
    from govcrawl.text.shapes import DEFAULT_FONT, glyph_table

    table = glyph_table(["木", "术", "水", "国", "圃", "人"], DEFAULT_FONT, 1, 0.8)
    assert "术" in table["木"] and "人" not in table.get("国", set())
    out = tmp_path / "s.txt"
    from govcrawl.text.shapes import main

    assert main(["--out", str(out)]) == 0
    assert "术" in load_shape_table(out)["木"]


# -- overlapping candidates, the closer reading of flagged sentences, masked words --------
@pytest.fixture(scope="module")
def shipped():
    """The repository's lexicons as shipped (jieba's dictionary and Debian's word model)."""
    _debian_lm()
    return TextChecker(ROOT / "lexicons")


def _shipped_with(tmp_path, extra: str) -> TextChecker:
    import shutil

    lex = tmp_path / "lex"
    shutil.copytree(ROOT / "lexicons", lex)
    with open(lex / "typo.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"\n{extra}\n")
    return TextChecker(lex)


def _found(ch: TextChecker, text: str) -> list[tuple[str, str]]:
    return [(h.text, h.suggestion) for h in ch.check(text) if h.rule == "content.typo"]


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """As shipped but without the official vocabulary (user_words: []): the tests of the
    detector's readings use it, since a listed word would find their errors first."""
    _debian_lm()
    return _shipped_with(tmp_path_factory.mktemp("plain"), "user_words: []")


def test_official_vocabulary_finds_misspelt_institutions_and_terms(shipped, plain, tmp_path):
    """lexicons/official_words.txt: errors in words jieba's dictionary lacks (示范基地,
    应急救援, 市场监管局) are found with it, not without."""
    texts = {"全区新认定两个省级示范极地。": [("示范极地", "示范基地")],
             "本单位将全力做好应急久远准备。": [("应急久远", "应急救援")],
             "市时常监管局开展专项检查。": [("市时常监管局", "市市场监管局")],
             "县卫生建康局发布通知。": [("县卫生建康局", "县卫生健康局")]}
    for text, want in texts.items():
        assert _found(shipped, text) == want
        assert _found(plain, text) == []
    # listed words take no probability from the others: 发展 scores alike with and without
    assert shipped.typo._segd["发展"] == plain.typo._segd["发展"]
    assert shipped.typo._segd["示范基地"][0] > plain.typo.unk
    # written forms that are right too (法制宣传教育 for years, 水务局 beside 税务局): the
    # word model decides (user_two_words), and it does not prefer the listed word
    right = ["深入开展法制宣传教育。", "市水务局召开防汛工作会议。"]
    notwo = _shipped_with(tmp_path, "user_two_words: false")
    for text in right:
        assert _found(shipped, text) == []
        assert _found(notwo, text) != []


def test_overlapping_candidates_are_all_weighed(shipped):
    """全问 (a near miss of 全文) overlaps 问提: with leftmost-longest matching the
    automaton never offered 问提 → 问题; every overlapping match is weighed now."""
    assert _found(shipped, "要全面排查安全问提和隐患。") == [("问提", "问题")]


def test_numerals_are_never_a_pinyin_misspelling(shipped):
    # 七十亿 reads qi shi yi like 七十一: numbers are written as meant
    assert _found(shipped, "就可以节省出七十亿到一百亿元的资金。") == []
    assert _found(shipped, "比上年的五十亿一千万元增长一倍。") == []


def test_deep_reading_finds_the_second_misspelling_of_a_flagged_sentence(plain, tmp_path):
    """委贝会 is neither a homophone nor a look-alike of 委员会: only the masked-word
    reading finds it, and by default only in a sentence that already has a finding."""
    text = "请各地认真组织时施，县委贝会要加强督导。"
    assert _found(plain, text) == [("时施", "实施"), ("委贝会", "委员会")]
    # the same error in a sentence with no other finding: not looked for by default
    assert _found(plain, "由市发展和改革委贝会牵头。") == []
    # a flagged sentence next to it is read on its own: the deep pass stays in its sentence
    assert _found(plain, "由市发展和改革委贝会牵头。请各地认真组织时施。") == [("时施", "实施")]
    # a page repeating it: only the first sentences are read closely, but a misspelling
    # confirmed there is reported wherever it occurs
    counts = {(h.text, h.suggestion): h.count for h in plain.check(text * 40) if h.rule == "content.typo"}
    assert counts == {("时施", "实施"): 40, ("委贝会", "委员会"): 40}
    nodeep = _shipped_with(tmp_path, "user_words: []\ndeep: false")
    assert _found(nodeep, text) == [("时施", "实施")]


def test_masked_words_everywhere_when_asked(tmp_path):
    ch = _shipped_with(tmp_path, "masked_words: true")
    assert _found(ch, "由市发展和改革委贝会牵头。") == [("委贝会", "委员会")]
    # a character that belongs to a common word is no misspelling (企业生 is no 毕业生)
    assert _found(ch, "推动企业生产经营稳定恢复。") == []
    # traditional characters read as simplified: 年産量 is 年产量, correctly written
    assert _found(ch, "全年産量比上年增加。") == []


def test_t2s_table_maps_traditional_characters():
    from govcrawl.text.normalize import t2s_table

    t = t2s_table()
    assert "年産量經濟".translate(t) == "年产量经济"
    assert "产".translate(t) == "产"


def test_deep_reading_stays_near_its_finding():
    """An unpunctuated page (a long list) is one 'sentence': the closer reading takes at
    most _SENT_MAX characters on each side of a finding, and sentence ends stop it."""
    from govcrawl.text.typo import _SENT_MAX, _sentence

    text = "工作动态" * 10000
    lo, hi = _sentence(text, 20000)
    assert (lo, hi) == (20000 - _SENT_MAX, 20000 + _SENT_MAX)
    assert _sentence("第一句。第二句有错；第三句", 6) == (4, 9)


def test_lone_confusable_characters_on_every_sentence_when_asked(shipped, tmp_path):
    """A character that is in no common word, next to one that a same-reading character
    would make a common word of (昌 → 常 in 日昌, 抗 → 康 in 健抗): found on every sentence
    with lone_near, not by default (the near-miss automaton only weighs same-tone and
    look-alike characters of two-character words)."""
    on = _shipped_with(tmp_path, "lone_near: true")
    texts = {"由市科技局负责项目的日昌管理。": [("日昌", "日常")],
             "保障人民群众生命安全和身体健抗。": [("健抗", "健康")]}
    for text, want in texts.items():
        assert _found(on, text) == want
        assert _found(shipped, text) == []
    # never a traditional form (衞 reads wei like 卫), a name before 同志, or a real term
    # the dictionary lacks but whose characters are in common words (提质)
    for text in ("区衞生局召开会议。", "会见了郭明义同志。", "推进家政服务业提质扩容。"):
        assert _found(on, text) == []


def test_rare_lone_characters_on_every_sentence_by_default(plain, tmp_path):
    """With lone_near off (the default), the same candidates are still read on every
    sentence where the misread character is a rare one (outside the lone_rare_rank most used
    characters): 铯 for 色, 渎 for 续, 惜 for 系.  lone_rare_rank: 0 turns that off."""
    texts = {"鼓励有条件的地区特铯发展。": [("特铯", "特色")],
             "年内持渎推进老旧小区改造。": [("持渎", "持续")],
             "完善标准化体惜建设。": [("体惜", "体系")]}
    off = _shipped_with(tmp_path, "user_words: []\nlone_rare_rank: 0")
    for text, want in texts.items():
        assert _found(plain, text) == want
        assert _found(off, text) == []
    # a rare character in a word (婺源, 原子钟) or a name before 同志 is no misspelling
    for text in ("江西省婺源县召开会议。", "研制铯原子钟。", "会见了郭渎同志。"):
        assert _found(plain, text) == []
    # only rare characters: a common one (昌 in 日昌) is left to lone_near
    assert _found(plain, "由市科技局负责项目的日昌管理。") == []


def test_deep_reading_takes_lone_confusable_characters_with_smaller_margins(plain, tmp_path):
    """In a sentence that already has a finding, a lone confusable character needs less
    model gain (deep_lone_lm_margin 6, not 12): 跟宗 → 跟踪 (model gain about 9)."""
    text = "各部门要加强跟宗督促，认真组织时施。"
    assert _found(plain, text) == [("跟宗", "跟踪"), ("时施", "实施")]
    assert _found(plain, "各部门要加强跟宗督促。") == []
    same = _shipped_with(tmp_path, "user_words: []\ndeep_lone_lm_margin: 12.0")  # no smaller margin: not read
    assert _found(same, text) == [("时施", "实施")]


def test_clause_window_matches_a_character_walk():
    import random

    from govcrawl.text.typo import CLAUSE_END, clause_window

    def walk(text, start, end, pad):
        lo = start
        while lo > 0 and start - lo < pad and text[lo - 1] not in CLAUSE_END:
            lo -= 1
        hi = end
        while hi < len(text) and hi - end < pad and text[hi] not in CLAUSE_END:
            hi += 1
        return lo, hi

    rnd = random.Random(7)
    for _ in range(20000):
        text = "".join(rnd.choice("甲乙丙丁，。 的[]\n") for _ in range(rnd.randint(0, 20)))
        a = rnd.randint(0, len(text))
        b = rnd.randint(a, len(text))
        pad = rnd.randint(0, 7)
        assert clause_window(text, a, b, pad) == walk(text, a, b, pad), (text, a, b, pad)


def test_charmap_and_to_simplified_match_str_translate():
    from govcrawl.text.normalize import CharMap, _translate_table, t2s_table, to_simplified

    m = CharMap(_translate_table())
    for text in ("", "ＧｏｖＣｒａｗｌ 產業發展", "😀 astral 𠀀 and a lone \ud800 surrogate",
                 "年産量 著作", "plain ascii"):
        assert m(text) == text.translate(_translate_table())
        assert to_simplified(text) == text.translate(t2s_table())
    with pytest.raises(ValueError):
        CharMap({ord("a"): "bc"})


def test_alone_agrees_with_the_lone_mask(shipped):
    """`_alone` (one position, for the lone confusable characters) and `_lone` (numpy, a
    whole text, for the masked words) are one rule: a character in no common word of two
    or three characters, read as simplified."""
    import random

    from govcrawl.text.normalize import to_simplified

    det = shipped.typo
    rnd = random.Random(3)
    base = "国务院关于进一步加强安全生产工作的决定各地区部门要认真贯彻落实産業健设跟宗日昌"
    checked = 0
    for _ in range(300):
        text = "".join(rnd.choice(base) for _ in range(rnd.randint(3, 30)))
        mask = det._lone(text)[0]
        simple = to_simplified(text)
        for p, c in enumerate(text):
            # the mask also leaves out common single-character words and function characters
            if c in det.skip or det.words.get(simple[p], 0) >= det.s.masked_single_max:
                continue
            assert det._alone(simple, p) == bool(mask is not None and mask[p]), (text, p)
            checked += 1
    assert checked > 1000
