"""The quarterly bulletin (通报) from the store's inspection history (contract §5).

`write_report()` builds one `Bulletin` (govcrawl.report.model) and lays it out as:

- `bulletin-<period>.html`  self-contained report with inline SVG charts
- `bulletin-<period>.xlsx`  annex tables (one sheet each) + detail and rectification sheets
- `bulletin-<period>.docx`  the draft an office edits and signs
- `bulletin-<period>.json`  every number and name, for other tools
- `rectification/<id>.docx` one 整改通知 per site or account with open findings
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from govcrawl.store import Store

__all__ = ["write_report", "ReportFiles"]


@dataclass
class ReportFiles:
    html: Path
    xlsx: Path
    docx: Path
    json: Path
    rectification: list[Path] = field(default_factory=list)

    def all(self) -> list[Path]:
        return [self.html, self.xlsx, self.docx, self.json, *self.rectification]


def _safe(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", name).strip("_") or "report"


def write_report(store: Store, out_dir: str | Path, inspection: str | int | None = "latest",
                 period: str | None = None, *, date: str | None = None, issuer: str = "",
                 addressee: str = "", deadline_days: int = 10, rectification: bool = True
                 ) -> ReportFiles:
    """Write the bulletin of an inspection (or a period) into `out_dir`; return the paths."""
    from govcrawl.report.docx_out import write_docx, write_rectification
    from govcrawl.report.html_out import write_html
    from govcrawl.report.model import build_bulletin
    from govcrawl.report.xlsx_out import write_xlsx

    b = build_bulletin(store, inspection, period, date=date, issuer=issuer)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"bulletin-{_safe(b.period)}"
    files = ReportFiles(
        html=write_html(b, out / f"{stem}.html", deadline_days=deadline_days, addressee=addressee),
        xlsx=write_xlsx(b, out / f"{stem}.xlsx"),
        docx=write_docx(b, out / f"{stem}.docx", deadline_days=deadline_days, addressee=addressee),
        json=out / f"{stem}.json")
    files.json.write_text(json.dumps(b.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    if rectification:
        from govcrawl.evidence import evidence_dir, screenshot_files

        root = evidence_dir(store.target)
        for sec, noun in ((b.sites, "网站"), (b.media, "账号")):
            if sec is None:
                continue
            by: dict[str, list] = {}
            for it in sec.open_items:
                by.setdefault(it.subject_id, []).append(it)
            subjects = {s.id: s for s in sec.subjects}
            shots = screenshot_files(store, sec.inspection_id, root)  # evidence screenshots
            for sid, items in by.items():
                if sid not in subjects:
                    continue
                files.rectification.append(write_rectification(
                    b, subjects[sid], items, out / "rectification" / f"{_safe(sid)}.docx",
                    deadline_days=deadline_days, kind_noun=noun, shots=shots))
    return files
