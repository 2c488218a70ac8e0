"""The annex workbook: one sheet per annex table, as offices print and forward it.

Sheets: 附件1 (序号 | 网站名称 | 检查结果 | 突出问题), 附件2 (序号 | 账号名称 | 账号类型 |
检查结果 | 备注), then working sheets the annexes do not carry: every checked site with id,
region, score and repeat status, per-region rates, and the rectification list.
"""

from __future__ import annotations

import re
from copy import copy
from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from govcrawl.report import text as T
from govcrawl.report.model import Bulletin, OpenItem

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")
# Characters Excel refuses in cell text (control characters other than tab/newline).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

LIFECYCLE_LABELS = {"new": "新发现", "open": "上期未整改", "reopened": "整改后复现"}
REVIEW_LABELS = {"confirmed": "已确认", "to_check": "待核实", "false_alarm": "误报", "": ""}


def _clean(v: object) -> object:
    return _ILLEGAL.sub("", v) if isinstance(v, str) else v


def _sheet(wb: Workbook, title: str, caption: str | None, header: Sequence[str],
           rows: Sequence[Sequence[object]], widths: Sequence[int]) -> None:
    ws = wb.create_sheet(title=title[:31])
    r0 = 1
    if caption:
        ws.cell(row=1, column=1, value=caption).font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        r0 = 2
    for c, h in enumerate(header, 1):
        cell = ws.cell(row=r0, column=c, value=h)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # Two styled prototype cells; every data cell copies their style array.  Assigning
    # style objects cell by cell makes openpyxl hash them each time (minutes on a
    # region's rectification list).
    proto_first = ws.cell(row=r0 + 1, column=1)
    proto_first.border = BORDER
    proto_first.alignment = Alignment(vertical="center", wrap_text=True, horizontal="center")
    proto_other = ws.cell(row=r0 + 1, column=2)
    proto_other.border = BORDER
    proto_other.alignment = Alignment(vertical="center", wrap_text=True, horizontal="left")
    first_style, other_style = copy(proto_first._style), copy(proto_other._style)
    if not rows:  # the prototypes must not leave an empty styled row behind
        ws.delete_rows(r0 + 1)
    for i, row in enumerate(rows, r0 + 1):
        for c, v in enumerate(row, 1):
            cell = ws.cell(row=i, column=c, value=_clean(v))
            cell._style = copy(first_style if c == 1 else other_style)
    for c, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = ws.cell(row=r0 + 1, column=1)
    ws.print_title_rows = f"{r0}:{r0}"
    ws.page_setup.orientation = "landscape" if len(header) > 5 else "portrait"
    ws.page_setup.fitToWidth = 1


def rectification_rows(items: Sequence[OpenItem]) -> list[list[object]]:
    return [[n, it.subject, it.subject_id, it.problem, "单项否决" if it.severity == "veto" else "扣分",
             it.where, it.evidence, it.action, LIFECYCLE_LABELS.get(it.lifecycle, it.lifecycle),
             REVIEW_LABELS.get(it.review, it.review), it.key[:12]]
            for n, it in enumerate(items, 1)]


RECT_HEADER = ["序号", "名称", "标识码", "问题", "性质", "问题位置", "问题详情", "整改要求",
               "跟踪状态", "复核", "问题编号"]
RECT_WIDTHS = [6, 24, 14, 18, 9, 48, 48, 36, 12, 8, 14]


def write_xlsx(b: Bulletin, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    site_title, media_title = T.annex_titles(b)
    n = 1
    if b.sites:
        _sheet(wb, f"附件{n} 网站检查情况", site_title, T.SITE_ANNEX_HEADER,
               T.site_annex_rows(b.sites), [8, 36, 12, 48])
        n += 1
    if b.media:
        _sheet(wb, f"附件{n} 政务新媒体检查情况", media_title, T.ACCOUNT_ANNEX_HEADER,
               T.account_annex_rows(b.media), [8, 32, 16, 12, 48])
        n += 1
    if b.sites:
        rows = [[i, s.name, s.id, s.region, s.type_label, s.result,
                 "" if s.score is None else s.score, s.problem_text, s.repeat]
                for i, s in enumerate(b.sites.subjects, 1)]
        _sheet(wb, "网站检查明细", None, ["序号", "网站名称", "网站标识码", "地区", "网站类型",
                                       "检查结果", "得分", "突出问题", "重复不合格"],
               rows, [6, 32, 14, 14, 14, 10, 8, 40, 24])
        rates = [[i, g.name, g.checked, g.passed, g.failed, T.fmt_rate(g.rate)]
                 for i, g in enumerate(b.sites.totals.groups, 1)]
        _sheet(wb, "地区合格率", None, ["排名", "地区", "检查数", "合格数", "不合格数", "合格率"],
               rates, [6, 20, 10, 10, 10, 10])
    if b.media:
        rows = [[i, s.name, s.id, s.type_label, s.region, s.org, s.result, s.problem_text, s.repeat]
                for i, s in enumerate(b.media.subjects, 1)]
        _sheet(wb, "账号检查明细", None, ["序号", "账号名称", "账号标识", "账号类型", "地区",
                                       "开设主体", "检查结果", "突出问题", "重复不合格"],
               rows, [6, 28, 18, 14, 14, 24, 10, 40, 24])
    items = (b.sites.open_items if b.sites else []) + (b.media.open_items if b.media else [])
    _sheet(wb, "整改清单", None, RECT_HEADER, rectification_rows(items), RECT_WIDTHS)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
