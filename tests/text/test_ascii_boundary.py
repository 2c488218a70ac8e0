"""content.illegal in page text: an ASCII term respects word boundaries (rules.md, "Evidence
before a veto"); Chinese terms and full-width or padded evasions still match."""

from govcrawl.text.boundary import inside_ascii_word


def illegal(checker, text):
    return [h.text for h in checker.check(text) if h.rule == "content.illegal"]


def test_ascii_term_inside_an_identifier_or_longer_word_is_no_match(checker):
    assert illegal(checker, "页面脚本调用 loadBet365Ad() 加载广告位。") == []
    assert illegal(checker, "请访问 www.mybet365shop.com 了解详情。") == []
    assert illegal(checker, "本课程介绍Java片段的写法。") == []


def test_ascii_term_as_a_word_and_evasions_still_match(checker):
    assert illegal(checker, "最新bet365官网入口，注册即送。") == ["bet365"]
    assert illegal(checker, "访问 bet365.com 进入") == ["bet365"]
    assert illegal(checker, "最新ｂｅｔ３６５官网入口") == ["ｂｅｔ３６５"]


def test_boundary_looks_only_at_ascii_ends():
    assert inside_ascii_word("loadBet365Ad", 4, 10)
    assert not inside_ascii_word("在bet365下注", 1, 7)
    assert inside_ascii_word("java片段", 3, 5)  # a片 glued to 'v'
    assert not inside_ascii_word("看a片", 1, 3)
    assert not inside_ascii_word("澳门金沙abc", 0, 4)  # a Chinese end has no boundary to respect
