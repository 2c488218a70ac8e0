"""Which characters get confused with which, and which words exist.

The tables are read from files that installed packages already ship, never
downloaded and never imported as code:

* pycorrector's data directory (same pinyin with/without tone, similar shape,
  common characters).  It is located with `importlib.util.find_spec`, which
  does not run pycorrector's package `__init__` (that one imports torch and
  transformers and costs seconds).
* jieba's bundled dictionary (word, frequency) - read as a file, so jieba's own
  lazy dictionary load (about a second) never happens.

When pycorrector's data is missing, same-pinyin tables are rebuilt from
pypinyin (homophones only; no shape table).
"""

from __future__ import annotations

import importlib.util
import logging
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def pycorrector_data_dir() -> Path | None:
    d = _package_dir("pycorrector")
    if d is None or not (d / "data").is_dir():
        return None
    return d / "data"


def jieba_dict_path() -> Path | None:
    d = _package_dir("jieba")
    if d is None or not (d / "dict.txt").is_file():
        return None
    return d / "dict.txt"


@lru_cache(maxsize=1)
def common_chars() -> frozenset[str]:
    """About 3,500 characters of common modern use."""
    d = pycorrector_data_dir()
    if d is not None and (d / "common_char_set.txt").is_file():
        return frozenset(c.strip() for c in (d / "common_char_set.txt").read_text("utf-8").split()
                         if len(c.strip()) == 1)
    # fallback: the characters of jieba's most frequent words
    out: set[str] = set()
    p = jieba_dict_path()
    if p is not None:
        for line in p.read_text("utf-8").splitlines():
            w, _, rest = line.partition(" ")
            f = rest.partition(" ")[0]
            if f.isdigit() and int(f) >= 2000:
                out.update(w)
    return frozenset(out)


# Similar-shape groups that pycorrector's table lacks, from what editors of
# government text actually mistype (our own list; one group per word).
SHAPES = """
体休 己已巳 王全主 万方 熊能 镐稿搞 铯色 未末 土士 干千于 入人八 日曰 戊戌戍 候侯 拨拔 析折 祟崇 贷货
衷哀 衰哀 辨辩辫 赢嬴羸 治冶 汩汨 纪记 锻缎 栗粟 壁璧 幕墓慕暮 峻竣 浙淅 徒徙 免兔 斤斥 刺剌 卯卵
茶荼 撤撒 徽微 季李 晴睛 腊蜡 辟僻 矢失 午牛 太犬 尤龙 裁载 栽哉 即既 孤弧狐 崇祟 泊洎 拆折 炙灸
迁迂 厉历 厂广 于干 令今 汆氽 巿市 末未 兵乒乓 睹赌 猜清 晴情 请清 骨滑 氏民 甲申由 日目 旦且
"""


class Confusions:
    """Per character: same pinyin and tone, same pinyin other tone, similar shape."""

    def __init__(self) -> None:
        self.same_tone: dict[str, set[str]] = {}
        self.other_tone: dict[str, set[str]] = {}
        self.shape: dict[str, set[str]] = {}
        d = pycorrector_data_dir()
        if d is not None and (d / "same_pinyin.txt").is_file():
            self._load_pycorrector(d)
        else:
            log.warning("pycorrector data not found: same-pinyin table rebuilt from pypinyin, "
                        "no similar-shape table")
            self._load_pypinyin()

    def _load_pycorrector(self, d: Path) -> None:
        for line in (d / "same_pinyin.txt").read_text("utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            c = parts[0].strip()
            if len(c) != 1:
                continue
            if len(parts) > 1:
                self.same_tone.setdefault(c, set()).update(x for x in parts[1].strip() if x != c)
            if len(parts) > 2:
                self.other_tone.setdefault(c, set()).update(x for x in parts[2].strip() if x != c)
        self._add_shapes()
        p = d / "same_stroke.txt"
        if p.is_file():
            for line in p.read_text("utf-8").splitlines():
                chars = [x for x in line.split() if len(x) == 1]
                for c in chars:
                    self.shape.setdefault(c, set()).update(x for x in chars if x != c)

    def _add_shapes(self) -> None:
        for group in SHAPES.split():
            for c in group:
                self.shape.setdefault(c, set()).update(x for x in group if x != c)

    def _load_pypinyin(self) -> None:
        from pypinyin import Style, pinyin

        common = common_chars()
        by_tone: dict[str, set[str]] = {}
        by_plain: dict[str, set[str]] = {}
        for c in common:
            toned = pinyin(c, style=Style.TONE3, heteronym=False)[0][0]
            by_tone.setdefault(toned, set()).add(c)
            by_plain.setdefault(toned.rstrip("12345"), set()).add(c)
        for group in by_tone.values():
            for c in group:
                self.same_tone.setdefault(c, set()).update(group - {c})
        for group in by_plain.values():
            for c in group:
                self.other_tone.setdefault(c, set()).update(group - {c} - self.same_tone.get(c, set()))

    def near(self, c: str, *, other_tone: bool = True, shape: bool = True) -> set[str]:
        out = set(self.same_tone.get(c, ()))
        if other_tone:
            out |= self.other_tone.get(c, set())
        if shape:
            out |= self.shape.get(c, set())
        out.discard(c)
        return out


@lru_cache(maxsize=1)
def confusions() -> Confusions:
    return Confusions()


def read_jieba_words(path: Path | None = None, names: set[str] | None = None) -> dict[str, int]:
    """word → frequency from jieba's dictionary file (or a file in the same format).
    When `names` is given, words tagged as personal names (nr, nrt, nrfg) are added to it."""
    p = path or jieba_dict_path()
    out: dict[str, int] = {}
    if p is None:
        return out
    with open(p, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(" ")
            if len(parts) >= 2:
                try:
                    out[parts[0]] = int(parts[1])
                except ValueError:
                    continue
                if names is not None and len(parts) >= 3 and parts[2].strip() in ("nr", "nrt", "nrfg"):
                    names.add(parts[0])
    return out
