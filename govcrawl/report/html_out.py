"""The self-contained HTML report: bulletin text, inline SVG charts, annex tables.

No scripts, no external resources: the file opens from a USB stick or an intranet mail.
Every string that may come from a crawled page (site names, titles, matched text, URLs) goes
through `esc()`; nothing is inserted raw.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Sequence

from govcrawl.history import period_title
from govcrawl.report import text as T
from govcrawl.report.model import Bulletin, Rate, Section, TrendPoint
from govcrawl.report.xlsx_out import LIFECYCLE_LABELS, REVIEW_LABELS

CSS = """
body{font-family:"FangSong","STFangsong","Noto Serif CJK SC","Noto Sans CJK SC","WenQuanYi Micro Hei",serif;
 max-width:960px;margin:2em auto;padding:0 1em;color:#222;line-height:1.8}
h1.title{font-family:"SimHei","Noto Sans CJK SC",sans-serif;text-align:center;font-size:1.6em}
h2{font-family:"SimHei","Noto Sans CJK SC",sans-serif;font-size:1.2em;margin-top:1.6em}
h3{font-size:1.05em}
p.body{text-indent:2em;margin:.4em 0}
p.sign{text-align:right;margin:.2em 0}
table{border-collapse:collapse;width:100%;margin:.8em 0;font-size:.92em}
th,td{border:1px solid #999;padding:.25em .5em;vertical-align:top;word-break:break-all}
th{background:#dde6f0}
td.n{text-align:center;white-space:nowrap}
.fail{color:#b00020;font-weight:bold}
.charts{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0;border:1px solid #ddd;padding:.5em;background:#fafafa}
figcaption{font-weight:bold;text-align:center}
.meta{color:#666;font-size:.85em;border-top:1px solid #ddd;margin-top:2em;padding-top:.5em}
details{margin:.3em 0}
"""


def esc(s: object) -> str:
    return escape(str(s), quote=True)


def _bar_chart(title: str, bars: Sequence[tuple[str, float, str]], max_value: float,
               color: str = "#3c78b4") -> str:
    """Horizontal bars: (label, value, text shown after the bar)."""
    if not bars:
        return ""
    row_h, label_w, bar_w = 24, 200, 300
    h = row_h * len(bars) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 140}" '
             f'height="{h}" role="img" aria-label="{esc(title)}">']
    for i, (label, value, shown) in enumerate(bars):
        y = 10 + i * row_h
        w = 0 if max_value <= 0 else max(1.0, bar_w * value / max_value)
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
                     f'{esc(label[:14])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                     f'fill="{color}"><title>{esc(label)}: {esc(shown)}</title></rect>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12">{esc(shown)}</text>')
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}<figcaption>{esc(title)}</figcaption></figure>"


def _rate_chart(title: str, groups: Sequence[Rate]) -> str:
    bars = [(g.name, g.rate, f"{T.fmt_rate(g.rate)}（{g.passed}/{g.checked}）") for g in groups]
    return _bar_chart(title, bars, 100.0)


def _trend_chart(title: str, points: Sequence[TrendPoint]) -> str:
    if not points:
        return ""
    w, h, left, top, bottom = 520, 220, 50, 20, 40
    lo = min(min(p.rate for p in points) - 5, 80.0)
    lo = max(0.0, (lo // 10) * 10)
    span = 100.0 - lo or 1.0
    pad = 30  # keep the first point clear of the axis labels
    step = (w - left - 2 * pad) / max(1, len(points) - 1)

    def xy(i: int, rate: float) -> tuple[float, float]:
        x = left + pad + (step * i if len(points) > 1 else (w - left - 2 * pad) / 2)
        y = top + (h - top - bottom) * (100.0 - rate) / span
        return x, y

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" '
             f'aria-label="{esc(title)}">']
    for g in range(int(lo), 101, 10):
        _, y = xy(0, g)
        parts.append(f'<line x1="{left}" x2="{w - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{g}%</text>')
    coords = [xy(i, p.rate) for i, p in enumerate(points)]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#b4503c" stroke-width="2"/>')
    for (x, y), p in zip(coords, points):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#b4503c">'
                     f'<title>{esc(p.period)}: {esc(T.fmt_rate(p.rate))}</title></circle>'
                     f'<text x="{x:.1f}" y="{y - 8:.1f}" font-size="11" text-anchor="middle">'
                     f'{esc(T.fmt_rate(p.rate))}</text>'
                     f'<text x="{x:.1f}" y="{h - bottom + 18}" font-size="11" text-anchor="middle">'
                     f'{esc(p.period)}</text>')
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}<figcaption>{esc(title)}</figcaption></figure>"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], result_col: int | None = None) -> str:
    out = ["<table><thead><tr>", "".join(f"<th>{esc(h)}</th>" for h in header),
           "</tr></thead><tbody>"]
    for row in rows:
        cells = []
        for c, v in enumerate(row):
            cls = ' class="n"' if c == 0 else ""
            if result_col is not None and c == result_col and v == "不合格":
                cls = ' class="fail"'
            cells.append(f"<td{cls}>{esc(v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _charts(sec: Section, media: bool) -> str:
    noun = "政务新媒体" if media else "政府网站"
    group = "各平台" if media else "各地区"
    charts = [_rate_chart(f"{group}{noun}合格率", sec.totals.groups)]
    cats = [(g.category, float(g.subjects), f"{g.subjects}个（{g.findings}处）") for g in sec.problems]
    if cats:
        charts.append(_bar_chart(f"{noun}问题分类（涉及数量）", cats,
                                 max(v for _, v, _ in cats), color="#c8963c"))
    charts.append(_trend_chart(f"{noun}合格率趋势", sec.trend))
    return '<div class="charts">' + "".join(c for c in charts if c) + "</div>"


def _rect_section(sec: Section, media: bool) -> str:
    if not sec.open_items:
        return ""
    by: dict[str, list] = {}
    for it in sec.open_items:
        by.setdefault(it.subject_id, []).append(it)
    out = [f"<h2>{'政务新媒体' if media else '政府网站'}整改清单</h2>"]
    for sid, items in by.items():
        out.append(f"<details><summary>{esc(items[0].subject)}（{esc(sid)}）：{len(items)}个问题"
                   "</summary>")
        rows = [[i, it.problem, it.where, it.evidence, it.action,
                 LIFECYCLE_LABELS.get(it.lifecycle, it.lifecycle), REVIEW_LABELS.get(it.review, it.review)]
                for i, it in enumerate(items, 1)]
        out.append(_table(["序号", "问题", "问题位置", "问题详情", "整改要求", "跟踪状态", "复核"], rows))
        out.append("</details>")
    return "".join(out)


def render_html(b: Bulletin, *, deadline_days: int = 10, addressee: str = "") -> str:
    body: list[str] = []
    for blk in T.bulletin_blocks(b, deadline_days=deadline_days, addressee=addressee):
        if blk.kind == "title":
            body.append(f'<h1 class="title">{esc(blk.text)}</h1>')
        elif blk.kind == "h1":
            body.append(f"<h2>{esc(blk.text)}</h2>")
        elif blk.kind == "h2":
            body.append(f"<h3>{esc(blk.text)}</h3>")
        elif blk.kind == "sign":
            body.append(f'<p class="sign">{esc(blk.text)}</p>')
        elif blk.kind == "salutation":
            body.append(f"<p>{esc(blk.text)}</p>")
        else:
            body.append(f'<p class="body">{esc(blk.text)}</p>')
        if blk.kind == "h1" and blk.text.startswith("二"):
            # charts sit at the head of the problems section, after the totals
            if b.sites:
                body.append(_charts(b.sites, False))
            if b.media:
                body.append(_charts(b.media, True))
    site_title, media_title = T.annex_titles(b)
    n = 1
    if b.sites:
        body.append(f"<h2>附件{n}　{esc(site_title)}</h2>")
        body.append(_table(T.SITE_ANNEX_HEADER, T.site_annex_rows(b.sites), result_col=2))
        n += 1
    if b.media:
        body.append(f"<h2>附件{n}　{esc(media_title)}</h2>")
        body.append(_table(T.ACCOUNT_ANNEX_HEADER, T.account_annex_rows(b.media), result_col=3))
    for sec, media in ((b.sites, False), (b.media, True)):
        if sec is not None:
            body.append(_rect_section(sec, media))
    meta = []
    for sec, label in ((b.sites, "网站检查"), (b.media, "新媒体检查")):
        if sec is not None:
            meta.append(f"{label}：检查编号{sec.inspection_id}，基准日{esc(sec.as_of)}，"
                        f"{'抽查' if sec.scope == 'sample' else '全面检查'}"
                        + (f"（种子{sec.sample_seed}）" if sec.scope == "sample" else ""))
    if b.lifecycle:
        meta.append("本期网站问题跟踪：" + "，".join(
            f"{LIFECYCLE_LABELS.get(k, k)}{v}个" for k, v in sorted(b.lifecycle.items())))
    meta.append(f"周期：{esc(period_title(b.period))}；由 GovCrawl 生成，正式发文前请人工核对。")
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(b.title)}</title><style>{CSS}</style></head><body>"
            + "".join(body) + f'<div class="meta">{"<br>".join(meta)}</div></body></html>\n')


def write_html(b: Bulletin, path: Path, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(b, **kw), encoding="utf-8")
    return path
