"""The wording checker: one object, built once per process, called on every text.

Pass structure per text (see docs/text-checks.md):

1. normalize: light view (width, case, traditional, zero-width) and squeezed
   view (no symbols, no repeats), both mapping back to original offsets;
2. illegal terms and their allow-list: one automaton pass over the squeezed view;
3. every other dictionary rule (leader names and wrong names, titles,
   formulations and their near-misses, 新华社 terms, confusion pairs): one
   automaton pass over the light view, then the leader/title/date logic;
4. the dictionary typo detector (its own automaton of near-miss non-words);
5. privacy (regex + checksum) in 公示-like context.

Hits of one wrong string on one text collapse into one hit with a count.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick_rs as ac

from govcrawl.items import Finding
from govcrawl.text import privacy
from govcrawl.text.boundary import inside_ascii_word
from govcrawl.text.confusable import confusions
from govcrawl.text.lexicon import Leader, Lexicons, Prohibited, TitleDef, load_all
from govcrawl.text.normalize import View, light, normalize_term, squeeze, squeeze_text

log = logging.getLogger(__name__)

CATEGORY = {
    "content.illegal": "反动/暴力/色情等内容",
    "content.leader_name": "严重表述错误",
    "content.leader_title": "严重表述错误",
    "content.phrase": "严重表述错误",
    "content.prohibited": "禁用/慎用表述",
    "content.typo": "错别字",
    "content.privacy": "泄露个人信息",
}
MAX_HITS = 200  # distinct hits per text: beyond this a page is spam; the count says so

_SENT_PUNCT = set("，。；：！？、,;:!?")
_HISTORIC = ("时任", "原任", "曾任", "原", "前", "已故", "当时", "老")
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)年")
_SURROGATE = re.compile("[\ud800-\udfff]")
_OPEN_Q = "“「『《\"'‘〈"
_CLOSE_Q = "”」』》\"'’〉"
_BRAND_CONTEXT = ("娱乐", "体育", "官网", "平台", "app", "登录", "登陆", "注册", "网址", "入口", "下载",
                  "棋牌", "真人", "电竞", "彩票", "国际", "集团", "游戏", "网站", "官方", "手机版",
                  "开户", "充值", "首页", "网页版", "客户端")
_LEADER_CONTEXT_AFTER = ("同志", "总书记", "主席", "总理", "委员长", "副总理", "副主席")


@dataclass
class TextHit:
    """One wording problem in one text, with offsets into that text."""

    rule: str
    severity: str
    category: str
    text: str
    suggestion: str | None
    start: int
    end: int
    context: str = ""
    count: int = 1
    evidence: dict[str, Any] = field(default_factory=dict)
    where: str = "text"

    def to_finding(self, site_id: str, url: str = "", where: str | None = None,
                   column: str | None = None) -> Finding:
        ev = dict(self.evidence)
        ev.setdefault("context", self.context)
        if self.count > 1:
            ev["count"] = self.count
        return Finding(rule=self.rule, severity=self.severity, site_id=site_id, url=url,
                       column=column, text=self.text, suggestion=self.suggestion, evidence=ev,
                       start=self.start, end=self.end, category=self.category,
                       where=where or self.where, count=self.count)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "category": self.category,
                "text": self.text, "suggestion": self.suggestion, "start": self.start,
                "end": self.end, "count": self.count, "where": self.where,
                "evidence": dict(self.evidence, context=self.context)}


# payload kinds of the light-view automaton
K_FORM, K_FORM_NEAR, K_NAME, K_NAME_WRONG, K_NAME_NEAR, K_TITLE_B, K_TITLE_A, K_PROHIB, K_CONF = range(9)


def default_lexicon_dir() -> Path:
    env = os.environ.get("GOVCRAWL_LEXICONS", "").strip()
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "lexicons"


class TextChecker:
    """Holds the compiled lexicons; `check()` is thread-safe and allocation-light."""

    def __init__(self, lexicon_dir: str | Path | None = None, *, typo: bool = True):
        self.lex: Lexicons = load_all(lexicon_dir or default_lexicon_dir())
        self.conf = confusions()
        self._build_illegal()
        self._build_main()
        self.typo = None
        if typo and self.lex.typo.dictionary not in ("", "none"):
            from govcrawl.text.typo import DictTypoDetector

            extra = dict(self.lex.words)
            for w in self._protected:
                extra.setdefault(w, 5000)
            self.typo = DictTypoDetector(self.lex.typo, self.conf, extra, self._protected)
        self.macbert = None
        if typo and self.lex.typo.macbert_dir:
            from govcrawl.text.macbert import MacBertDetector

            self.macbert = MacBertDetector(self.lex.typo.macbert_dir, self.lex.typo.macbert_threshold,
                                           self.conf)

    # -- build ------------------------------------------------------------------
    def _build_illegal(self) -> None:
        pats: list[str] = []
        self._ill_payload: list[tuple[str, Any]] = []
        seen: dict[str, int] = {}
        for t in self.lex.illegal:
            p = normalize_term(t.term, squeezed=True)
            if not p or p in seen:
                continue
            seen[p] = len(pats)
            pats.append(p)
            self._ill_payload.append(("ill", t))
        for w in self.lex.illegal_allow:
            p = normalize_term(w, squeezed=True)
            if not p or p in seen:
                continue
            seen[p] = len(pats)
            pats.append(p)
            self._ill_payload.append(("allow", w))
        self._ill_ac = ac.AhoCorasick(pats, matchkind=ac.MatchKind.Standard) if pats else None

    def _build_main(self) -> None:
        pats: dict[str, list[tuple[int, Any]]] = {}

        def add(p: str, kind: int, payload: Any) -> None:
            p = normalize_term(p)
            if p:
                pats.setdefault(p, []).append((kind, payload))

        conf = self.conf
        words = self.lex.words
        protected: set[str] = set()
        for f in self.lex.formulations:
            add(f, K_FORM, f)
            protected.add(f)
        names = {ld.name for ld in self.lex.leaders}
        for ld in self.lex.leaders:
            add(ld.name, K_NAME, ld)
            protected.add(ld.name)
            for w in ld.wrong:
                add(w, K_NAME_WRONG, ld)
        for td in self.lex.titles.values():
            for t in td.before:
                add(t, K_TITLE_B, td)
                protected.add(t)
            for t in td.after:
                add(t, K_TITLE_A, td)
        for p in self.lex.prohibited:
            add(p.term, K_PROHIB, p)
        for wrong, right, _ in self.lex.confusions:
            add(wrong, K_CONF, right)
            protected.add(right)
        protected.update(w for w in words if len(w) >= 2)
        self._protected = protected
        # generated near-misses (after the real entries, so they never shadow them)
        for ld in self.lex.leaders:
            if len(ld.name) < 3:
                continue
            for v in _near_misses(ld.name, conf, drop=False, swap=False):
                if v in names or v in protected or v in ld.wrong:
                    continue
                add(v, K_NAME_NEAR, ld)
        for f in self.lex.formulations:
            for v in _near_misses(f, conf, drop=len(f) >= 7, swap=len(f) >= 5):
                if v in protected or any(v in g for g in self.lex.formulations):
                    continue
                add(v, K_FORM_NEAR, f)
        self._main_pats = list(pats)
        self._main_payload = [pats[p] for p in self._main_pats]
        self._main_ac = ac.AhoCorasick(self._main_pats, matchkind=ac.MatchKind.Standard) \
            if self._main_pats else None

    def patterns(self) -> list[str]:
        """Every pattern of the dictionary automata (for the raw-speed benchmark)."""
        out = list(self._main_pats)
        out += [normalize_term(t.term, squeezed=True) for t in self.lex.illegal]
        return out

    # -- check ------------------------------------------------------------------
    def check(self, text: str, date: dt.date | None = None, where: str = "text") -> list[TextHit]:
        if not text or not isinstance(text, str):
            return []
        if isinstance(date, dt.datetime):
            date = date.date()
        if _SURROGATE.search(text):  # a lone surrogate ("\ud800" in JSON input): U+FFFD, same offsets
            text = _SURROGATE.sub("\ufffd", text)
        lv = light(text)
        hits: list[TextHit] = []
        self._illegal(text, lv, hits)
        self._main(text, lv, date, hits)
        if self.typo is not None:
            taken = [(h.start, h.end) for h in hits]
            # the typo detector reads the text with its spaces (李强 李干杰: two names, not one
            # word); line breaks are in both views (a table cell is never part of a word)
            tv = light(text, keep_space=True) if lv._vstarts is not None else lv
            for c in self.typo.find(tv.text):
                s, e = tv.span(c.start, c.end)
                if any(s < te and ts < e for ts, te in taken):
                    continue
                hits.append(self._hit("content.typo", "deduct", text, s, e, c.right,
                                      {"detector": "dictionary", "score": round(c.score, 1)}))
        if self.macbert is not None:
            taken = [(h.start, h.end) for h in hits]
            for s, e, wrong, right in self.macbert.find(lv.text):
                os_, oe = lv.span(s, e)
                if any(os_ < te and ts < oe for ts, te in taken):
                    continue
                hits.append(self._hit("content.typo", "deduct", text, os_, oe, right,
                                      {"detector": "macbert"}))
        for s, e, kind in privacy.find(lv.text, text):
            os_, oe = lv.span(s, e)
            hits.append(self._hit("content.privacy", "deduct", text, os_, oe, "隐去或部分遮挡",
                                  {"kind": kind}))
        out = _collapse(hits)
        for h in out:
            h.where = where
        return out

    def check_illegal(self, text: str, where: str = "page") -> list[TextHit]:
        """Only `content.illegal`: for page parts outside the main text (nav, footer, markup an
        attacker appended after the body), where spam matters but typos would repeat on every page."""
        if not text or not isinstance(text, str):
            return []
        hits: list[TextHit] = []
        self._illegal(text, light(text), hits)
        out = _collapse(hits)
        for h in out:
            h.where = where
        return out

    def _hit(self, rule: str, severity: str, text: str, s: int, e: int, suggestion: str | None,
             evidence: dict[str, Any]) -> TextHit:
        lo, hi = max(0, s - 15), min(len(text), e + 15)
        ctx = text[lo:hi].replace("\n", " ").replace("\r", " ")
        return TextHit(rule, severity, CATEGORY[rule], text[s:e], suggestion, s, e, ctx,
                       evidence=evidence)

    def _illegal(self, text: str, lv: View, hits: list[TextHit]) -> None:
        if self._ill_ac is None:
            return
        if not self._ill_ac.find_matches_as_indexes(squeeze_text(lv.text), overlapping=True):
            return
        sv = squeeze(lv)
        st = sv.text
        found = self._ill_ac.find_matches_as_indexes(st, overlapping=True)
        allow = [(s, e) for i, s, e in found if self._ill_payload[i][0] == "allow"]
        ills = [(s, e) for i, s, e in found if self._ill_payload[i][0] == "ill"]
        kept: list[tuple] = []
        for i, s, e in found:
            kind, term = self._ill_payload[i]
            if kind != "ill":
                continue
            if any(a <= s and e <= b for a, b in allow):
                continue
            if any(a <= s and e <= b and (a, b) != (s, e) for a, b in ills):
                continue  # 开云 inside 开云体育: one finding
            os_, oe = sv.span(s, e)
            # a collapsed repeat at the end (沙沙): the span covers all of it
            while oe < len(text) and oe > 0 and text[oe] == text[oe - 1]:
                oe += 1
            span = text[os_:oe]
            if not _evasion_ok(span, e - s):
                continue
            if inside_ascii_word(text, os_, oe):
                continue  # 'bet365' in loadBet365Ad(), 'porn' in a longer word: not the word
            if term.brand and not _brand_context(st, s, e, span, e - s):
                continue
            if len(span) == e - s and _condemned(lv.text, text, os_, oe):
                continue  # (symbols inserted into the term: evasion, never a notice)
            kept.append((os_, oe, s, e, term))
        # overlapping matches (新葡京 + 葡京娱乐) are one finding over their union
        kept.sort(key=lambda k: (k[0], -k[1]))
        merged: list[list] = []
        for os_, oe, s, e, term in kept:
            if merged and os_ < merged[-1][1]:
                m = merged[-1]
                m[1] = max(m[1], oe)
                m[3] = max(m[3], e)
                m[4].append(term)
            else:
                merged.append([os_, oe, s, e, [term]])
        for os_, oe, s, e, terms in merged:
            sev = min((t.severity for t in terms), key=("veto", "deduct", "notice").index)
            ev = {"illegal_category": terms[0].category, "term": "、".join(t.term for t in terms)}
            if text[os_:oe] != ev["term"]:
                ev["normalized"] = st[s:e]
            hits.append(self._hit("content.illegal", sev, text, os_, oe, "删除", ev))

    def _main(self, text: str, lv: View, date: dt.date | None, hits: list[TextHit]) -> None:
        if self._main_ac is None:
            return
        t = lv.text
        found = self._main_ac.find_matches_as_indexes(t, overlapping=True)
        if not found:
            return
        forms: list[tuple[int, int]] = []
        names: list[tuple[int, int, Leader]] = []
        titles_end: dict[int, list[tuple[int, TitleDef]]] = {}  # end → (start, title) written before a name
        titles_start: dict[int, list[tuple[int, TitleDef]]] = {}  # start → (end, title) written after
        rest: list[tuple[int, int, int, Any]] = []
        for i, s, e in found:
            for kind, payload in self._main_payload[i]:
                if kind == K_FORM:
                    forms.append((s, e))
                elif kind == K_NAME:
                    names.append((s, e, payload))
                elif kind == K_TITLE_B:
                    titles_end.setdefault(e, []).append((s, payload))
                elif kind == K_TITLE_A:
                    titles_start.setdefault(s, []).append((e, payload))
                else:
                    rest.append((kind, s, e, payload))
        name_spans = [(s, e) for s, e, _ in names]
        for kind, s, e, payload in rest:
            if any(a <= s and e <= b and (a, b) != (s, e) for a, b in forms + name_spans):
                continue  # inside a correct formulation or name
            os_, oe = lv.span(s, e)
            if kind == K_NAME_WRONG:
                hits.append(self._hit("content.leader_name", "veto", text, os_, oe, payload.name,
                                      {"leader": payload.name}))
            elif kind == K_NAME_NEAR:
                if s in titles_end or e in titles_start or t.startswith(_LEADER_CONTEXT_AFTER, e):
                    hits.append(self._hit("content.leader_name", "veto", text, os_, oe, payload.name,
                                          {"leader": payload.name, "near_miss": True}))
            elif kind == K_FORM_NEAR:
                if any(a <= s and e <= b for a, b in forms):
                    continue
                hits.append(self._hit("content.phrase", "veto", text, os_, oe, payload,
                                      {"formulation": payload}))
            elif kind == K_PROHIB:
                if not _prohibited_applies(payload, t, s, e):
                    continue
                sev = "deduct" if payload.level == "banned" else "notice"
                ev = {"level": payload.level}
                if payload.note:
                    ev["note"] = payload.note
                hits.append(self._hit("content.prohibited", sev, text, os_, oe, payload.suggestion, ev))
            elif kind == K_CONF:
                hits.append(self._hit("content.typo", "deduct", text, os_, oe, payload,
                                      {"detector": "confusions"}))
        for s, e, ld in names:
            self._leader_title(text, lv, t, s, e, ld, date, titles_end, titles_start, hits)

    def _leader_title(self, text: str, lv: View, t: str, s: int, e: int, ld: Leader,
                      date: dt.date | None, titles_end, titles_start, hits: list[TextHit]) -> None:
        before = titles_end.get(s)
        after = titles_start.get(e)
        cands: list[tuple[int, int, list[TitleDef]]] = []
        if before:
            ts = min(x[0] for x in before)  # longest form ending at the name
            cands.append((ts, e, [td for st_, td in before if st_ == ts]))
        elif after:
            te = max(x[0] for x in after)
            cands.append((s, te, [td for en, td in after if en == te]))
        for span_s, span_e, tds in cands:
            titles = {td.name for td in tds}
            ever = [tn for tn in ld.tenures if tn.title in titles]
            if date is not None:
                ok = [tn for tn in ever if tn.holds(date)]
            else:
                ok = ever
            if ok:
                continue
            # history: 时任国务院总理李克强, 原国务院总理…, or a year nearby in the title's term
            head = t[max(0, span_s - 4):span_s]
            if ever and any(head.endswith(h) for h in _HISTORIC):
                continue
            if ever:
                years = [int(y) for y in _YEAR.findall(t[max(0, span_s - 40):span_s])]
                if years and any(tn.overlaps_year(years[-1]) for tn in ever):
                    continue
            if not ever and any(head.endswith(h) for h in ("时任", "曾任")):
                continue
            held = [tn.title for tn in ld.tenures if date is not None and tn.holds(date)]
            if held:
                sugg = "、".join(held) + ld.name
            elif ever:
                sugg = "时任" + ever[-1].title + ld.name
            else:
                sugg = ld.name + "（核实职务）"
            os_, oe = lv.span(span_s, span_e)
            ev: dict[str, Any] = {"leader": ld.name, "title": "/".join(sorted(titles))}
            if date is not None:
                ev["date"] = date.isoformat()
            if ever:
                ev["held"] = [f"{tn.start.isoformat()}..{tn.end.isoformat() if tn.end else ''}" for tn in ever]
            else:
                ev["held"] = []
            hits.append(self._hit("content.leader_title", "veto", text, os_, oe, sugg, ev))


def _evasion_ok(span: str, n_kept: int) -> bool:
    """A squeezed match spanning sentence punctuation is only spam when the gaps
    are systematic (every gap padded), not a word that happens to continue after
    a comma (…澳门。金沙江…)."""
    if not any(c in _SENT_PUNCT for c in span):
        return True
    # count gaps between kept characters that contain anything
    gaps = 0
    prev_kept = False
    in_gap = False
    for c in span:
        kept = c.isalnum()
        if kept:
            if in_gap and prev_kept:
                gaps += 1
            prev_kept = True
            in_gap = False
        else:
            in_gap = True
    return gaps >= max(1, n_kept - 1)


_CONDEMN_BEFORE = ("打击", "取缔", "查处", "查获", "整治", "严禁", "禁止", "防范", "警惕", "举报", "抵制",
                   "揭露", "揭批", "反对", "拒绝", "远离", "涉嫌", "非法", "严打", "治理", "侦破", "捣毁",
                   "清理", "谨防", "不参与")
_CONDEMN_AFTER = ("违法", "犯罪", "案件", "案", "团伙", "窝点", "被查", "被抓", "判处", "等违法", "等犯罪", "邪教")


def _condemned(light_text: str, text: str, s: int, e: int) -> bool:
    """Government notices name what they fight (严厉打击六合彩、老虎机等赌博违法犯罪): a
    condemning word shortly before, or a case-report word shortly after, means the
    term is reported on, not promoted.  Spam never writes that way."""
    before = text[max(0, s - 14):s]
    if any(w in before for w in _CONDEMN_BEFORE):
        return True
    after = text[e:e + 12]
    return any(w in after for w in _CONDEMN_AFTER)


_BRAND_CONTEXT_SQ: tuple[str, ...] = ()


def _brand_context(st: str, s: int, e: int, span: str, n: int) -> bool:
    """Short brand names (开云, 必赢, 凯发) also occur inside ordinary words (召开云…):
    need spam context - a brand word after it, padding symbols inside it, or
    nothing Chinese around it."""
    if len(span) > n:  # symbols inserted: evasion
        return True
    global _BRAND_CONTEXT_SQ
    if not _BRAND_CONTEXT_SQ:
        _BRAND_CONTEXT_SQ = tuple({normalize_term(w, squeezed=True) for w in _BRAND_CONTEXT})
    after = st[e:e + 6]
    if after.startswith(_BRAND_CONTEXT_SQ):
        return True
    return False


def _prohibited_applies(p: Prohibited, t: str, s: int, e: int) -> bool:
    if p.not_after and any(t[max(0, s - len(w)):s] == w for w in p.not_after):
        return False
    if p.not_before and any(t.startswith(w, e) for w in p.not_before):
        return False
    if p.before_year is not None:
        window = t[max(0, s - 30):min(len(t), e + 20)]
        if any(int(y) < p.before_year for y in re.findall(r"(1[5-9]\d\d|20\d\d)", window)):
            return False
    if p.quoted:
        left = t[max(0, s - 40):s]
        right = t[e:e + 40]
        lo = max(left.rfind(c) for c in _OPEN_Q)
        lc = max(left.rfind(c) for c in "”」』》〉’")
        if lo >= 0 and lo > lc and any(c in right for c in _CLOSE_Q):
            return False
    return True


def _near_misses(word: str, conf, *, drop: bool, swap: bool) -> set[str]:
    """One character replaced by a same-pinyin (any tone) or similar-shape character,
    an interior character dropped, or two adjacent characters transposed."""
    out: set[str] = set()
    from govcrawl.text.confusable import common_chars

    common = common_chars()
    for i, c in enumerate(word):
        for d in conf.near(c, other_tone=True, shape=True):
            if d in common:
                out.add(word[:i] + d + word[i + 1:])
    if drop:  # next to either end only for long forms: 健全|人民代表大会 is not 全国人民代表大会
        n = len(word)
        for i in range(1 if n >= 10 else 2, n - 1 if n >= 10 else n - 2):
            out.add(word[:i] + word[i + 1:])
    if swap:
        for i in range(len(word) - 1):
            if word[i] != word[i + 1]:
                out.add(word[:i] + word[i + 1] + word[i] + word[i + 2:])
    out.discard(word)
    return out


def _collapse(hits: list[TextHit]) -> list[TextHit]:
    """One hit per (rule, text, suggestion) with a count; overlapping hits keep the
    most severe rule (a wrong leader name inside a formulation is one problem)."""
    order = {"content.illegal": 0, "content.leader_name": 1, "content.leader_title": 2,
             "content.phrase": 3, "content.prohibited": 4, "content.typo": 5, "content.privacy": 6}
    # overlapping hits: the most severe rule wins, then the longer span
    hits.sort(key=lambda h: (order[h.rule], -(h.end - h.start), h.start))
    covered: set[int] = set()
    kept: list[TextHit] = []
    for h in hits:
        span = range(h.start, max(h.end, h.start + 1))
        if any(p in covered for p in span):
            continue
        covered.update(span)
        kept.append(h)
    kept.sort(key=lambda h: h.start)
    groups: dict[tuple, TextHit] = {}
    for h in kept:
        key = (h.rule, h.text, h.suggestion)
        g = groups.get(key)
        if g is None:
            if len(groups) >= MAX_HITS:
                continue
            groups[key] = h
        else:
            g.count += 1
    return list(groups.values())


_lock = threading.Lock()
_instances: dict[str, TextChecker] = {}


def get_checker(lexicon_dir: str | Path | None = None, *, typo: bool = True) -> TextChecker:
    """The process-wide checker for a lexicon directory (built once; seconds)."""
    d = str(Path(lexicon_dir or default_lexicon_dir()).resolve())
    key = f"{d}|{typo}"
    inst = _instances.get(key)
    if inst is None:
        with _lock:
            inst = _instances.get(key)
            if inst is None:
                inst = TextChecker(d, typo=typo)
                _instances[key] = inst
    return inst
