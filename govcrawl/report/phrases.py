"""How a bulletin words findings: categories, short problem phrases, concrete evidence,
and what the office has to change.

The sentences here are GovCrawl's own.  Evidence keys are read defensively (several names
per fact) because each check family fills `Finding.evidence` its own way.
"""

from __future__ import annotations

from typing import Any

from govcrawl.items import Finding

# (category, rule prefixes) in the order the bulletin prints "存在的主要问题".
SITE_CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("网站无法访问", ("site.unreachable",)),
    ("首页或栏目更新不及时", ("site.homepage_not_updated", "column.stale_")),
    ("存在空白栏目", ("column.blank",)),
    ("存在严重表述错误", ("content.leader_name", "content.leader_title", "content.phrase")),
    ("发布或链接违法有害信息、存在暗链", ("content.illegal", "content.hidden_link", "link.unsafe")),
    ("错别字和禁用慎用表述", ("content.typo", "content.prohibited")),
    ("泄露个人信息", ("content.privacy",)),
    ("发稿日期异常", ("content.fake_date",)),
    ("互动回应差", ("interaction.",)),
    ("链接不可用", ("link.broken",)),
    ("网站标识和页面标签不规范", ("identity.", "tag.")),
]
MEDIA_CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("账号无法找到或已注销", ("media.not_found",)),
    ("内容更新不及时", ("media.not_updated",)),
    ("未提供有效互动功能或回复不及时", ("media.no_interaction", "media.slow_reply")),
    ("无原创内容", ("media.no_original",)),
    ("已改名但系统中未改名", ("media.renamed",)),
    ("发布商业广告", ("media.ads",)),
    ("存在表述错误", ("content.",)),
]

RULE_PHRASES: dict[str, str] = {
    "site.unreachable": "监测时间点无法访问",
    "site.homepage_not_updated": "首页长期未更新",
    "column.blank": "存在空白栏目",
    "column.stale_news": "栏目更新不及时",
    "column.stale_notice": "栏目更新不及时",
    "column.stale_other": "应更新栏目未更新",
    "content.leader_name": "存在严重表述错误",
    "content.leader_title": "存在严重表述错误",
    "content.phrase": "存在严重表述错误",
    "content.illegal": "发布或链接违法有害信息",
    "content.hidden_link": "存在暗链",
    "link.unsafe": "链接不安全内容",
    "content.prohibited": "使用禁用慎用表述",
    "content.typo": "存在错别字",
    "content.privacy": "泄露个人信息",
    "content.fake_date": "发稿日期异常",
    "link.broken": "存在不可用链接",
    "tag.missing": "页面标签不规范",
    "tag.invalid": "页面标签不规范",
    "identity.missing": "网站标识不规范",
    "interaction.no_channel": "互动回应差",
    "interaction.unanswered": "互动回应差",
    "interaction.slow_reply": "留言办理不及时",
    "interaction.stale_stats": "留言统计未及时更新",
    "media.not_updated": "14天未更新",
    "media.no_interaction": "未提供有效互动功能",
    "media.no_original": "3个月无原创",
    "media.slow_reply": "留言回复不及时",
    "media.renamed": "已改名系统中未改名",
    "media.not_found": "搜索不到",
    "media.ads": "发布商业广告",
}


def category_of(rule: str, media: bool = False) -> str:
    for name, prefixes in (MEDIA_CATEGORIES if media else SITE_CATEGORIES):
        if any(rule.startswith(p) for p in prefixes):
            return name
    return "其他问题"


def ev(f: Finding, *names: str) -> Any:
    """The first evidence value present under any of `names`."""
    e = f.evidence or {}
    for n in names:
        v = e.get(n)
        if v not in (None, "", [], {}):
            return v
    return None


ERROR_WORDS = [("refused", "连接被拒绝"), ("timeout", "访问超时"), ("timed out", "访问超时"),
               ("dnslookup", "域名解析失败"), ("dns", "域名解析失败"), ("ssl", "证书或加密连接错误"),
               ("tls", "证书或加密连接错误"), ("reset", "连接被重置"), ("no route", "网络不可达")]


def error_cn(err: Any) -> str:
    """A fetch error as an office reads it: 连接被拒绝, not a Twisted class name."""
    text = str(err or "")
    if text.isdigit() or text.upper().startswith("HTTP "):
        return f"状态码{text.split()[-1]}"
    low = text.lower()
    for needle, word in ERROR_WORDS:
        if needle in low:
            return word
    return text.split(":")[0][:60] if text else "无法访问"


def _date(v: Any) -> str:
    return str(v)[:10] if v else ""


def problem_phrases(findings: list[Finding]) -> list[str]:
    """Short phrases for a subject without stored verdict problems (vetoes first)."""
    out: list[str] = []
    stale = sum(1 for f in findings if f.rule.startswith("column.stale_"))
    ordered = sorted(findings, key=lambda f: (f.severity != "veto", f.rule))
    for f in ordered:
        if f.severity == "notice":
            continue
        if f.rule.startswith("column.stale_"):
            p = "多个栏目更新不及时" if stale >= 2 else "个别栏目更新不及时"
        elif f.rule == "media.renamed" and ev(f, "current_name", "name_now", "current"):
            p = f"已改名（{ev(f, 'current_name', 'name_now', 'current')}）系统中未改名"
        else:
            p = RULE_PHRASES.get(f.rule, f.category or f.rule)
        if p not in out:
            out.append(p)
    return out


def where(f: Finding, page_title: str | None = None) -> str:
    """Where an office finds the problem: column, page, place on the page."""
    parts = []
    if f.column:
        parts.append(f"“{f.column}”栏目")
    if page_title:
        parts.append(f"页面《{page_title}》")
    spot = {"title": "页面标题", "meta": "页面元数据", "attr": "图片或链接说明文字",
            "link": "链接", "text": "正文"}.get(f.where or "")
    if spot and f.rule.startswith(("content.", "tag.")):
        parts.append(spot)
    if f.url:
        parts.append(f.url)
    if parts:
        return "，".join(parts)
    return "账号整体" if f.rule.startswith("media.") else "网站整体"


def evidence(f: Finding, page_title: str | None = None) -> str:
    """One concrete clause proving the finding, as a bulletin cites it."""
    r = f.rule
    col = f"“{f.column}”栏目" if f.column else "栏目"
    if r.startswith("column.stale_") or r == "site.homepage_not_updated":
        newest = _date(ev(f, "newest_date", "newest", "last_date", "latest", "last_update"))
        days = ev(f, "age_days", "days", "days_since")
        item = ev(f, "newest_item")
        title = item.get("title") if isinstance(item, dict) else None
        subject = "首页" if r == "site.homepage_not_updated" else col
        if newest:
            what = f"最新信息《{title}》发布于{newest}" if title else f"最新信息日期为{newest}"
            tail = f"，距检查日已{days}天" if days not in (None, "") else ""
            return f"{subject}{what}{tail}"
        return f"{subject}未见带日期的更新信息"
    if r == "column.blank":
        return f"{col}无任何内容" if not f.text else f"{col}显示“{f.text}”"
    if r == "site.unreachable":
        share = ev(f, "failure_share", "share", "fail_rate", "failed_share")
        if isinstance(share, (int, float)):
            pct = share * 100 if share <= 1 else share
            return f"监测期间首页访问失败比例为{pct:.1f}%"
        err = ev(f, "status", "error")
        return f"检查时首页无法访问（{error_cn(err)}）" if err else "检查时首页无法访问"
    if r == "link.broken":
        status = ev(f, "status", "error", "reason")
        tgt = f.target or ""
        anchor = f"“{f.text}”" if f.text else ""
        on = f"，位于{f.url}" if f.url else ""
        why = f"（{error_cn(status)}）" if status else ""
        return f"链接{anchor}（{tgt}）无法打开{why}{on}" if anchor else f"链接{tgt}无法打开{why}{on}"
    if r == "content.fake_date":
        pub = _date(ev(f, "pub_date") or f.text)
        as_of = _date(ev(f, "as_of"))
        if pub and as_of:
            return f"信息发布日期标为{pub}，晚于检查日{as_of}"
    if r == "tag.invalid" and f.text and f.suggestion:
        tag = ev(f, "tag") or f.target or "页面"
        return f"{f.url}的{tag}标签值为“{f.text}”，应为“{f.suggestion}”"
    if (r == "content.hidden_link" or r == "link.unsafe") and f.target:
        return f"页面{f.url}含指向{f.target}的链接" + (f"“{f.text}”" if f.text else "")
    if r == "media.renamed":
        now = ev(f, "current_name", "name_now", "current") or f.text
        return f"账号已改名为“{now}”，报送系统中仍为原名称" if now else RULE_PHRASES[r]
    if r.startswith("content.") and f.text:
        page = f"（页面《{page_title}》）" if page_title else (f"（{f.url}）" if f.url else "")
        if f.suggestion:
            return f"将“{f.suggestion}”误写为“{f.text}”{page}"
        return f"出现“{f.text}”{page}"
    if r == "identity.missing":
        item = f.text or ev(f, "item", "missing")
        return f"首页底部缺少{item}" if item else "首页底部网站标识不全"
    if r.startswith("tag."):
        tag = ev(f, "tag", "name") or f.text or "页面"
        return f"{f.url}的{tag}标签{'缺失' if r == 'tag.missing' else '赋值有误'}"
    if r.startswith("interaction."):
        title = ev(f, "title", "letter", "subject")
        asked = _date(ev(f, "submitted", "asked", "submit_date", "date"))
        answered = _date(ev(f, "replied", "reply_date", "answered"))
        if r == "interaction.no_channel":
            return "未提供可用的在线咨询渠道"
        if r == "interaction.stale_stats":
            newest = _date(ev(f, "newest_date", "newest", "last_date"))
            days = ev(f, "age_days", "days")
            tail = f"，已{days}天未更新" if days not in (None, "") else ""
            return f"{col}最近一次更新为{newest}{tail}" if newest else f"{col}未及时更新"
        if asked:
            label = f"留言“{title}”" if title else "网民留言"
            return f"{label}于{asked}提交，" + (f"{answered}才答复" if answered else "至今未答复")
        return RULE_PHRASES.get(r, r)
    if r == "media.not_updated":
        last = _date(ev(f, "last_post", "newest", "last_date", "latest"))
        return f"最近一次发布为{last}" if last else "14天内无更新"
    base = RULE_PHRASES.get(r, f.category or r)
    return f"{base}（{f.url}）" if f.url else base


def action(f: Finding) -> str:
    """What the office should change to close the finding."""
    r = f.rule
    if r.startswith("tag.") and f.text and f.suggestion:
        return f"将{ev(f, 'tag') or f.target or ''}标签的值“{f.text}”改为“{f.suggestion}”"
    if f.text and f.suggestion:
        return f"将“{f.text}”改为“{f.suggestion}”"
    if r == "identity.missing" and (f.suggestion or ev(f, "item")):
        return f"在首页底部补充{f.suggestion or ev(f, 'item')}"
    if f.suggestion and len(f.suggestion) > 8:  # a sentence of advice, not a bare value
        return f.suggestion
    table = [
        ("site.unreachable", "排查服务器、网络和域名解析，保证首页稳定可访问"),
        ("site.homepage_not_updated", "及时在首页发布新信息"),
        ("column.stale_", "及时更新该栏目；确无内容可发的，按规定整合或撤销该栏目"),
        ("column.blank", "补充栏目内容，或撤销、合并该空白栏目"),
        ("content.illegal", "立即删除有关内容，排查网站安全漏洞"),
        ("content.hidden_link", "立即删除隐藏链接，排查网页篡改来源"),
        ("link.unsafe", "立即删除该链接"),
        ("content.privacy", "对公示中的身份证号码、手机号码等个人信息作去标识化处理"),
        ("content.fake_date", "核对并更正发布日期"),
        ("content.", "核对并更正有关表述"),
        ("link.broken", "修复该链接或删除失效链接"),
        ("tag.", "按《政府网站发展指引》补充或更正页面元数据标签"),
        ("identity.missing", "在首页底部补充缺少的网站标识信息"),
        ("interaction.no_channel", "开设并保障在线咨询渠道可用"),
        ("interaction.unanswered", "尽快答复并公开答复内容"),
        ("interaction.slow_reply", "在5个工作日内答复网民留言"),
        ("interaction.stale_stats", "按月更新留言受理反馈情况统计"),
        ("media.not_updated", "保持账号正常更新"),
        ("media.no_interaction", "开通并保障互动功能可用"),
        ("media.no_original", "增加原创信息发布"),
        ("media.slow_reply", "及时回复网民留言"),
        ("media.renamed", "在全国政务新媒体信息报送系统中更新账号名称"),
        ("media.not_found", "核实账号状态，已关停的及时在报送系统中注销"),
        ("media.ads", "删除商业广告内容"),
    ]
    for prefix, text in table:
        if r.startswith(prefix):
            return text
    return "核实并整改"
