"""The bulletin's text as a list of blocks, shared by the .docx draft and the .html report.

The wording follows the shape of published 通报 (basis, totals, re-check, main problems,
requirements, annexes, signature) in GovCrawl's own sentences.  Numbers come from the
`Bulletin` model only.  Blocks are plain strings; each writer escapes them for its format.
"""

from __future__ import annotations

from dataclasses import dataclass

from govcrawl.history import period_title
from govcrawl.report.model import Bulletin, Section, Totals

CN_ORDINALS = "一二三四五六七八九十"


@dataclass
class Block:
    kind: str  # title | subtitle | salutation | h1 | h2 | p | sign | annex_list
    text: str


def fmt_rate(v: float) -> str:
    """94.22 → 94.22%; 100.0 → 100%."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return f"{s}%"


def fmt_pp(v: float) -> str:
    return f"{abs(v):.2f}".rstrip("0").rstrip(".")


def quote_list(names: list[str], limit: int = 8, suffix: str = "") -> str:
    shown = [f"“{n}”" for n in names[:limit]]
    text = "、".join(shown)
    if len(names) > limit:
        text += f"等{len(names)}个"
    return text + suffix


def change_sentence(t: Totals) -> str:
    if t.change_pp is None or t.prev_period is None:
        return ""
    prev = period_title(t.prev_period)
    if abs(t.change_pp) < 0.005:
        return f"，与{prev}持平"
    word = "提升" if t.change_pp > 0 else "下降"
    return f"，较{prev}{word}{fmt_pp(t.change_pp)}个百分点"


def _totals_paragraph(sec: Section, noun: str, unit: str) -> str:
    t = sec.totals
    if not t.checked:
        return f"本期未取得任何{noun}的检查结果（正在运行{t.running}{unit}），请核实检查是否正常完成。"
    if sec.scope == "sample":
        head = (f"从正在运行的{t.running}{unit}{noun}中按地区和类型分层抽查{t.checked}{unit}"
                f"（抽样种子{sec.sample_seed if sec.sample_seed is not None else '未记录'}，可复现）")
    else:
        head = f"对正在运行的{t.running}{unit}{noun}中的{t.checked}{unit}进行检查" \
            if t.checked < t.running else f"对正在运行的{t.running}{unit}{noun}进行全覆盖检查"
    rate_word = "抽查合格率" if sec.scope == "sample" else "合格率"
    body = (f"{head}。检查结果为：合格{t.passed}{unit}，不合格{t.failed}{unit}，"
            f"{rate_word}为{fmt_rate(t.rate)}{change_sentence(t)}。")
    return body


def _groups_paragraph(t: Totals, label: str) -> str:
    if len(t.groups) < 2:
        return ""
    parts = []
    if t.full_groups:
        parts.append(f"{'、'.join(t.full_groups)}{label}合格率为100%。")
    ranked = "、".join(f"{g.name}（{fmt_rate(g.rate)}，{g.passed}/{g.checked}）" for g in t.groups)
    parts.append(f"各{'平台' if label == '账号' else '地区'}合格率由高到低依次为：{ranked}。")
    return "".join(parts)


def _repeat_paragraph(sec: Section, noun: str) -> str:
    if not sec.repeat:
        return ""
    by_label: dict[str, list[str]] = {}
    for s in sec.repeat:
        by_label.setdefault(s.repeat, []).append(s.name)
    parts = [f"{quote_list(names)}{noun}{label}" for label, names in by_label.items()]
    return "；".join(parts) + "。"


def _recheck_paragraph(sec: Section, noun: str, unit: str) -> str:
    rc = sec.recheck
    if rc is None:
        return ""
    prev = period_title(rc.prev_period)
    if not rc.prev_failed:
        head = f"经复查，{prev}检查未发现不合格{noun}。"
    else:
        head = f"经复查，{prev}检查发现的{len(rc.prev_failed)}{unit}不合格{noun}中，"
        bits = []
        if len(rc.rectified) == len(rc.prev_failed):
            bits.append("均已完成整改")
        elif rc.rectified:
            bits.append(f"{len(rc.rectified)}{unit}已完成整改")
        if rc.not_rectified:
            bits.append(f"{quote_list(rc.not_rectified)}{noun}未按要求完成整改")
        if rc.unchecked:
            bits.append(f"{quote_list(rc.unchecked)}本期未纳入检查")
        head += "，".join(bits) + "。"
    total = rc.fixed + rc.still_open + rc.not_rechecked
    if total:
        head += (f"{prev}发现的{total}个问题中，已整改{rc.fixed}个，仍未整改{rc.still_open}个"
                 + (f"，本期未复查{rc.not_rechecked}个" if rc.not_rechecked else "") + "。")
    return head


def _problem_paragraphs(sec: Section, noun: str, unit: str) -> list[Block]:
    out = []
    for n, g in enumerate(sec.problems):
        examples = "；".join(f"“{e.subject}”{noun}{'；'.join(e.evidence)}" for e in g.examples)
        more = "等" if g.subjects > len(g.examples) else ""
        out.append(Block("p", f"（{CN_ORDINALS[n] if n < 10 else n + 1}）{g.category}。"
                              f"{g.subjects}{unit}{noun}存在此类问题（共{g.findings}处），"
                              f"如{examples}{more}。"))
    return out


def bulletin_blocks(b: Bulletin, deadline_days: int = 10, addressee: str = "") -> list[Block]:
    blocks = [Block("title", b.title)]
    if addressee:
        blocks.append(Block("salutation", f"{addressee}："))
    check = "抽查" if ((b.sites and b.sites.scope == "sample") or
                       (not b.sites and b.media and b.media.scope == "sample")) else "检查"
    what = "政府网站与政务新媒体" if (b.sites and b.media) else ("政府网站" if b.sites else "政务新媒体")
    blocks.append(Block("p", (
        f"按照《国务院办公厅秘书局关于印发政府网站与政务新媒体检查指标、监管工作年度考核指标的通知》"
        f"（国办秘函〔2019〕19号）要求，{b.issuer or '我单位'}组织开展了{b.period_title}{what}{check}"
        f"工作，现将有关情况通报如下。")))
    blocks.append(Block("h1", "一、总体情况"))
    sub = 0
    for sec, noun, unit, label in ((b.sites, "网站", "个", "网站"), (b.media, "账号", "个", "账号")):
        if sec is None:
            continue
        if sec.recheck is not None:
            blocks.append(Block("h2", f"（{CN_ORDINALS[sub]}）{period_title(sec.recheck.prev_period)}"
                                      f"{'政府网站' if noun == '网站' else '政务新媒体'}问题整改情况"))
            sub += 1
            blocks.append(Block("p", _recheck_paragraph(sec, noun, unit)))
        blocks.append(Block("h2", f"（{CN_ORDINALS[sub]}）{b.period_title}"
                                  f"{'政府网站' if noun == '网站' else '政务新媒体'}{check}情况"))
        sub += 1
        noun_full = "政府网站" if noun == "网站" else "政务新媒体"
        text = _totals_paragraph(sec, noun_full, unit)
        text += _groups_paragraph(sec.totals, label)
        text += _repeat_paragraph(sec, noun)
        if sec.false_alarms:
            text += f"（经人工复核排除误报{sec.false_alarms}处，不计入结果。）"
        blocks.append(Block("p", text))
    blocks.append(Block("h1", "二、存在的主要问题"))
    any_problem = False
    for sec, noun, unit in ((b.sites, "网站", "个"), (b.media, "账号", "个")):
        if sec is None or not sec.problems:
            continue
        any_problem = True
        blocks.append(Block("h2", "政府网站方面" if noun == "网站" else "政务新媒体方面"))
        blocks.extend(_problem_paragraphs(sec, noun, unit))
    if not any_problem:
        blocks.append(Block("p", "本期检查未发现突出问题。"))
    blocks.append(Block("h1", "三、整改要求"))
    blocks.append(Block("p", (
        "（一）压实主体责任。各主办单位要落实信息发布审核制度，对本通报指出的问题逐项建立台账，"
        "明确责任人和完成时限，整改一项、销号一项。")))
    blocks.append(Block("p", (
        "（二）加强日常监测。坚持机器扫描与人工复核相结合，对栏目更新、链接可用、信息内容和互动回应情况"
        "开展常态化巡检，发现问题及时处置，防止同类问题反复出现。")))
    blocks.append(Block("p", (
        f"（三）按期反馈整改情况。请被通报的单位在本通报印发后{deadline_days}个工作日内完成整改，"
        "并将整改情况书面反馈。对连续两个季度或一年内多次检查不合格的，将约谈主办单位负责同志。")))
    annexes = []
    if b.sites:
        annexes.append(f"{b.period_title}政府网站{check}情况汇总表")
    if b.media:
        annexes.append(f"{b.period_title}政务新媒体{check}情况汇总表")
    blocks.append(Block("annex_list", "附件：" + "　".join(f"{i}.{a}" for i, a in enumerate(annexes, 1))))
    blocks.append(Block("sign", b.issuer or "（发文单位）"))
    y, m, d = b.date[:4], int(b.date[5:7]), int(b.date[8:10])
    blocks.append(Block("sign", f"{y}年{m}月{d}日"))
    return blocks


def annex_titles(b: Bulletin) -> tuple[str, str]:
    check = "抽查" if ((b.sites and b.sites.scope == "sample") or
                       (not b.sites and b.media and b.media.scope == "sample")) else "检查"
    return (f"{b.period_title}政府网站{check}情况汇总表", f"{b.period_title}政务新媒体{check}情况汇总表")


SITE_ANNEX_HEADER = ["序号", "网站名称", "检查结果", "突出问题"]
ACCOUNT_ANNEX_HEADER = ["序号", "账号名称", "账号类型", "检查结果", "备注"]


def site_annex_rows(sec: Section) -> list[list[object]]:
    """Failing sites, then passing sites with problems — as bulletins print them."""
    rows: list[list[object]] = []
    for s in sec.subjects:
        if not s.failed and not s.problems:
            continue
        rows.append([len(rows) + 1, s.name, s.result, s.problem_text])
    return rows


def account_annex_rows(sec: Section) -> list[list[object]]:
    rows: list[list[object]] = []
    for s in sec.subjects:
        if not s.failed and not s.problems:
            continue
        remark = "，".join(x for x in (s.problem_text, s.repeat) if x)
        rows.append([len(rows) + 1, s.name, s.type_label, s.result, remark])
    return rows
