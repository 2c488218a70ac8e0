"""Judging what `analysis` found: hidden links and text, script-written content, cloaked
and rendered versions, outbound link risk → `Finding`s.

Severities follow rules.md:
- `content.hidden_link`: veto when the target or the text is illegal (the wording checker
  says so, or the target's name is a gambling/porn name); deduct otherwise.  A site's own
  hidden menus are not findings: internal targets never are, and an outside target inside a
  menu/tab/popup of the site counts only when something about it looks like spam.
  Links to trusted official hosts (signals.txt) are never findings.
- `link.unsafe`: veto on proof (illegal anchor text, illegal target page, gambling/porn
  name); the weak signals (shortener, raw public IP, random-looking name, odd port) give a
  notice alone and a deduct when two come together.
- `content.illegal`: illegal wording that only a search engine or a script sees (cloaked
  title or text, a title written by script) — the WordingPipeline already judges what the
  crawler itself saw, so only differences are reported here.
Outside links found on one page are grouped by host: one finding per host and rule, with
the count and a few example targets.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from govcrawl.checks.hacked.analysis import Analysis, FoundLink, host_of, netloc_of
from govcrawl.checks.hacked.judge import TextJudge
from govcrawl.checks.hacked.signals import HostJudge, HostRisk
from govcrawl.items import DEDUCT, NOTICE, VETO, Finding

HIDDEN = "content.hidden_link"
UNSAFE = "link.unsafe"
ILLEGAL = "content.illegal"
CATEGORY = {HIDDEN: "暗链", UNSAFE: "链接不安全内容", ILLEGAL: "发布或链接反动/暴力/色情等内容"}
MAX_EXAMPLES = 10
MAX_TARGETS_PER_HOST = 10
_RANK = {NOTICE: 0, DEDUCT: 1, VETO: 2}


@dataclass
class Version:
    """One way of seeing a page: as crawled, as Baiduspider, as a browser, rendered."""

    label: str  # crawl | spider | browser | rendered
    title: str = ""
    text: str = ""
    links: list[FoundLink] = field(default_factory=list)
    final_url: str = ""
    status: int | None = None
    analysis: Analysis | None = None

    def outside(self) -> dict[str, list[FoundLink]]:
        out: dict[str, list[FoundLink]] = {}
        for lk in self.links:
            if lk.external and lk.tag in ("a", "area", "iframe", "frame"):
                out.setdefault(netloc_of(lk.url), []).append(lk)
        return out


class _Grouper:
    """Collects link findings per (rule, target, where): the same target linked twenty times
    is one finding with a count; beyond MAX_TARGETS_PER_HOST targets of one host on a page,
    the rest fold into one finding for the host (a block of 200 spam links is not 200
    findings)."""

    def __init__(self) -> None:
        self.groups: "OrderedDict[tuple[str, str, str], dict[str, Any]]" = OrderedDict()
        self.targets: Counter[tuple[str, str, str]] = Counter()

    def add(self, rule: str, severity: str, host: str, where: str, link_url: str, anchor: str,
            evidence: dict[str, Any]) -> None:
        key = (rule, link_url, where)
        if key not in self.groups:
            hk = (rule, host, where)
            self.targets[hk] += 1
            if self.targets[hk] > MAX_TARGETS_PER_HOST:
                key = ("fold",) + hk  # type: ignore[assignment]
        g = self.groups.get(key)
        if g is None:
            self.groups[key] = {"rule": rule, "severity": severity, "target": link_url, "text": anchor,
                                "where": where, "evidence": dict(evidence), "examples": [], "count": 0,
                                "host": host}
            g = self.groups[key]
        g["count"] += 1
        if _RANK[severity] > _RANK[g["severity"]]:
            g["severity"], g["target"], g["text"] = severity, link_url, anchor
            g["evidence"].update(evidence)
        if len(g["examples"]) < MAX_EXAMPLES:
            g["examples"].append({"url": link_url, "anchor": anchor})
        for k in ("spam", "signals"):
            if evidence.get(k):
                merged = list(dict.fromkeys((g["evidence"].get(k) or []) + list(evidence[k])))
                g["evidence"][k] = merged[:20]

    def findings(self, site_id: str, url: str) -> list[Finding]:
        out = []
        for key, g in self.groups.items():
            ev = dict(g["evidence"])
            ev["count"] = g["count"]
            if len(g["examples"]) > 1 or key[0] == "fold":
                ev["links"] = g["examples"]
            if key[0] == "fold":
                ev["note"] = f"more links to {g['host']} on this page"
            out.append(Finding(rule=g["rule"], severity=g["severity"], site_id=site_id, url=url,
                               target=g["target"], text=g["text"] or None, evidence=ev,
                               where=g["where"], count=g["count"], category=CATEGORY[g["rule"]]))
        return out


class HackedRules:
    def __init__(self, judge: TextJudge, hosts: HostJudge) -> None:
        self.judge = judge
        self.hosts = hosts
        # another registered government site (any address): never spam; set by the pipeline
        self.registered: Callable[[str], bool] = lambda url: False

    # -- helpers ------------------------------------------------------------------------------
    def _host_spam(self, risk: HostRisk, date: Any) -> list[str]:
        return self.judge.words(risk.idn, date=date, where="link") if risk.idn else []

    def link_verdict(self, lk: FoundLink, date: Any) -> tuple[HostRisk, list[str], list[str]]:
        """(host risk, illegal words in the anchor, proof reasons)"""
        if self.registered(lk.url):
            return HostRisk(host=host_of(lk.url), trusted=True), [], []
        risk = self.hosts.assess(lk.url)
        spam = self.judge.words(lk.text, date=date, where="link") if lk.text else []
        proof = list(risk.strong)
        if spam:
            proof.append("illegal anchor text")
        host_spam = self._host_spam(risk, date)
        if host_spam:
            proof.append(f"illegal domain name ({risk.idn})")
            spam = spam + host_spam
        if not risk.trusted and lk.context and lk.context != lk.text:
            around = self.judge.words(lk.context, date=date, where="link")
            around = [w for w in around if w not in spam]
            if around:
                proof.append("illegal text around the link")
                spam = spam + around
        return risk, spam, proof

    # -- one page, statically ---------------------------------------------------------------------
    def page(self, site_id: str, url: str, date: Any, a: Analysis,
             outbound: Iterable[FoundLink] = ()) -> list[Finding]:
        g = _Grouper()
        findings: list[Finding] = []
        self._hidden(g, findings, site_id, url, date, a)
        self._scripts(g, findings, site_id, url, date, a)
        for lk in a.refresh:
            if lk.external:
                risk, spam, proof = self.link_verdict(lk, date)
                if not risk.trusted and (proof or risk.weak):
                    g.add(UNSAFE, VETO if proof else NOTICE, netloc_of(lk.url), "redirect", lk.url, "",
                          {"kind": "meta_refresh", "signals": proof + risk.weak})
        self._outbound(g, date, list(outbound) or [lk for lk in a.links if lk.external] + a.script_srcs)
        return findings + g.findings(site_id, url)

    def _hidden(self, g: _Grouper, findings: list[Finding], site_id: str, url: str, date: Any,
                a: Analysis) -> None:
        for block in a.hidden:
            # the text besides the links' own anchors (those are judged with their links)
            rest = block.loose_text
            spam_text = self.judge.words(rest, date=date, where="hidden text") if rest.strip() else []
            if spam_text:
                findings.append(Finding(
                    rule=HIDDEN, severity=VETO, site_id=site_id, url=url, text=spam_text[0],
                    where="hidden text", category=CATEGORY[HIDDEN], count=len(spam_text),
                    evidence={"kind": "hidden_text", "reason": block.reason, "spam": spam_text[:20],
                              "block": block.text[:300], "tag": block.tag,
                              "outside_links": sum(1 for lk in block.links if lk.external)}))
        for lk in a.hidden_links:
            if not lk.external:
                continue
            risk, spam, proof = self.link_verdict(lk, date)
            if risk.trusted:
                continue
            ev = {"kind": "hidden", "reason": lk.reason, "spam": spam, "signals": proof + risk.weak,
                  "tag": lk.tag, "technique": technique(lk.reason)}
            if proof:
                sev = VETO  # the target or the text is illegal or spam
            else:
                why = interface_reason(lk)
                if why:
                    continue  # a menu, dropdown, tab, share widget, 找错 link… of the site: never 暗链
                if institutional(lk):
                    continue  # a government, Party, academic or news target
                if injection(lk.reason):
                    sev = DEDUCT  # hidden by an injection technique towards an unrelated site
                else:
                    sev = NOTICE  # display:none and the like with nothing else against it
                ev["not_interface"] = ("outside any menu, dropdown, tab, carousel or share widget; "
                                       "not a 找错 / accessibility / CMS credit link; the target is "
                                       "outside the site and not a government, Party, academic or news site")
            g.add(HIDDEN, sev, netloc_of(lk.url), "hidden link", lk.url, lk.text, ev)

    def _scripts(self, g: _Grouper, findings: list[Finding], site_id: str, url: str, date: Any,
                 a: Analysis) -> None:
        for out in a.scripts:
            w = out.written
            base_ev = {"kind": "script", "sink": w.sink, "encodings": w.encodings,
                       "conditional": w.conditional, "decoded": w.value[:500], "script": w.snippet}
            if w.sink == "title":
                spam = self.judge.words(w.value, date=date, where="title")
                if spam:
                    findings.append(Finding(rule=ILLEGAL, severity=VETO, site_id=site_id, url=url,
                                            text=spam[0], where="script title", category=CATEGORY[ILLEGAL],
                                            evidence={**base_ev, "spam": spam}))
                elif w.conditional == "ua":
                    findings.append(Finding(rule=HIDDEN, severity=DEDUCT, site_id=site_id, url=url,
                                            text=w.value[:200], where="script title",
                                            category=CATEGORY[HIDDEN],
                                            evidence={**base_ev, "note": "title rewritten for search-engine spiders"}))
                continue
            if out.text and w.sink in ("write", "decoded"):
                spam = self.judge.words(out.text, date=date, where="script")
                if spam:
                    findings.append(Finding(rule=HIDDEN, severity=VETO, site_id=site_id, url=url,
                                            text=spam[0], where="script text", category=CATEGORY[HIDDEN],
                                            count=len(spam), evidence={**base_ev, "spam": spam[:20]}))
            for lk in out.links:
                if not lk.external:
                    continue
                risk, spam, proof = self.link_verdict(lk, date)
                if risk.trusted:
                    continue
                if w.conditional and w.sink in ("redirect", "write", "decoded"):
                    proof = proof + [f"only for visitors or spiders from search engines ({w.conditional})"]
                if proof:
                    sev = VETO
                elif w.obfuscated and w.sink != "url":
                    sev = DEDUCT
                else:
                    continue  # a plain document.write of an ordinary outside link
                g.add(HIDDEN, sev, netloc_of(lk.url), "script", lk.url, lk.text,
                      {**base_ev, "spam": spam, "signals": proof + risk.weak})

    def _outbound(self, g: _Grouper, date: Any, links: list[FoundLink]) -> None:
        for lk in links:
            if not lk.external:
                continue
            risk, spam, proof = self.link_verdict(lk, date)
            if risk.trusted or not (proof or risk.weak):
                continue
            if not proof and institutional(lk):
                continue  # a weak signal (a raw IP, an odd name) on a link to an institution's system
            sev = VETO if proof else (DEDUCT if len(risk.weak) >= 2 else NOTICE)
            g.add(UNSAFE, sev, netloc_of(lk.url), "link", lk.url, lk.text,
                  {"kind": "outbound", "signals": proof + risk.weak, "spam": spam, "tag": lk.tag,
                   "hidden": bool(lk.reason)})

    # -- linked outside page ------------------------------------------------------------------
    def outside_page(self, site_id: str, url: str, date: Any, lk: FoundLink, title: str, text: str,
                     final_url: str) -> list[Finding]:
        spam = self.judge.words(title, date=date, where="title") + \
            self.judge.words(text, date=date, where="text")
        spam = list(dict.fromkeys(spam))
        if not spam:
            return []
        return [Finding(rule=UNSAFE, severity=VETO, site_id=site_id, url=url, target=lk.url,
                        text=lk.text or None, where="link", category=CATEGORY[UNSAFE],
                        evidence={"kind": "outside_page", "spam": spam[:20], "title": title[:200],
                                  "final_url": final_url, "host": host_of(lk.url)})]

    # -- versions ---------------------------------------------------------------------------------
    def compare(self, site_id: str, url: str, date: Any, base: Version, other: Version,
                kind: str) -> list[Finding]:
        """What `other` shows that `base` does not, when it carries spam.  kind: cloaking
        (Baiduspider vs browser) or rendering (rendered DOM vs static HTML)."""
        findings: list[Finding] = []
        ev = {"kind": kind, "versions": [base.label, other.label]}
        # title
        if other.title.strip() != base.title.strip():
            spam = self.judge.words(other.title, date=date, where="title")
            base_spam = set(self.judge.words(base.title, date=date, where="title"))
            new = [s for s in spam if s not in base_spam]
            if new:
                findings.append(Finding(
                    # the text is the title the other version shows, as it appears there
                    rule=ILLEGAL, severity=VETO, site_id=site_id, url=url, text=other.title.strip()[:300],
                    where=f"{kind} title", category=CATEGORY[ILLEGAL],
                    evidence={**ev, "spam": new, "before": base.title[:300], "after": other.title[:300],
                              base.label: {"title": base.title[:300]}, other.label: {"title": other.title[:300]}}))
        # text lines only the other version has
        base_lines = {ln.strip() for ln in base.text.splitlines() if ln.strip()}
        new_lines = [ln.strip() for ln in other.text.splitlines() if ln.strip() and ln.strip() not in base_lines]
        if new_lines:
            blob = "\n".join(new_lines)[:20000]
            spam = self.judge.words(blob, date=date, where="text")
            base_spam = set(self.judge.words(base.text, date=date, where="text"))
            new = [s for s in spam if s not in base_spam]
            if new:
                findings.append(Finding(
                    rule=ILLEGAL, severity=VETO, site_id=site_id, url=url, text=new[0],
                    where=f"{kind} text", category=CATEGORY[ILLEGAL], count=len(new),
                    evidence={**ev, "spam": new[:20], "only_in_" + other.label: blob[:600],
                              base.label: {"title": base.title[:300]}, other.label: {"title": other.title[:300]}}))
        # outside hosts only the other version links
        g = _Grouper()
        base_hosts = set(base.outside())
        for host, links in other.outside().items():
            if host in base_hosts:
                continue
            for lk in links:
                risk, spam, proof = self.link_verdict(lk, date)
                if risk.trusted:
                    continue
                hidden = bool(lk.reason)
                if proof:
                    sev = VETO
                elif kind == "cloaking" or hidden:
                    sev = DEDUCT  # links shown to spiders only are hidden links by definition
                else:
                    continue  # a widget a script adds (weather, share buttons): not spam by itself
                g.add(HIDDEN, sev, host, f"{kind} link", lk.url, lk.text,
                      {**ev, "spam": spam, "signals": proof + risk.weak, "reason": lk.reason,
                       base.label: {"title": base.title[:300], "outside_hosts": sorted(base_hosts)[:30]},
                       other.label: {"title": other.title[:300]}})
        findings.extend(g.findings(site_id, url))
        # landing somewhere else
        fh, bh = netloc_of(other.final_url), netloc_of(base.final_url)
        if fh and bh and fh != bh:
            lk = FoundLink(url=other.final_url, text="", tag="a", external=True)
            risk, spam, proof = self.link_verdict(lk, date)
            if any(f.rule == ILLEGAL for f in findings):
                proof = proof + ["the landing page carries illegal wording"]
            if not risk.trusted:
                findings.append(Finding(
                    rule=HIDDEN, severity=VETO if (proof or kind == "cloaking") else DEDUCT,
                    site_id=site_id, url=url, target=other.final_url, where=f"{kind} redirect",
                    category=CATEGORY[HIDDEN],
                    evidence={**ev, "signals": proof + risk.weak, base.label: {"final_url": base.final_url},
                              other.label: {"final_url": other.final_url, "title": other.title[:300]}}))
        return findings


# -- what a hidden link is ------------------------------------------------------------------
# techniques attackers use to hide links (rules.md: deduct towards an unrelated commercial
# site); display:none / visibility:hidden / the hidden attribute are also how every
# template collapses its menus, so alone they give a notice at most
_INJECTION = ("off-screen", "zero size", "font-size 0", "text colour equals background", "clipped",
              "marquee", "tiny iframe", "inside a script-written", "opacity")
_INTERFACE_TEXT = re.compile(
    r"找错|纠错|适老|无障碍|长者|关怀|读屏|语音|大字|简体|繁[體体]|English|技术支持|网站建设|设计制作|"
    r"制作维护|版权所有|分享|微信|微博|QQ|qzone|空间|收藏|打印|关闭|返回|更多|登录|注册|"
    r"二维码|扫一扫|手机版|客户端|APP|下载", re.I)
_INTERFACE_HOST = re.compile(
    r"(?:^|\.)(?:jiathis|bshare|addthis|sharethis|weibo|qq|qzone|douban|renren|kaixin001|"
    r"hanweb|trs|ucap|dahancms|cnzz|51\.la|baidu|dzwww|jiucuo|zfwzgl|conac|beian|govwza|"
    r"wza|cloud)\.", re.I)
_INSTITUTION_TEXT = re.compile(
    r"政府|人民|委员会|[局厅部办署院所馆站]$|党|人大|政协|法院|检察|新华|日报|晚报|新闻|电视|广播|"
    r"大学|学院|学校|研究院|研究所|科学院|图书馆|博物馆|档案馆|协会|学会|基金会|中心|公安|网信|"
    r"共青团|妇联|工会|文明网|求是|光明|央视|国务院|中央|国家|科学|科技|图书|报$|报社|杂志|期刊")
_INSTITUTION_HOST = re.compile(r"\.(?:gov|edu|ac|mil|org)(?:\.cn)?$|\.gov\.[a-z]{2}$|"
                               r"(?:^|\.)(?:people|xinhuanet|news|cctv|cntv|gmw|chinadaily|ce|cnr|youth|"
                               r"qstheory|81|cyol|chinanews|thepaper|ifeng|163|sohu|sina)\.", re.I)


def technique(reason: str | None) -> str | None:
    """The hiding technique, in words an editor reads (from the detector's reason)."""
    if not reason:
        return None
    for key, words in (("display:none", "display:none (CSS)"), ("visibility", "visibility:hidden (CSS)"),
                       ("hidden attribute", "the hidden attribute"), ("off-screen", "moved off-screen"),
                       ("zero size", "zero-size box"), ("font-size 0", "font-size 0"),
                       ("colour", "text in the background colour"), ("clipped", "clipped to nothing"),
                       ("marquee", "squeezed or parked marquee"), ("tiny iframe", "1-pixel iframe"),
                       ("script", "hidden by script"), ("opacity", "opacity 0")):
        if key in reason:
            return words
    return reason


def injection(reason: str | None) -> bool:
    return bool(reason) and any(k in reason for k in _INJECTION)  # type: ignore[operator]


def interface_reason(lk: FoundLink) -> str | None:
    """Why a hidden link is part of the site's interface (a visitor can reveal it or it is
    the template's own), or None."""
    if lk.widget:
        return "inside a menu, dropdown, tab, carousel or popup a visitor opens"
    if lk.text and _INTERFACE_TEXT.search(lk.text):
        return f"an interface link ({lk.text[:20]})"
    if _INTERFACE_HOST.search(host_of(lk.url)):
        return "a share, statistics, 找错 or CMS service"
    return None


def institutional(lk: FoundLink) -> bool:
    """A link to another government, Party, academic or news site (by host or anchor)."""
    host = host_of(lk.url)
    if _INSTITUTION_HOST.search(host):
        return True
    text = (lk.text or "").strip()
    return bool(text) and len(text) <= 40 and bool(_INSTITUTION_TEXT.search(text))


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per key (the strongest severity wins)."""
    out: "OrderedDict[str, Finding]" = OrderedDict()
    for f in findings:
        k = f.key
        if k not in out or _RANK[f.severity] > _RANK[out[k].severity]:
            out[k] = f
    return list(out.values())

