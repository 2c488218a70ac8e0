"""The dictionary typo detector: near-miss non-words found by an automaton,
confirmed by a word-frequency segmentation score.

Candidates: every word of the dictionary (jieba's bundled one plus our
`words.txt`, plus learned frequencies when configured) with one character
replaced by a same-pinyin-same-tone or similar-shape character, when the result
is not itself a word (机制 → 机智 is a word, so never a candidate; 总体方案 →
总休方案 is).  All candidates go into one ahocorasick-rs automaton; a clean
sentence rarely contains one.

Confirmation: a candidate is also a substring of correct text more often than
one would think (安全基础 contains 安全基, a near-miss of 安全期).  So the window
around it is segmented twice with a unigram word model (jieba's frequencies),
as written and as corrected; only when the corrected window scores better by
`margin` (natural log units) is it reported.  This runs on candidates only.

Two more candidate sources: look-alike characters from `lexicons/shapes.txt`
join the near-miss table, and a second automaton over the text read as toneless
pinyin finds spans typed with a dictionary word's syllables but other characters
(`find_pinyin`).  With a word model (Debian's libime trigram model, `wordlm.py`)
weaker candidates are confirmed by how the words around read, and rarer
two-character words become sources that only the model can confirm.
"""

from __future__ import annotations

import logging
import functools
import math
import re
from dataclasses import dataclass

import ahocorasick_rs as ac

from govcrawl.text.confusable import Confusions, common_chars, read_jieba_words
from govcrawl.text.lexicon import TypoSettings
from govcrawl.text.normalize import CharMap, to_simplified

log = logging.getLogger(__name__)
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
CLAUSE_END = set("，。；：！？、,.;:!?\n\r\t \"'“”‘’（）()《》〈〉【】[]")
# Function characters whose swaps are grammar, not spelling (的/地/得 …): never
# the changed character of a candidate.
_NUMERALS = set("〇零一二三四五六七八九十百千万亿两")
_NAME_AFTER = ("同志", "总统", "先生", "女士", "主席", "总理", "首相", "部长", "大使", "教授", "院士", "烈士")
DEFAULT_SKIP = "的地得在再做作他她它那哪么吗嘛呢已以之只至致其及即既"


def _fuzzy(py: str) -> str:
    """Pinyin with the distinctions pinyin typists most often blur merged."""
    if py[:2] in ("zh", "ch", "sh"):
        py = py[0] + py[2:]
    if py.endswith("ng") and py[-3] in "aei":
        py = py[:-1]
    return py


@functools.lru_cache(maxsize=None)
def _toneless(syllable: str) -> str:
    """pypinyin's tone-marked syllable without its tone (zhōng → zhong); a few thousand
    distinct syllables, looked up tens of thousands of times while the detector is built."""
    from pypinyin.style._utils import replace_symbol_to_no_symbol

    return replace_symbol_to_no_symbol(syllable)


@functools.lru_cache(maxsize=None)
def _reading(c: str) -> str | None:
    """A character's usual reading, toneless (期 → qi, not its rare ji): the first of
    pypinyin's table, as lazy_pinyin reads it; None for a character it lacks."""
    from pypinyin.pinyin_dict import pinyin_dict

    r = pinyin_dict.get(ord(c))
    return _toneless(r.split(",")[0]) if r else None


_CLAUSE_RE = re.compile("[" + re.escape("".join(sorted(CLAUSE_END))) + "]")
_marked = ("", "")  # the last text clause_window saw, and it with every clause end as NUL


def clause_window(text: str, start: int, end: int, pad: int) -> tuple[int, int]:
    """text[start:end] widened by up to `pad` characters each side, not past a clause end.
    The detectors ask this many times about one text: its clause ends are marked once
    (one regex substitution) and then found with str.rfind / str.find."""
    global _marked
    last = _marked  # one tuple, replaced whole: safe when threads share the detector
    if last[0] is not text:
        last = _marked = (text, _CLAUSE_RE.sub("\0", text))
    m = last[1]
    lo = m.rfind("\0", max(0, start - pad), start) + 1 or max(0, start - pad)
    hi = m.find("\0", end, end + pad)
    if hi < 0:
        hi = min(len(text), end + pad)
    return lo, hi


def _heteronyms() -> set[str]:
    """Characters pypinyin gives more than one toneless reading (行: xing, hang)."""
    from pypinyin.pinyin_dict import pinyin_dict

    out = set()
    for code, readings in pinyin_dict.items():
        if "," in readings and len({_toneless(r) for r in readings.split(",")}) > 1:
            out.add(chr(code))
    return out


def _in_word(w: str, multi: set[str]) -> list[str] | None:
    """The toneless reading of w with its heteronyms read as in pypinyin's phrase
    dictionary (the whole word, else the phrase of two or three characters around
    each heteronym: 中国银行 → 银行 → hang); None when nothing changes.  A table lookup
    instead of lazy_pinyin, which costs seconds over 40,000 words."""
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    plain = _toneless
    ph = phrases_dict.get(w)
    if ph and len(ph) == len(w):
        return [plain(x[0]) for x in ph]
    out = None
    n = len(w)
    for i, c in enumerate(w):
        if c not in multi:
            continue
        for a, b in ((i - 1, i + 1), (i, i + 2), (i - 2, i + 1), (i - 1, i + 2), (i, i + 3)):
            if a < 0 or b > n:
                continue
            ph = phrases_dict.get(w[a:b])
            if ph and len(ph) == b - a:
                if out is None:
                    out = []
                    for x in w:
                        r = pinyin_dict.get(ord(x))
                        if not r:
                            return None
                        out.append(plain(r.split(",")[0]))
                out[i] = plain(ph[i - a][0])
                break
    return out


@dataclass
class TypoCandidate:
    start: int
    end: int
    wrong: str
    right: str
    score: float


class DictTypoDetector:
    """Near-miss non-words of a dictionary, confirmed by a segmentation score."""

    def __init__(self, settings: TypoSettings, conf: Confusions, extra_words: dict[str, int],
                 protected: set[str] | None = None):
        self.s = settings
        self.conf = conf
        words: dict[str, int] = {}
        # personal names of the dictionary (罗振玉): never what a pinyin match was meant to be
        # (a person called 罗振宇 is no misspelt 罗振玉)
        self.names: set[str] = set()
        if settings.dictionary == "jieba":
            words = read_jieba_words(names=self.names)
        elif settings.dictionary not in ("", "none"):
            from pathlib import Path

            words = read_jieba_words(Path(settings.dictionary), names=self.names)
        if settings.language_model:
            from govcrawl.text.learn import read_learned

            learned = read_learned(settings.language_model)
            # put learned counts on the dictionary's scale (same total), so a word
            # common in government text weighs what it would in a corpus that size
            scale = (sum(words.values()) or 1) / (sum(learned.values()) or 1)
            for w, f in learned.items():
                f = int(f * scale)
                if f > words.get(w, 0):
                    words[w] = f
        for w, f in extra_words.items():
            if f > words.get(w, 0):
                words[w] = f
        # the probabilities keep the dictionary's total: thousands of user words at
        # user_word_freq would otherwise make every other word a little rarer
        total = float(sum(words.values()) or 1)
        # user dictionaries: every word becomes known; long ones are candidate sources
        self.user_sources: set[str] = set()
        self.user_only: set[str] = set()  # known, never a source or a suggestion
        if settings.user_words:
            from govcrawl.text.lexicon import load_user_words

            for path in settings.user_words:
                for w in load_user_words(path):
                    if len(w) >= settings.user_min_len and _CJK_WORD.match(w):
                        self.user_sources.add(w)
                    elif w not in words:
                        self.user_only.add(w)
                    # a word the dictionary has keeps its frequency: measured, raising the
                    # rare ones (村党委, 卫生院) makes ordinary text (对党委, 卫生援外) misread
                    if w not in words:
                        words[w] = settings.user_word_freq
        self.words = words
        lt = math.log(total)
        logp = {w: math.log(f) - lt for w, f in words.items() if f > 0}
        self.unk = -lt - 2.0
        self.maxlen = 8
        prefixes: set[str] = set()
        for w in words:
            if len(w) <= self.maxlen:
                for i in range(1, len(w)):
                    prefixes.add(w[:i])
        # one lookup per fragment in _seg: (log-probability or None, a longer word goes on)
        self._segd = {f: (None, True) for f in prefixes}
        shared: dict[tuple, tuple] = {}  # one tuple per distinct value (frequencies repeat)
        for w, lp in logp.items():
            if len(w) <= self.maxlen:
                v = (lp, w in prefixes)
                self._segd[w] = shared.setdefault(v, v)
        self._memo: dict[str, float] = {}  # _seg's scores for the text being checked
        self._memo_written: dict[str, bool] = {}  # _as_written's answers, likewise
        self._alts: dict[str, tuple[str, ...]] = {}  # _lone_alts, per character
        self._ln_keys = None  # the lone pairs' code-point keys (_build_lone_pairs)
        self._ln_rare = None  # a regex of the rare written characters among them
        self._ln_rare_chars: frozenset[str] = frozenset()  # those characters
        self._ln_rare_next: dict[str, tuple[str, str]] = {}  # their partners after and before
        self._lone_last = ("", (None, None))  # the last text `_lone` read, and its answer
        self.skip = set(settings.skip_chars or DEFAULT_SKIP)
        self.protected = protected or set()
        self._near: dict[str, tuple[str, ...]] = {}
        self.learned_near: dict[str, set[str]] = {}
        if settings.train_pairs:
            from govcrawl.text.lexicon import load_train_pairs

            for path in settings.train_pairs:
                for a, b in load_train_pairs(path):
                    if _CJK_WORD.match(a) and _CJK_WORD.match(b) and b not in self.skip:
                        self.learned_near.setdefault(b, set()).add(a)  # b (right) is written a
                        self.learned_near.setdefault(a, set()).add(b)
        self.lm = None
        self.lm_margin = settings.lm_margin
        self._hom: dict[str, list[str]] = {}
        if settings.char_lm:
            from govcrawl.text.charlm import CharLM

            self.lm = CharLM.load(settings.char_lm)
        elif settings.word_lm:
            from govcrawl.text.wordlm import WordLM

            self.lm = WordLM(settings.word_lm)
            self.lm_margin = settings.word_lm_margin
        elif settings.word_lm_wanted:
            log.warning("typo.yaml: word_lm: auto, but Debian's libime-data-language-model is not "
                        "installed (make system-deps): the typo check runs without its context model")
        # two-character words this common are sources of candidates on their own; with a
        # model, rarer ones (down to lm_min_freq_short) too, but only the model can confirm them
        self.short_floor = settings.min_freq_short
        if self.lm is not None:
            self.short_floor = min(settings.min_freq_short, settings.lm_min_freq_short)
        self.glyph: dict[str, set[str]] = {}
        if settings.shape_table:
            from govcrawl.text.lexicon import load_shape_table

            self.glyph = load_shape_table(settings.shape_table)
        self.n_candidates = 0
        self._ac = self._build()
        self._py_ac = None
        if settings.pinyin_words:
            self._build_pinyin()
        self._mk = None
        self._pairs = None  # two-character words by first and by second character (deep)
        if (settings.masked_words or settings.deep) and self.lm is not None:
            self._build_masked()
        if self.lm is not None and (settings.char_lm or settings.word_lm_homophones):
            self._build_homophones()
        if self.lm is not None and (settings.lone_near or settings.deep or settings.lone_rare_rank > 0):
            self._build_lone_pairs()  # last: its temporaries are then not under the automata
        # forms attested in real official text, and the names recogniser (names.py): asked
        # about each candidate about to be reported
        self.attested: set[str] = set()
        if settings.attested:
            from govcrawl.text.lexicon import load_attested

            self.attested = load_attested(settings.attested)
        self.name_finder = None
        if settings.names != "none":
            from govcrawl.text.names import NameFinder, read_places

            self.name_finder = NameFinder(read_places(settings.places) if settings.places else [],
                                          words=self.words, recogniser=settings.names)
            self.name_finder.load()  # the recogniser's model now, not inside the first check
        self.dropped: dict[str, int] = {}  # why candidates were not reported (benchmarks)

    # -- homophones (with a character model) ------------------------------------
    def _build_homophones(self) -> None:
        """Index words of 2-4 characters by toneless pinyin: a written span with the
        same pinyin as a word (福泽 / 负责, 晚上 / 完善) is a candidate."""
        from pypinyin import Style, lazy_pinyin

        common = common_chars()
        fz = _fuzzy if self.s.hom_fuzzy else (lambda x: x)
        self._py = {c: fz(lazy_pinyin(c, style=Style.NORMAL)[0]) for c in common}
        hom: dict[str, list[str]] = {}
        for w, f in self.words.items():
            if not (2 <= len(w) <= 4) or w in self.user_only or not _CJK_WORD.match(w):
                continue
            if w not in self.user_sources and f < self.s.hom_min_freq:
                continue
            keys = set()
            k = [self._py.get(c) for c in w]
            if None in k:
                continue
            keys.add(" ".join(k))
            keys.add(" ".join(fz(x) for x in lazy_pinyin(w, style=Style.NORMAL)))  # heteronyms read in the word
            for key in keys:
                hom.setdefault(key, []).append(w)
        self._hom = hom
        self._hom_prefix = {" ".join(k.split(" ")[:2]) for k in hom}

    def find_homophones(self, text: str) -> list[TypoCandidate]:
        lm = self.lm
        s = self.s
        py = self._py
        hom = self._hom
        words = self.words
        n = len(text)
        pys = [py.get(c) for c in text]
        found: list[TypoCandidate] = []
        for i in range(n - 1):
            a, b = pys[i], pys[i + 1]
            if a is None or b is None:
                continue
            key = a + " " + b
            if key not in self._hom_prefix:
                continue
            for L in (2, 3, 4):
                if L > 2:
                    if i + L > n or pys[i + L - 1] is None:
                        break
                    key = key + " " + pys[i + L - 1]
                ws = hom.get(key)
                if not ws:
                    continue
                v = text[i:i + L]
                if lm.seen(v, s.lm_max_seen):
                    continue  # attested as written
                real = v in words
                m_lm, m_seg = (s.lm_margin_real, s.lm_seg_margin_real) if real else (s.lm_margin, s.lm_seg_margin)
                base = None
                lo = hi = 0
                for w in ws:
                    if w == v or any(x in self.skip for x, y in zip(v, w) if x != y):
                        continue
                    d = lm.delta(text, i, i + L, w)
                    if d <= m_lm:
                        continue
                    if base is None:
                        lo, hi = self._window(text, i, i + L)
                        base = self._seg(text[lo:hi])
                    g = self._seg(text[lo:i] + w + text[i + L:hi]) - base
                    if g > m_seg:
                        found.append(TypoCandidate(i, i + L, v, w, d + g))
        if len(found) > 1:  # overlapping readings: the best one
            found.sort(key=lambda c: -c.score)
            keep: list[TypoCandidate] = []
            for c in found:
                if all(c.end <= k.start or k.end <= c.start for k in keep):
                    keep.append(c)
            found = sorted(keep, key=lambda c: c.start)
        return found

    # -- words typed by their pinyin (with a pinyin input method) -----------------
    def _build_pinyin(self) -> None:
        """An automaton over the text *read as toneless pinyin*: each character becomes
        one code point standing for its syllable, so a span typed with the right
        syllables but the wrong characters (联席悔意 for 联席会议, 营业支招 for
        营业执照, 滑雪品 for 化学品) matches the dictionary word it was meant to be.
        Offsets are those of the text (one code point per character)."""
        s = self.s
        syl: dict[str, str] = {}
        cmap: dict[int, str] = {}
        chars = sorted({c for w in self.words for c in w if "\u4e00" <= c <= "\u9fff"} | set(common_chars()))
        for c in chars:
            p = _reading(c)
            if p is None:
                continue
            if p not in syl:
                syl[p] = chr(0xF0000 + len(syl))  # a private-use plane: never in real text
            cmap[ord(c)] = syl[p]
        sources = [w for w, f in self.words.items()
                   if s.pinyin_min_len <= len(w) <= s.max_len and _CJK_WORD.match(w)
                   and w not in self.user_only and w not in self.names
                   and (f >= s.pinyin_min_freq or w in self.user_sources)]
        bykey: dict[str, list[str]] = {}
        # words with a heteronym are also indexed as read in the word (银行: hang)
        multi = _heteronyms()
        for w in sources:
            keys = {w.translate(cmap)}
            ps = _in_word(w, multi) if any(c in multi for c in w) else None
            if ps and all(p in syl for p in ps):
                keys.add("".join(syl[p] for p in ps))
            for k in keys:
                if len(k) == len(w) and all(ord(x) >= 0xF0000 for x in k):
                    bykey.setdefault(k, []).append(w)
        self._py_map = CharMap(cmap)
        self._py_keys = list(bykey)
        self._py_words = [bykey[k] for k in self._py_keys]
        if self._py_keys:
            self._py_ac = ac.AhoCorasick(self._py_keys, matchkind=ac.MatchKind.LeftmostLongest,
                                         implementation=ac.Implementation.ContiguousNFA)

    def find_pinyin(self, text: str) -> list[TypoCandidate]:
        if self._py_ac is None:
            return []
        s = self.s
        words = self.words
        out: list[TypoCandidate] = []
        for k, st, en in self._py_ac.find_matches_as_indexes(self._py_map(text)):
            v = text[st:en]
            ws = self._py_words[k]
            if v in ws or words.get(v, 0) >= s.pinyin_min_freq or v in self.protected:
                continue
            if text.startswith(_NAME_AFTER, en) or text.startswith(_NAME_AFTER, en + 1):
                continue
            lo, hi = self._window(text, st, en)
            base = None
            best: TypoCandidate | None = None
            for w in ws:
                if any(x in self.skip or y in self.skip or x in _NUMERALS or y in _NUMERALS
                       for x, y in zip(v, w) if x != y):
                    continue  # 七十亿 is no misspelt 七十一
                # 法制|宣传|教育 may be meant as written: the model decides; so does a span
                # that reads as a common word and a common one-character word (自|本轮)
                two = w in self.user_sources and s.user_two_words and self._as_written(v)
                split = not two and self._split_pinyin(v)
                if base is None:
                    base = self._seg(text[lo:hi])
                g = self._seg(text[lo:st] + w + text[en:hi]) - base
                if g <= s.pinyin_margin or two or split:
                    # with a language model: less segmentation gain is enough when the
                    # model, reading the words around, agrees
                    if self.lm is None or g <= s.pinyin_lm_seg_margin:
                        continue
                    if self.lm.delta(text, st, en, w) <= (s.user_two_words_lm if two else
                                                          self.lm_margin if split else s.pinyin_lm_margin):
                        continue
                if best is None or g > best.score:
                    best = TypoCandidate(st, en, v, w, g)
            if best is not None:
                out.append(best)
        return out

    # -- long words with any one character replaced -----------------------------
    def _build_masked(self) -> None:
        """Hash keys of every long word with one position masked out, for a vectorised
        lookup of all text windows at once (numpy): an error that is neither a
        homophone nor a look-alike (委贝会, 总休方案) still leaves the rest of the word.
        A key is a sum of code points times a random odd 64-bit factor per (length,
        position), wrapping; a masked position has factor 0 and its own salt."""
        import numpy as np

        s = self.s
        lo, hi = max(3, s.masked_min_len), min(6, s.max_len)
        if lo > hi:
            return
        rng = np.random.default_rng(20191919)
        cols = []  # (length, masked position or -1 for the whole window)
        for L in range(lo, hi + 1):
            cols.append((L, -1))
            cols.extend((L, k) for k in range(L))
        mat = np.zeros((hi, len(cols)), dtype=np.uint64)
        salt = rng.integers(1, 2**63, size=len(cols), dtype=np.uint64)
        fac = rng.integers(1, 2**62, size=(hi + 1, hi), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        for ci, (L, k) in enumerate(cols):
            for i in range(L):
                if i != k:
                    mat[i, ci] = fac[L, i]
        by_len: dict[int, list[str]] = {}
        for w in self.words:
            if lo <= len(w) <= hi and _CJK_WORD.match(w):
                by_len.setdefault(len(w), []).append(w)
        full_keys = []
        masked: dict[int, list[str]] = {}  # key -> the words it stands for
        with np.errstate(over="ignore"):
            for L, ws in by_len.items():
                a = np.array([[ord(c) for c in w] + [0] * (hi - L) for w in ws], dtype=np.uint64)
                h = a @ mat
                full_keys.append(h[:, cols.index((L, -1))] + salt[cols.index((L, -1))])
                src = [i for i, w in enumerate(ws)
                       if self.words[w] >= s.masked_min_freq and w not in self.names
                       and w not in self.user_only] + \
                      [i for i, w in enumerate(ws) if w in self.user_sources and self.words[w] < s.masked_min_freq]
                for k in range(L):
                    ci = cols.index((L, k))
                    keys = h[src, ci] + salt[ci]
                    for i, key in zip(src, keys.tolist()):
                        if ws[i][k] not in self.skip:
                            masked.setdefault(key, []).append(ws[i])
        # per column: the whole-window column of its length (itself for a whole window, which
        # then never counts as a hit), its length, its masked position
        self._mk_cols = (np.array([cols.index((L, -1)) for L, k in cols]),
                         np.array([L for L, k in cols]), np.array([k for L, k in cols]))
        # characters that may be a misspelling: not a common word alone, not a skip character
        lone = np.ones(0xA000, dtype=bool)
        for c, f in self.words.items():
            if len(c) == 1 and ord(c) < 0xA000 and f >= s.masked_single_max:
                lone[ord(c)] = False
        for c in self.skip:
            if ord(c) < 0xA000:
                lone[ord(c)] = False
        self._mk_lone = np.append(lone, False)  # past the table: not CJK anyway
        # two- and three-character words common enough that a character in one is no misspelling
        iso_mat = np.zeros((3, 2), dtype=np.uint64)
        iso_mat[0, :] = fac[2, 0], fac[3, 0]
        iso_mat[1, :] = fac[2, 1], fac[3, 1]
        iso_mat[2, 1] = fac[3, 2]
        iso_salt = rng.integers(1, 2**63, size=2, dtype=np.uint64)
        iso_words = [w for w, f in self.words.items() if len(w) in (2, 3) and f >= s.masked_isolated]
        with np.errstate(over="ignore"):
            a = np.array([[ord(c) for c in w] + [0] * (3 - len(w)) for w in iso_words], dtype=np.uint64)
            hh = a @ iso_mat + iso_salt
            lens_ = np.array([len(w) for w in iso_words])
            iso = np.where(lens_ == 2, hh[:, 0], hh[:, 1])
        self._mk_iso = (np.unique(iso), iso_mat, iso_salt)
        self._mk_mask = np.uint64((1 << 22) - 1)
        self._mk_bits = np.zeros(1 << 22, dtype=bool)
        self._mk_bits[np.array(sorted(masked), dtype=np.uint64) & self._mk_mask] = True
        self._mk = (np, cols, mat, salt, hi,
                    np.unique(np.concatenate(full_keys)) if full_keys else np.zeros(0, np.uint64),
                    np.array(sorted(masked), dtype=np.uint64), masked)

    def _lone(self, text: str):
        """Which characters of text could be a misspelling at all (a bool array, None when
        none), and the text's code-point windows.  A candidate is CJK, not a common word on
        its own (和, 对, 把), and in no common word of two or three characters with a
        neighbour (企业生 is no misspelt 毕业生: a misspelt character nearly always belongs to
        no word).  Traditional characters are read as simplified (年産量 is 年产量, right)."""
        last = self._lone_last  # the deep reading asks three times about one sentence
        if last[0] is text:
            return last[1]
        r = self._lone_mask(text)
        self._lone_last = (text, r)
        return r

    def _lone_mask(self, text: str):
        np, hi = self._mk[0], self._mk[4]
        n = len(text)
        cp = np.frombuffer(to_simplified(text).encode("utf-32-le", "surrogatepass"),
                           dtype=np.uint32)
        cand = self._mk_lone[np.minimum(cp, len(self._mk_lone) - 1)] & (cp >= 0x4E00) & (cp <= 0x9FFF)
        if not cand.any():
            return None, None
        pad = np.zeros(n + hi - 1, dtype=np.uint64)
        pad[:n] = cp
        win = np.lib.stride_tricks.sliding_window_view(pad, hi)
        iso, iso_mat, iso_salt = self._mk_iso
        with np.errstate(over="ignore"):
            hw2 = win[:, :3] @ iso_mat + iso_salt
        i = np.searchsorted(iso, hw2)
        inw = iso[np.minimum(i, len(iso) - 1)] == hw2  # [:, 0] pair at j, [:, 1] triple at j
        covered = inw[:, 0].copy()
        covered[1:] |= inw[:-1, 0]
        covered |= inw[:, 1]
        covered[1:] |= inw[:-1, 1]
        covered[2:] |= inw[:-2, 1]
        cand &= ~covered
        return (cand, win) if cand.any() else (None, None)

    def _confirm(self, text: str, st: int, en: int, w: str, lo: int, hi: int, base: float,
                 seg_margin: float, lm_margin: float, model_first: bool = False) -> TypoCandidate | None:
        """text[st:en] read as w: reported when the window text[lo:hi] (segmentation score
        `base` as written) segments better by seg_margin and the word model gains lm_margin.
        Scored by the segmentation gain, or with model_first by the model's (the better
        judge among many arbitrary replacements)."""
        g = self._seg(text[lo:st] + w + text[en:hi]) - base
        if g <= seg_margin:
            return None
        d = self.lm.delta(text, st, en, w)
        if d <= lm_margin:
            return None
        return TypoCandidate(st, en, text[st:en], w, d + 0.001 * g if model_first else g + 0.001 * d)

    def find_masked(self, text: str, seg_margin: float | None = None,
                    lm_margin: float | None = None) -> list[TypoCandidate]:
        if self._mk is None or len(text) < 3:
            return []
        s = self.s
        seg_margin = s.masked_seg_margin if seg_margin is None else seg_margin
        lm_margin = s.masked_lm_margin if lm_margin is None else lm_margin
        np, cols, mat, salt, _, full, keys, masked = self._mk
        n = len(text)
        cand, win = self._lone(text)
        if cand is None:
            return []
        with np.errstate(over="ignore"):
            h = win @ mat + salt
        wcols, lens, ks = self._mk_cols
        # only windows whose masked position is such a character (and that end in the text)
        pos = np.arange(n)[:, None] + ks[None, :]
        live = (ks[None, :] >= 0) & (np.arange(n)[:, None] + lens[None, :] <= n)
        live[live] = cand[pos[live]]
        # a bitmap of the keys' low bits first (one gather), then the exact keys
        live &= self._mk_bits[h & self._mk_mask]
        js, cs = np.nonzero(live)
        if not len(js):
            return []
        hv = h[js, cs]
        i = np.searchsorted(keys, hv)
        ok = keys[np.minimum(i, len(keys) - 1)] == hv
        js, cs, hv = js[ok], cs[ok], hv[ok]
        if not len(js):
            return []
        # a window that is itself a word (read as simplified) is no misspelling of another
        hw = h[js, wcols[cs]]
        i = np.searchsorted(full, hw)
        ok = full[np.minimum(i, len(full) - 1)] != hw
        out: list[TypoCandidate] = []
        for j, ci, key in zip(js[ok].tolist(), cs[ok].tolist(), hv[ok].tolist()):
            L, k = cols[ci]
            v = text[j:j + L]
            if not _CJK_WORD.match(v) or v in self.protected:
                continue
            if text.startswith(_NAME_AFTER, j + L) or text.startswith(_NAME_AFTER, j + L + 1):
                continue
            lo, hi = self._window(text, j, j + L)
            base = None
            for w in masked.get(key, ()):
                if w[:k] != v[:k] or w[k + 1:] != v[k + 1:] or w == v:
                    continue  # a hash collision
                if base is None:
                    base = self._seg(text[lo:hi])
                c = self._confirm(text, j, j + L, w, lo, hi, base, seg_margin, lm_margin)
                if c is not None:
                    out.append(c)
        return _disjoint(out) if len(out) > 1 else out

    def near(self, c: str, long: bool = False) -> tuple[str, ...]:
        """Confusable characters: same pinyin and tone or similar shape; for words
        of three or more characters (far more specific) also other tones."""
        key = c + "+" if long else c
        r = self._near.get(key)
        if r is None:
            common = common_chars()
            r = tuple(sorted({d for d in self.conf.near(c, other_tone=key != c, shape=True)
                              if d in common and d not in self.skip}
                             | {d for d in self.glyph.get(c, ()) if d in common and d not in self.skip}
                             | {d for d in self.learned_near.get(c, ()) if d not in self.skip}))
            self._near[key] = r
        return r

    def _build(self) -> ac.AhoCorasick | None:
        cands = list(self.candidates())  # the set's table is freed before the automaton's build
        self.n_candidates = len(cands)
        if not cands:
            return None
        # contiguous NFA: the fastest search at this size (a DFA would take minutes to build)
        return ac.AhoCorasick(cands, matchkind=ac.MatchKind.Standard,
                              implementation=ac.Implementation.ContiguousNFA, store_patterns=False)

    def candidates(self) -> set[str]:
        """Every near-miss non-word of the dictionary (not kept after the build)."""
        s = self.s
        words = self.words
        cands: set[str] = set()
        user = self.user_sources
        for w, f in words.items():
            n = len(w)
            if n < s.min_len or n > s.max_len:
                continue
            if w in user:
                long = s.user_other_tone
            elif w in self.user_only or f < (self.short_floor if n == 2 else s.min_freq):
                continue
            else:
                long = (n >= 3 and s.other_tone_long) or (
                    n == 2 and self.lm is not None and 0 < s.lm_other_tone_short <= f)
            if not _CJK_WORD.match(w):
                continue
            for i, c in enumerate(w):
                if c in self.skip:
                    continue
                for d in self.near(c, long):
                    v = w[:i] + d + w[i + 1:]
                    if v not in words and v not in self.protected:
                        cands.add(v)
        return cands

    # -- scoring ------------------------------------------------------------
    def _seg(self, s: str) -> float:
        """Best log-probability of a segmentation of s (jieba's route, unigram).  Remembered
        for the text being checked: overlapping candidates often share a window."""
        r = self._memo.get(s)
        if r is not None:
            return r
        n = len(s)
        best = [0.0] * (n + 1)
        segd = self._segd
        unk = self.unk
        maxlen = self.maxlen
        none = (None, False)
        for i in range(n - 1, -1, -1):
            lp, more = segd.get(s[i], none)
            b = (unk if lp is None else lp) + best[i + 1]
            j = i + 2
            lim = min(n, i + maxlen)
            while more and j <= lim:
                lp, more = segd.get(s[i:j], none)
                if lp is not None:
                    v = lp + best[j]
                    if v > b:
                        b = v
                j += 1
            best[i] = b
        self._memo[s] = best[0]
        return best[0]

    def _explained(self, two: str, three: str) -> bool:
        f = self.words.get(two, 0)
        if f >= self.s.min_freq_short:
            return True
        return len(three) == 3 and self.words.get(three, 0) >= self.s.min_freq

    def _as_written(self, v: str) -> bool:
        """`v` may be meant as written (user_two_words): it is two or more common words of
        two or more characters (法制|宣传|教育), or holds a listed word of its own (市|水务局,
        where 市税务局 is listed too).  Remembered per text, like the segmentation scores."""
        r = self._memo_written.get(v)
        if r is None:
            user, n = self.user_sources, len(v)
            r = any(v[i:j] in user for i in range(n - 2) for j in range(i + 3, n + 1) if j - i < n)
            if not r:
                words, floor = self.words, self.s.min_freq
                ok = [True] + [False] * n  # ok[i]: v[:i] is such words
                for i in range(2, n + 1):
                    ok[i] = any(ok[j] and words.get(v[j:i], 0) >= floor for j in range(i - 1))
                r = ok[n]
            self._memo_written[v] = r
        return r

    def _split_pinyin(self, v: str) -> bool:
        """v reads as written as a common one-character word and a common word (自|本轮,
        是|史上), or the other way round."""
        floor = self.s.edge_single_freq
        if floor <= 0 or len(v) < 3:
            return False
        w = self.words
        return (w.get(v[0], 0) >= floor and w.get(v[1:], 0) >= self.s.min_freq) or \
            (w.get(v[-1], 0) >= floor and w.get(v[:-1], 0) >= self.s.min_freq)

    def _edge_word(self, v: str, i: int) -> bool:
        """The candidate v of three characters, changed at its edge i, reads as written as a
        common two-character word and a common one-character word (北京|乘, 小试|后, 一路|赏):
        a word boundary more often than a slip, so only the word model may confirm it."""
        floor = self.s.edge_single_freq
        if floor <= 0 or len(v) != 3 or i not in (0, 2):
            return False
        rest = v[1:] if i == 0 else v[:2]
        return self.words.get(rest, 0) >= self.s.min_freq_short and self.words.get(v[i], 0) >= floor

    def _window(self, text: str, start: int, end: int) -> tuple[int, int]:
        return clause_window(text, start, end, 5)

    def find(self, text: str) -> list[TypoCandidate]:
        if (self._ac is None and self.lm is None and self._py_ac is None) or not text:
            return []
        self._memo.clear()  # segmentation scores of this text's windows only
        self._memo_written.clear()
        out: list[TypoCandidate] = []
        words = self.words
        user = self.user_sources
        ot_any = self.s.other_tone_long or (bool(user) and self.s.user_other_tone)
        short_margin = self.s.margin_short
        lm = self.lm
        for _, st, en in (self._ac.find_matches_as_indexes(text, overlapping=True) if self._ac is not None else ()):
            v = text[st:en]
            if text.startswith(_NAME_AFTER, en) or text.startswith(_NAME_AFTER, en + 1):
                continue  # a person's name (郑静晨同志, 武契奇总统) is not in any dictionary
            if v[0] == "一" and st > 0 and text[st - 1] == v[-1]:
                continue  # reduplication: 歇一歇, 停一停
            if en - st == 2 and (v[0] in self.skip or v[1] in self.skip):
                continue  # 有效地防: a particle and half a word, not a misspelt word
            margin = short_margin if en - st == 2 else self.s.margin
            left = right = ""  # the window around the match, found with its first reading
            base = None
            best: TypoCandidate | None = None
            for i, c in enumerate(v):
                if c in self.skip:
                    continue
                # the written character forms a word with its neighbour outside the
                # candidate (安全基|础, 发展种|植): ordinary text, not a typo
                if i == 0 and st > 0 and self._explained(text[st - 1:st + 1], text[max(0, st - 2):st + 1]):
                    continue
                if i == len(v) - 1 and en < len(text) and self._explained(text[en - 1:en + 1], text[en - 1:en + 2]):
                    continue
                for d in self.near(c, ot_any or (lm is not None and len(v) == 2 and self.s.lm_other_tone_short > 0)):
                    needs_lm = two = False
                    w = v[:i] + d + v[i + 1:]
                    f = words.get(w)
                    if f is None or w in self.user_only:
                        continue
                    if w in user:
                        if not self.s.user_other_tone and d not in self.near(c):
                            continue
                        # 法制|宣传|教育 may be meant as written: the model decides
                        needs_lm = two = self.s.user_two_words and self._as_written(v)
                    elif f < (self.short_floor if len(w) == 2 else self.s.min_freq):
                        continue
                    elif d not in self.near(c, len(w) >= 3 and self.s.other_tone_long):
                        # a two-character word typed with another tone: only the model decides
                        if not (len(w) == 2 and lm is not None and 0 < self.s.lm_other_tone_short <= f
                                and d in self.near(c, True) and _reading(c) == _reading(d)):
                            continue
                        needs_lm = True
                    if not needs_lm and self._edge_word(v, i):
                        needs_lm = True  # 北京|乘, 小试|后: a word and a one-character word
                    if base is None:
                        lo, hi = self._window(text, st, en)
                        left, right = text[lo:st], text[en:hi]
                        base = self._seg(left + v + right)
                    score = self._seg(left + w + right) - base
                    if needs_lm or score <= margin or (len(w) == 2 and (f < self.s.min_freq_short
                                                                        or self.s.short_needs_lm)):
                        # with a model: a smaller segmentation gain is enough when the
                        # context agrees (lm_margin / word_lm_margin); rarer two-character
                        # words always need it
                        if lm is None or score <= self.s.lm_near_margin:
                            continue
                        gain = lm.delta(text, st, en, w)
                        if gain <= (self.s.user_two_words_lm if two else self.lm_margin):
                            continue
                        score = min(score, margin) + 0.001 * gain
                    if best is None or score > best.score:
                        best = TypoCandidate(st, en, v, w, score)
            if best is not None:
                out.append(best)
        if len(out) > 1:  # overlapping matches (全问|问提): the better reading of each stretch
            out = _disjoint(out)
        for c in self.find_pinyin(text):
            if all(c.end <= o.start or o.end <= c.start for o in out):
                out.append(c)
        for c in (self._lone_near(text) if self.s.lone_near else
                  self._lone_near(text, rare=True) if self._ln_rare is not None else ()):
            if all(c.end <= o.start or o.end <= c.start for o in out):
                out.append(c)
        for c in (self.find_masked(text) if self.s.masked_words else ()):
            if all(c.end <= o.start or o.end <= c.start for o in out):
                out.append(c)
        if self._hom:
            for c in self.find_homophones(text):
                if all(c.end <= o.start or o.end <= c.start for o in out):
                    out.append(c)
        if out and (self.attested or self.name_finder is not None):
            out = [c for c in out if self._keep(text, c)]
        if out and self.s.deep and lm is not None:
            for c in self._deep(text, out):
                if all(c.end <= o.start or o.end <= c.start for o in out) and self._keep(text, c):
                    out.append(c)
        return out

    def _keep(self, text: str, c: TypoCandidate) -> bool:
        """False when the candidate's written form is attested in real official text or
        the characters it would change belong to a name, place or organisation."""
        why = None
        if text[c.start:c.end] in self.attested:
            why = "attested"
        elif self.name_finder is not None:
            if len(c.wrong) == len(c.right):
                changed = [c.start + i for i, (a, b) in enumerate(zip(c.wrong, c.right)) if a != b]
            else:
                changed = list(range(c.start, c.end))
            why = self.name_finder.protects(text, c.start, c.end, changed,
                                            right_is_name=c.right in self.user_sources)
        if why is None:
            return True
        self.dropped[why] = self.dropped.get(why, 0) + 1
        return False

    # -- a closer reading of a sentence that has a misspelling ---------------------
    def _deep(self, text: str, found: list[TypoCandidate]) -> list[TypoCandidate]:
        """Misspellings come in clusters: a sentence typed carelessly enough for one
        is read again with the candidates too costly to look for everywhere - any
        character of a long word replaced (委贝会 → 委员会), a lone character replaced by a
        confusable one (日昌 → 日常, 跟宗 → 跟踪, with smaller margins than lone_near's) or by
        any that makes a common two-character word - each still confirmed by the word model.
        Only sentences that already have a finding are read, so this adds no
        flagged sentence and costs nothing on clean text."""
        s = self.s
        out: list[TypoCandidate] = []
        # the sentences of the first findings (a page with hundreds is not worth reading closer)
        spans = sorted({_sentence(text, c.start) for c in found[:_DEEP_MAX]})
        # read with the misspellings already found corrected: they would spoil the context
        fixed = text
        for c in found:
            if len(c.right) == c.end - c.start:
                fixed = fixed[:c.start] + c.right + fixed[c.end:]
        readings = [lambda t: self.find_masked(t, s.deep_seg_margin, s.deep_lm_margin),
                    lambda t: self._lone_near(t, s.deep_lone_seg_margin, s.deep_lone_lm_margin)]
        if s.deep_any_short:
            readings.append(self._any_short)
        for lo, hi in spans:
            sub = fixed[lo:hi]
            for read in readings:
                # offsets back into text, and the text as written (fixed differs where a finding is)
                out += [TypoCandidate(c.start + lo, c.end + lo, text[c.start + lo:c.end + lo], c.right, c.score)
                        for c in read(sub)]
        out = _disjoint(out) if len(out) > 1 else out
        # a misspelling confirmed once is one everywhere in the text (beyond the sentences read)
        more: list[TypoCandidate] = []
        for c in {c.wrong: c for c in out}.values():
            i = text.find(c.wrong)
            while i >= 0:
                more.append(TypoCandidate(i, i + len(c.wrong), c.wrong, c.right, c.score))
                i = text.find(c.wrong, i + 1)
        return _disjoint(out + more) if more else out

    def _lone_alts(self, c: str) -> tuple[str, ...]:
        """The characters a lone written c may stand for: the same usual reading in any tone,
        the same pinyin and tone, or a similar shape (pycorrector's looser other-tone list
        is left out); none for a numeral, a function character or a common single-character
        word."""
        r = self._alts.get(c)
        if r is None:
            if c in _NUMERALS or c in self.skip or self.words.get(c, 0) >= self.s.masked_single_max \
                    or not _CJK_WORD.match(c):
                r = ()
            else:
                same = self.near(c)
                r = tuple(d for d in self.near(c, True)
                          if d not in _NUMERALS and (d in same or _reading(c) == _reading(d)))
            self._alts[c] = r
        return r

    def _build_lone_pairs(self) -> None:
        """Every written pair one lone-confusable character (`_lone_alts`) away from a
        two-character word of frequency >= lone_near_freq (健设 for 建设, 日昌 for 日常), when the
        written pair is no common word itself: about 160,000 pairs, kept as numpy arrays
        (a sorted key of the two code points, then per reading the right character and its
        position; a few MB, where the same pairs in the automaton took 26 MB)."""
        import numpy as np

        s = self.s
        rev: dict[str, list[int]] = {}  # right character -> code points of those written for it
        conf = self.conf
        for c in set(conf.same_tone) | set(conf.other_tone) | set(conf.shape) | set(self.glyph) | \
                set(self.learned_near):
            for d in self._lone_alts(c):
                rev.setdefault(d, []).append(ord(c))
        rev_np = {d: np.array(cs, dtype=np.uint64) for d, cs in rev.items()}
        targets = [w for w, f in self.words.items() if len(w) == 2 and f >= s.lone_near_freq
                   and w not in self.user_only and _CJK_WORD.match(w)]
        keys, right, pos = [], [], []  # per written pair: its key, the right character, where
        for w in targets:
            a, b = np.uint64(ord(w[0])), np.uint64(ord(w[1]))
            for i, cs in ((0, rev_np.get(w[0])), (1, rev_np.get(w[1]))):
                if cs is not None:
                    keys.append((cs << np.uint64(21)) | b if i == 0 else (a << np.uint64(21)) | cs)
                    right.append(np.full(len(cs), ord(w[i]), dtype=np.uint32))
                    pos.append(np.full(len(cs), i, dtype=np.uint8))
        self._np = np
        if not keys:
            return
        k, r, p = np.concatenate(keys), np.concatenate(right), np.concatenate(pos)
        # a written pair that is a common word itself is no misspelling
        common = np.array([(ord(v[0]) << 21) | ord(v[1]) for v, f in self.words.items()
                           if len(v) == 2 and f >= s.masked_isolated], dtype=np.uint64)
        keep = ~np.isin(k, common)
        k, r, p = k[keep], r[keep], p[keep]
        order = np.argsort(k, kind="stable")
        self._ln_right, self._ln_pos = r[order], p[order]
        self._ln_keys, first = np.unique(k[order], return_index=True)
        self._ln_first = np.append(first, len(k))  # key j's readings: [first[j], first[j + 1])
        # a bitmap of 22 bits of a multiplicative hash of the keys: one gather rejects almost
        # every pair of a text (156,000 keys fill 4 % of it)
        self._ln_bits = np.zeros(1 << 22, dtype=bool)
        self._ln_bits[self._ln_hash(self._ln_keys)] = True
        if s.lone_rare_rank > 0:
            self._build_rare(k, p)

    def _build_rare(self, k, p) -> None:
        """The written characters of the lone pairs (keys k, misread position p) that are rare:
        outside the lone_rare_rank characters most used in the dictionary's words (frequency-
        weighted), a regex of them and, per rare character, its partners in the pairs."""
        np = self._np
        ws = [w for w in self.words if w]
        cps = np.frombuffer("".join(ws).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        freq = np.repeat(np.array([self.words[w] for w in ws], dtype=np.float64),
                         np.fromiter(map(len, ws), dtype=np.int64, count=len(ws)))
        use = np.bincount(cps, weights=freq)
        order = np.argsort(-use, kind="stable")
        top = order[:self.s.lone_rare_rank][use[order[:self.s.lone_rare_rank]] > 0]
        common = np.zeros(max(len(use), 0x110000), dtype=bool)
        common[top] = True
        mask = np.uint64(0x1FFFFF)
        misread = np.where(p == 0, k >> np.uint64(21), k & mask)
        keep = ~common[misread.astype(np.int64)]
        if not keep.any():
            return
        # per rare character, the characters after it (it misread first) and before it (it
        # misread second) in a written pair: strings, a few hundred KB in all
        nxt: dict[str, list[str]] = {}
        prv: dict[str, list[str]] = {}
        for key, i in set(zip(k[keep].tolist(), p[keep].tolist())):
            if i == 0:
                nxt.setdefault(chr(key >> 21), []).append(chr(key & 0x1FFFFF))
            else:
                prv.setdefault(chr(key & 0x1FFFFF), []).append(chr(key >> 21))
        self._ln_rare_chars = frozenset(nxt) | frozenset(prv)
        self._ln_rare = re.compile("[" + "".join(re.escape(c) for c in sorted(self._ln_rare_chars)) + "]")
        self._ln_rare_next = {c: ("".join(sorted(nxt.get(c, ()))), "".join(sorted(prv.get(c, ()))))
                              for c in self._ln_rare_chars}

    def _ln_hash(self, keys):
        np = self._np
        with np.errstate(over="ignore"):
            return (keys * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(42)

    def _lone_pair_starts(self, text: str) -> list[tuple[int, int]]:
        """Where a pair of `_build_lone_pairs` starts in text, with its key's index (one
        vectorised lookup)."""
        np = self._np
        keys = self._ln_keys
        if keys is None or len(text) < 2 or not len(keys):
            return []
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
        pair = (cp[:-1] << np.uint64(21)) | cp[1:]
        at = self._ln_bits[self._ln_hash(pair)].nonzero()[0]
        if not len(at):
            return []
        pair = pair[at]
        i = np.searchsorted(keys, pair)
        i[i == len(keys)] = 0
        hit = keys[i] == pair
        return list(zip(at[hit].tolist(), i[hit].tolist()))

    def _rare_pair_starts(self, text: str) -> list[tuple[int, int]]:
        """The pairs of `_build_lone_pairs` whose misread character may be a rare written
        one (one regex scan finds those characters), with their key's index."""
        parts = self._ln_rare_next
        n = len(text)
        starts = []
        for m in self._ln_rare.finditer(text):
            p = m.start()
            after, before = parts[text[p]]
            if p and text[p - 1] in before and (not starts or starts[-1] != p - 1):
                starts.append(p - 1)
            if p + 1 < n and text[p + 1] in after:
                starts.append(p)
        if not starts:
            return []
        np = self._np
        pair = np.array([(ord(text[q]) << 21) | ord(text[q + 1]) for q in starts], dtype=np.uint64)
        return list(zip(starts, np.searchsorted(self._ln_keys, pair).tolist()))

    def _alone(self, t: str, p: int) -> bool:
        """`_lone`'s rule for one position: t[p] is in no common word of two or three
        characters (t is the text read as simplified).  The every-sentence check asks about
        a few positions of each text, where `_lone`'s numpy pass over the whole text cost
        it twice the time (measured: 0.58 of the speed without lone_near, against 0.75-0.89);
        a test holds the two to the same answers."""
        iso = self.s.masked_isolated
        get = self.words.get
        n = len(t)
        for a, b in ((p - 1, p + 1), (p, p + 2), (p - 2, p + 1), (p - 1, p + 2), (p, p + 3)):
            if a >= 0 and b <= n and get(t[a:b], 0) >= iso:
                return False
        return True

    def _lone_near(self, text: str, seg_margin: float | None = None,
                   lm_margin: float | None = None, rare: bool = False) -> list[TypoCandidate]:
        """A character in no common word replaced by a confusable one that makes a common
        two-character word with a neighbour (党的健设 → 建设, 日昌 → 日常), confirmed by
        segmentation (lone_near_seg_margin) and the word model (lone_near_lm_margin).  The
        near-miss automaton's two-character candidates ask that the written character form
        no word with its other neighbour; this asks that it form none at all, which lets a
        weaker segmentation gain through.  A traditional form (衞生), a name before
        同志/总统 and a character inside a common word are never one.  With rare, only
        where the misread character is a rare one (lone_rare_rank: 特铯 → 特色), found by
        `_rare_pair_starts` instead of a lookup of every pair of the text."""
        if self._ln_keys is None:
            return []
        s = self.s
        seg_margin = s.lone_near_seg_margin if seg_margin is None else seg_margin
        lm_margin = s.lone_near_lm_margin if lm_margin is None else lm_margin
        simple = None  # the text read as simplified, made at the first match
        best: dict[int, TypoCandidate | None] = {}
        first, right, where = self._ln_first, self._ln_right, self._ln_pos
        if rare:
            if self._ln_rare is None:
                return []
            starts, only = self._rare_pair_starts(text), self._ln_rare_chars
        else:
            starts, only = self._lone_pair_starts(text), None
        for st, j in starts:
            en = st + 2
            if simple is None:
                simple = to_simplified(text)
            if text.startswith(_NAME_AFTER, en) or text.startswith(_NAME_AFTER, en + 1):
                continue
            lo = hi = base = None
            a, b = first[j], first[j + 1]
            for d, i in zip(right[a:b].tolist(), where[a:b].tolist()):
                p = st + i
                if p not in best:
                    best[p] = None if simple[p] != text[p] or (only is not None and text[p] not in only) \
                        or not self._alone(simple, p) else False
                if best[p] is None:
                    continue
                w = text[st] + chr(d) if i else chr(d) + text[en - 1]
                if base is None:
                    lo, hi = self._window(text, st, en)
                    base = self._seg(text[lo:hi])
                cand = self._confirm(text, st, en, w, lo, hi, base, seg_margin, lm_margin,
                                     model_first=True)
                if cand is not None and (not best[p] or cand.score > best[p].score):
                    best[p] = cand
        out = [c for c in best.values() if c]
        return _disjoint(out) if len(out) > 1 else out

    def _any_short(self, text: str) -> list[TypoCandidate]:
        """A lone character replaced by any one that makes a common two-character word
        with its neighbour (部、银呆监会 → 银保, 安全问提 → 问题)."""
        s = self.s
        if self._pairs is None:
            first: dict[str, list[str]] = {}
            second: dict[str, list[str]] = {}
            for w, f in self.words.items():
                if len(w) == 2 and f >= s.deep_any_freq and _CJK_WORD.match(w) and w not in self.user_only:
                    first.setdefault(w[0], []).append(w)
                    second.setdefault(w[1], []).append(w)
            self._pairs = (first, second)
        first, second = self._pairs
        out: list[TypoCandidate] = []
        lone, _ = self._lone(text)
        for p in (lone.nonzero()[0].tolist() if lone is not None else ()):
            best = None
            for st, ws in ((p - 1, first.get(text[p - 1], ()) if p > 0 else ()),
                           (p, second.get(text[p + 1], ()) if p + 1 < len(text) else ())):
                if not ws:
                    continue
                lo, hi = self._window(text, st, st + 2)
                base = self._seg(text[lo:hi])
                for w in ws:
                    if w[p - st] in self.skip:
                        continue  # 的/地/得 and the like: grammar, not spelling
                    c = self._confirm(text, st, st + 2, w, lo, hi, base, s.deep_seg_margin,
                                      s.deep_any_lm_margin, model_first=True)
                    if c is not None and (best is None or c.score > best.score):
                        best = c
            if best is not None:
                out.append(best)
        return out


_SENT_END = set("。！？!?；;\n")
_DEEP_MAX = 20  # sentences read closely per text, at most
_SENT_MAX = 120  # characters read on each side of a finding, at most (lists, unpunctuated pages)


def _sentence(text: str, pos: int) -> tuple[int, int]:
    """The sentence around text[pos], clipped to _SENT_MAX characters on each side."""
    lo = pos
    floor = max(0, pos - _SENT_MAX)
    while lo > floor and text[lo - 1] not in _SENT_END:
        lo -= 1
    hi = pos
    ceil = min(len(text), pos + _SENT_MAX)
    while hi < ceil and text[hi] not in _SENT_END:
        hi += 1
    return lo, hi


def _disjoint(cands: list[TypoCandidate]) -> list[TypoCandidate]:
    """The best-scored candidates that do not overlap, in text order.  Candidates making
    the same change (总休 → 总体 inside 总休方案 → 总体方案) are one: the longest is kept."""
    same: dict[tuple, TypoCandidate] = {}
    for c in cands:
        key = tuple((c.start + i, b) for i, (a, b) in enumerate(zip(c.wrong, c.right)) if a != b)
        o = same.get(key)
        if o is None or (c.end - c.start, c.score) > (o.end - o.start, o.score):
            same[key] = c
    keep: list[TypoCandidate] = []
    for c in sorted(same.values(), key=lambda c: -c.score):
        if all(c.end <= o.start or o.end <= c.start for o in keep):
            keep.append(c)
    return sorted(keep, key=lambda c: c.start)
