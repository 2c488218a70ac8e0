"""The dictionary typo detector on a small dictionary of our own."""

import pytest

from govcrawl.text import TextChecker

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


@pytest.fixture
def small(lexdir):
    (lexdir / "dict.txt").write_text(WORDS, encoding="utf-8")
    (lexdir / "typo.yaml").write_text(
        f"dictionary: {lexdir / 'dict.txt'}\nmin_freq: 20\nmin_freq_short: 200\nmargin: 4.0\n",
        encoding="utf-8")
    return TextChecker(lexdir)


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
    (lexdir / "dict.txt").write_text(WORDS, encoding="utf-8")
    (lexdir / "user.txt").write_text(lines, encoding="utf-8")
    (lexdir / "typo.yaml").write_text(
        f"dictionary: {lexdir / 'dict.txt'}\nmin_freq: 20\nmin_freq_short: 200\nmargin: 4.0\n"
        f"user_words: [user.txt]\n{extra}", encoding="utf-8")
    return TextChecker(lexdir)


def test_user_word_is_a_candidate_source(lexdir):
    ch = _user(lexdir)
    hits = ch.check("推动数字经记发展。")
    assert [(h.text, h.suggestion) for h in hits] == [("数字经记", "数字经济")]
    assert not ch.check("推动数字经济发展。")


def test_without_user_words_nothing_is_reported(small):
    assert not small.check("推动数字经记发展。")


def test_user_word_other_tone_follows_the_setting(lexdir):
    assert [h.suggestion for h in _user(lexdir).check("要晚善机制。")] == ["完善机制"]
    assert not _user(lexdir, "user_other_tone: false\n").check("要晚善机制。")


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
