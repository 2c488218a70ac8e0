from govcrawl.text.normalize import light, normalize_term, squeeze


def orig_span(view, s, e, text):
    a, b = view.span(s, e)
    return text[a:b]


def test_light_is_one_to_one_for_plain_text():
    t = "國務院辦公廳ＡＢＣ１２３"
    v = light(t)
    assert len(v.text) == len(t)
    assert v.text == "国务院办公厅abc123"
    assert v.span(0, 3) == (0, 3)


def test_light_keeps_common_simplified_characters():
    t = "著作权法、乾坤、皇后"
    assert light(t).text == t


def test_light_drops_zero_width_and_spaces_between_cjk():
    t = "习\u200b近 平同志 said hi"
    v = light(t)
    assert v.text.startswith("习近平同志")
    i = v.text.index("习近平")
    assert orig_span(v, i, i + 3, t) == "习\u200b近 平"
    assert "said hi" in v.text  # spaces between Latin words stay


def test_squeeze_removes_symbols_and_repeats_and_maps_back():
    t = "推荐：澳★門✿金❦沙沙沙！"
    sv = squeeze(light(t))
    assert "澳门金沙" in sv.text
    i = sv.text.index("澳门金沙")
    assert orig_span(sv, i, i + 4, t) == "澳★門✿金❦沙"


def test_squeeze_after_light_drop_maps_back():
    t = "x\u200b澳\u200b门\u200b金 沙y"
    sv = squeeze(light(t))
    i = sv.text.index("澳门金沙")
    assert orig_span(sv, i, i + 4, t) == "澳\u200b门\u200b金 沙"


def test_normalize_term_matches_text_normalization():
    assert normalize_term("３６５ＢＥＴ", squeezed=True) == "365bet"
    assert normalize_term("澳門") == "澳门"
