"""The .docx draft an office edits and signs, and the per-site 整改通知.

Plain python-docx: headings, body paragraphs, the annex tables in "Table Grid" style.
Fonts follow the usual 公文 choices (方正小标宋 title, 仿宋 body) where installed; Word
falls back silently when they are not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Mapping, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from govcrawl.report import text as T
from govcrawl.report.model import Bulletin, OpenItem, Subject
from govcrawl.report.xlsx_out import LIFECYCLE_LABELS

_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _t(s: object) -> str:
    """python-docx rejects control characters that pages sometimes carry."""
    return _XML_ILLEGAL.sub("", str(s))


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def _para(doc, text: str, *, font: str = "仿宋_GB2312", size: float = 16, bold: bool = False,
          align=None, indent: bool = True):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _font(p.add_run(_t(text)), font, size, bold)
    return p


def _table(doc, header: Sequence[str], rows: Sequence[Sequence[object]],
           widths: Sequence[float]) -> None:
    """A grid table built in one go: python-docx's row-by-row API is quadratic."""
    ncols = len(header)
    table = doc.add_table(rows=len(rows) + 1, cols=ncols)
    table.style = "Table Grid"
    cells = table._cells  # flat, row-major; computed once
    for c, h in enumerate(header):
        p = cells[c].paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(h).bold = True
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row):
            cells[r * ncols + c].paragraphs[0].add_run(_t(v))
    for i, cell in enumerate(cells):
        cell.width = Cm(widths[i % ncols])


def _blocks(doc, blocks: list[T.Block]) -> None:
    for b in blocks:
        if b.kind == "title":
            _para(doc, b.text, font="方正小标宋简体", size=22, align=WD_ALIGN_PARAGRAPH.CENTER,
                  indent=False)
        elif b.kind == "salutation":
            _para(doc, b.text, indent=False)
        elif b.kind == "h1":
            _para(doc, b.text, font="黑体", size=16)
        elif b.kind == "h2":
            _para(doc, b.text, font="楷体_GB2312", size=16)
        elif b.kind == "sign":
            _para(doc, b.text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        else:
            _para(doc, b.text)


def _document():
    """A new document whose Normal style is 仿宋 (table cells and body inherit it)."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "仿宋_GB2312"
    normal.font.size = Pt(11)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    return doc


def write_docx(b: Bulletin, path: Path, *, deadline_days: int = 10, addressee: str = "") -> Path:
    doc = _document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    _blocks(doc, T.bulletin_blocks(b, deadline_days=deadline_days, addressee=addressee))
    site_title, media_title = T.annex_titles(b)
    n = 1
    if b.sites:
        doc.add_page_break()
        _para(doc, f"附件{n}", font="黑体", size=16, indent=False)
        _para(doc, site_title, font="方正小标宋简体", size=18, align=WD_ALIGN_PARAGRAPH.CENTER,
              indent=False)
        _table(doc, T.SITE_ANNEX_HEADER, T.site_annex_rows(b.sites), [1.5, 6.0, 2.2, 6.0])
        n += 1
    if b.media:
        doc.add_page_break()
        _para(doc, f"附件{n}", font="黑体", size=16, indent=False)
        _para(doc, media_title, font="方正小标宋简体", size=18, align=WD_ALIGN_PARAGRAPH.CENTER,
              indent=False)
        _table(doc, T.ACCOUNT_ANNEX_HEADER, T.account_annex_rows(b.media),
               [1.3, 4.5, 2.8, 2.0, 5.2])
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path


def write_rectification(b: Bulletin, subject: Subject, items: Sequence[OpenItem], path: Path | IO[bytes],
                        *, deadline_days: int = 10, kind_noun: str = "网站",
                        shots: Mapping[str, Path] | None = None) -> Path | IO[bytes]:
    """整改通知 for one site or account: each open finding, where it is, what to change;
    with `shots` (finding key → evidence screenshot), an annex of the screenshots.
    `path`: a file to write, or a binary stream."""
    doc = _document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for m in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, m, Cm(2.0))
    _para(doc, f"{b.period_title}{kind_noun}检查问题整改通知", font="方正小标宋简体", size=20,
          align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    org = subject.org or subject.name
    _para(doc, f"{org}：", indent=False)
    verdict = f"检查结果为{subject.result}" + (f"（{subject.problem_text}）" if subject.problems else "")
    repeat = f"，{subject.repeat}" if subject.repeat else ""
    _para(doc, (f"经{b.period_title}检查，你单位主办的“{subject.name}”{kind_noun}{verdict}{repeat}。"
                f"现将检查发现的{len(items)}个问题列出如下，请于{deadline_days}个工作日内完成整改，"
                f"并将整改情况书面反馈。"))
    rows = [[i, it.problem, it.where, it.evidence, it.action,
             LIFECYCLE_LABELS.get(it.lifecycle, it.lifecycle)]
            for i, it in enumerate(items, 1)]
    _table(doc, ["序号", "问题", "问题位置", "问题详情", "整改要求", "跟踪状态"], rows,
           [1.2, 3.0, 7.0, 6.5, 5.5, 2.4])
    _para(doc, f"问题编号（用于复核登记）：{'、'.join(it.key[:12] for it in items)}", size=10,
          indent=False)
    _para(doc, b.issuer or "（发文单位）", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, f"{b.date[:4]}年{int(b.date[5:7])}月{int(b.date[8:10])}日",
          align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    pictured = [(i, it, shots[it.key]) for i, it in enumerate(items, 1) if shots and it.key in shots]
    if pictured:
        doc.add_page_break()
        _para(doc, "附：问题截图", font="黑体", size=16, indent=False)
        for i, it, shot in pictured:
            _para(doc, f"{i}. {it.problem}：{it.evidence}", size=11, indent=False)
            doc.add_picture(str(shot), width=Cm(22))
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path
