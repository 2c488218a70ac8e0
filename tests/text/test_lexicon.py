import pytest

from govcrawl.text import TextChecker
from govcrawl.text.lexicon import LexiconError, load_all

ROOT_LEX = __import__("pathlib").Path(__file__).resolve().parents[2] / "lexicons"


def test_repository_lexicons_load():
    lex = load_all(ROOT_LEX)
    assert lex.illegal and lex.leaders and lex.formulations and lex.prohibited and lex.confusions
    names = {ld.name for ld in lex.leaders}
    assert {"习近平", "李强", "赵乐际", "王沪宁", "韩正", "李克强"} <= names


@pytest.mark.parametrize("name,content,where", [
    ("illegal.txt", "澳门金沙 赌博 veto\n凯发 赌博\n", ":2:"),
    ("illegal.txt", "澳门金沙 赌钱 veto\n", ":1:"),
    ("illegal.txt", "澳门金沙 赌博 fatal\n", ":1:"),
    ("illegal.txt", "# c\n澳门金沙 赌博 veto\n澳门金沙 赌博 veto\n", ":3:"),
    ("confusions.txt", "再接再励 再接再厉\n截止目前\n", ":2:"),
    ("confusions.txt", "再接再励 再接再励\n", ":1:"),
    ("words.txt", "抗疫\n施策 many\n", ":2:"),
    ("formulations.txt", "两个确立\n两个 维护 x\n", ":2:"),
    ("leaders.yaml", "titles:\n  国务院总理: {before: [国务院总理]}\nleaders:\n  - name: 李强\n"
                     "    titles:\n      - {title: 国务院总理, from: 2023-13-40}\n", ":6:"),
    ("leaders.yaml", "titles:\n  国务院总理: {before: [国务院总理]}\nleaders:\n  - name: 李强\n"
                     "    titles:\n      - {title: 总统, from: 2023-03-11}\n", ":6:"),
    ("leaders.yaml", "titles: [\n", ":"),
    ("prohibited.yaml", "- term: 北朝鲜\n  suggestion: 朝鲜\n- term: 台湾总统\n  level: banned\n", ":3:"),
    ("prohibited.yaml", "- term: 中华民国\n  suggestion: 台湾地区\n  unless: {before_yr: 1949}\n", ":1:"),
    ("typo.yaml", "margin: lots\n", "typo.yaml"),
])
def test_bad_line_names_file_and_line(lexdir, name, content, where):
    (lexdir / name).write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as e:
        TextChecker(lexdir)
    msg = str(e.value)
    assert name in msg and where in msg, msg
    assert "\n" not in msg


def test_not_utf8_is_reported(lexdir):
    (lexdir / "illegal.txt").write_bytes("澳门金沙 赌博 veto\n".encode("gbk"))
    with pytest.raises(LexiconError, match="illegal.txt: not UTF-8"):
        TextChecker(lexdir)


def test_missing_directory(tmp_path):
    with pytest.raises(LexiconError, match="not found"):
        TextChecker(tmp_path / "nope")
