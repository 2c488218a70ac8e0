"""A site's (or account's) 整改通知 as .docx bytes, with its evidence screenshots."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from govcrawl.evidence import screenshot_files
from govcrawl.store import Store


def rectification_docx(store: Store, insp: Any, subject_id: str, evidence: Path | None
                       ) -> tuple[bytes, str] | None:
    """(document, file name) for one subject of an inspection; None when it has no open
    finding (everything fixed or dismissed as a false alarm)."""
    from govcrawl.report import _safe
    from govcrawl.report.docx_out import write_rectification
    from govcrawl.report.model import build_bulletin

    b = build_bulletin(store, insp["id"])
    media = insp["kind"] == "media"
    sec = b.media if media else b.sites
    if sec is None:
        return None
    items = [it for it in sec.open_items if it.subject_id == subject_id]
    subject = next((s for s in sec.subjects if s.id == subject_id), None)
    if not items or subject is None:
        return None
    shots = screenshot_files(store, insp["id"], evidence, site_id=subject_id)
    buf = io.BytesIO()
    write_rectification(b, subject, items, buf, kind_noun="账号" if media else "网站", shots=shots)
    return buf.getvalue(), f"整改通知-{subject.name}-{_safe(b.period)}.docx"
