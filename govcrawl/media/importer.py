"""A platform's own export of an account's posts (CSV / XLSX / JSON) as an Observation.

Where a platform cannot be crawled (WeChat, apps, a platform that blocks us), the
office exports the account's posts from the platform's back office; the same checks
then run on the file.  Recognised columns (Chinese back-office headers or English):

  posts:     发布时间|发文时间|时间|日期|at, 标题|title, 内容|正文|摘要|微博正文|描述|text,
             是否原创|原创|类型|内容类型|original (是/否, 原创/转载/转发, true/false),
             链接|文章链接|原文链接|url, 文章ID|ID|id, 评论数|留言数|comments, 是否广告|ad
  messages:  留言时间|asked_at, 留言内容|text, 回复时间|answered_at, 回复内容|reply
             (a file whose header has 留言时间 is a message list)

JSON: a list of posts, or {"account": {"name", "status", "interaction"}, "posts": [...],
"messages": [...]} with the same keys.  Any problem raises ExportError naming file and
row.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

from govcrawl.media.adapters.base import guess_original, parse_time, strip_html
from govcrawl.media.model import (CLOSED, INTERACTION_NONE, INTERACTION_OK, NOT_FOUND, OK, Message,
                                  Observation, Post)

POST_COLUMNS = {
    "at": ("发布时间", "发文时间", "发表时间", "时间", "日期", "at", "date", "published"),
    "title": ("标题", "文章标题", "title"),
    "text": ("内容", "正文", "摘要", "微博正文", "描述", "视频描述", "text", "content"),
    "original": ("是否原创", "原创", "类型", "内容类型", "original"),
    "url": ("链接", "文章链接", "原文链接", "url", "link"),
    "id": ("文章ID", "ID", "id", "编号"),
    "comments": ("评论数", "留言数", "comments"),
    "ad": ("是否广告", "ad"),
}
MESSAGE_COLUMNS = {
    "asked_at": ("留言时间", "提问时间", "asked_at"),
    "text": ("留言内容", "提问内容", "text"),
    "answered_at": ("回复时间", "答复时间", "answered_at"),
    "reply": ("回复内容", "答复内容", "reply"),
    "id": ("留言ID", "ID", "id", "编号"),
}
STATUS_WORDS = {"正常": OK, "ok": OK, "已注销": CLOSED, "closed": CLOSED, "注销": CLOSED,
                "搜索不到": NOT_FOUND, "not_found": NOT_FOUND, "不存在": NOT_FOUND}
TRUE_WORDS = {"是", "原创", "true", "1", "yes", "y", "original"}
FALSE_WORDS = {"否", "转载", "转发", "转帖", "false", "0", "no", "n", "repost"}


class ExportError(ValueError):
    """An export file that cannot be used; one line naming file and row."""


def _bool(v: Any, where: str, col: str) -> bool | None:
    if v is None or str(v).strip() == "":
        return None
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in TRUE_WORDS:
        return True
    if s in FALSE_WORDS:
        return False
    raise ExportError(f"{where}: {col} {v!r} is neither yes/原创 nor no/转载")


def _map(header: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    idx: dict[str, int] = {}
    norm = [str(h or "").strip().lstrip("\ufeff") for h in header]
    for name, names in columns.items():
        for i, h in enumerate(norm):
            if h in names or h.lower() in names:
                idx[name] = i
                break
    return idx


def _rows(path: Path) -> list[list[Any]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises many types on bad files
            raise ExportError(f"{path}: cannot read spreadsheet: {e}") from None
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(raw.decode(enc).splitlines()))
        except UnicodeDecodeError:
            continue
    raise ExportError(f"{path}: not UTF-8 or GB18030 text")


def read_export(paths: str | Path | list[str | Path], account: dict[str, Any],
                base: Path | None = None) -> Observation:
    """Read one or more export files of one account into an Observation."""
    obs = Observation(account_id=account["id"], source="import")
    obs.profile.status = OK
    obs.profile.url = account.get("url") or ""
    items = paths if isinstance(paths, list) else [paths]
    names = tuple(n for n in (account.get("name"), account.get("org")) if n)
    for raw in items:
        path = Path(raw)
        if base is not None and not path.is_absolute():
            path = base / path
        if not path.exists():
            raise ExportError(f"{path}: export file not found (account {account['id']})")
        if path.suffix.lower() == ".json":
            _read_json(path, obs, names)
        elif path.suffix.lower() in (".csv", ".txt", ".xlsx", ".xlsm"):
            _read_table(path, obs, names)
        else:
            raise ExportError(f"{path}: unknown export format (want .csv, .xlsx or .json)")
    obs.posts_complete = True
    obs.list_end = True  # the office's export lists the account's posts, not a page of them
    return obs


def _post(row: dict[str, Any], where: str, names: tuple[str, ...]) -> Post:
    at_raw = row.get("at")
    at = parse_time(at_raw.isoformat() if hasattr(at_raw, "isoformat") else at_raw)
    if at_raw not in (None, "") and at is None:
        raise ExportError(f"{where}: unreadable publication time {at_raw!r}")
    title = str(row.get("title") or "").strip()
    text = strip_html(str(row.get("text") or "").strip())
    if not (title or text or row.get("url")):
        raise ExportError(f"{where}: a post with no title, text or link")
    original = _bool(row.get("original"), where, "原创")
    if original is None:
        original = guess_original(text, names)
    pid = str(row.get("id") or row.get("url") or "").strip() or hashlib.sha1(
        f"{at}\x1f{title}\x1f{text[:50]}".encode()).hexdigest()[:16]
    comments = row.get("comments")
    try:
        ncom = int(comments) if comments not in (None, "") else None
    except (TypeError, ValueError):
        raise ExportError(f"{where}: comment count {comments!r} is not a number") from None
    return Post(id=pid, at=at, title=title, text=text, original=original,
                url=str(row.get("url") or ""), comments=ncom, ad=_bool(row.get("ad"), where, "广告"),
                data={"imported": True})


def _message(row: dict[str, Any], where: str, n: int) -> Message:
    def t(key: str) -> str | None:
        v = row.get(key)
        if v in (None, ""):
            return None
        out = parse_time(v.isoformat() if hasattr(v, "isoformat") else v)
        if out is None:
            raise ExportError(f"{where}: unreadable time {v!r} in {key}")
        return out

    asked = t("asked_at")
    if asked is None:
        raise ExportError(f"{where}: a message without 留言时间")
    return Message(id=str(row.get("id") or f"m{n}"), asked_at=asked, text=str(row.get("text") or ""),
                   answered_at=t("answered_at"), reply=str(row.get("reply") or ""))


def _read_table(path: Path, obs: Observation, names: tuple[str, ...]) -> None:
    rows = [r for r in _rows(path) if any(str(c or "").strip() for c in r)]
    if not rows:
        raise ExportError(f"{path}: empty export")
    header = [str(c or "") for c in rows[0]]
    midx = _map(header, MESSAGE_COLUMNS)
    if "asked_at" in midx:
        for n, r in enumerate(rows[1:], start=2):
            row = {k: (r[i] if i < len(r) else None) for k, i in midx.items()}
            obs.messages.append(_message(row, f"{path}:{n}", n))
        return
    pidx = _map(header, POST_COLUMNS)
    if "at" not in pidx or not ({"title", "text"} & set(pidx)):
        raise ExportError(f"{path}:1: header lacks 发布时间 and 标题/内容 (got {', '.join(header)})")
    posts = []
    for n, r in enumerate(rows[1:], start=2):
        row = {k: (r[i] if i < len(r) else None) for k, i in pidx.items()}
        posts.append(_post(row, f"{path}:{n}", names))
    obs.add_posts(posts)


def _keyed(d: dict[str, Any], columns: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    out = {}
    for name, keys in columns.items():
        for k in keys:
            if k in d:
                out[name] = d[k]
                break
    return out


def _read_json(path: Path, obs: Observation, names: tuple[str, ...]) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ExportError(f"{path}: not UTF-8 text") from None
    except ValueError as e:
        raise ExportError(f"{path}:{getattr(e, 'lineno', '?')}: malformed JSON: "
                          f"{getattr(e, 'msg', e)}") from None
    if isinstance(data, list):
        data = {"posts": data}
    if not isinstance(data, dict):
        raise ExportError(f"{path}: want a list of posts or an object with 'posts'")
    acct = data.get("account") or {}
    if not isinstance(acct, dict):
        raise ExportError(f"{path}: 'account' must be an object")
    if acct.get("name") or acct.get("账号名称"):
        obs.profile.name = str(acct.get("name") or acct.get("账号名称"))
    status = acct.get("status") or acct.get("状态")
    if status:
        if str(status) not in STATUS_WORDS:
            raise ExportError(f"{path}: account status {status!r} unknown "
                              f"(want one of {', '.join(STATUS_WORDS)})")
        obs.profile.status = STATUS_WORDS[str(status)]
    inter = acct.get("interaction")
    if inter is not None:
        if inter not in (True, False, "ok", "none"):
            raise ExportError(f"{path}: account interaction {inter!r} (want ok or none)")
        obs.profile.interaction = INTERACTION_OK if inter in (True, "ok") else INTERACTION_NONE
        obs.profile.interaction_evidence = {"export": str(path.name)}
    for key, columns, conv in (("posts", POST_COLUMNS, "post"), ("messages", MESSAGE_COLUMNS, "msg")):
        items = data.get(key) or []
        if not isinstance(items, list):
            raise ExportError(f"{path}: '{key}' must be a list")
        for n, it in enumerate(items, start=1):
            where = f"{path}: {key}[{n}]"
            if not isinstance(it, dict):
                raise ExportError(f"{where}: expected an object")
            row = _keyed(it, columns)
            if conv == "post":
                obs.add_posts([_post(row, where, names)])
            else:
                obs.messages.append(_message(row, where, n))
