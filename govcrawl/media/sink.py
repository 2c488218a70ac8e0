"""Writes one observed account into the store: accounts, posts, findings, notices, verdict.

Re-running an account inside the same inspection replaces what it wrote before (its
posts and findings), so a resumed or repeated media run never duplicates rows.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from govcrawl import db
from govcrawl.items import Finding
from govcrawl.media.model import Observation
from govcrawl.registry import PLATFORM_LABELS
from govcrawl.store import Store, utcnow


def save_account(store: Store, inspection_id: int, account: dict[str, Any], obs: Observation,
                 findings: list[Finding]) -> None:
    aid = account["id"]
    prof = obs.profile
    dated = sorted((p.at for p in obs.posts if p.at), reverse=True)
    data = {
        # 账号类型 as the annex prints it: the registry's own label (微信服务号, 抖音短视频) if given
        "platform_label": (account.get("settings") or {}).get("label")
        or PLATFORM_LABELS.get(account.get("platform", ""), account.get("platform")),
        "interaction": prof.interaction, "interaction_evidence": prof.interaction_evidence,
        "profile": prof.data, "profile_url": prof.url, "posts_seen": len(obs.posts),
        "newest_post": dated[0] if dated else None, "messages": [asdict(m) for m in obs.messages],
        "posts_complete": obs.posts_complete, "list_end": obs.list_end,
        "posts_total": obs.posts_total, "seen_until": obs.seen_until, "unjudged": obs.unjudged,
        "source": obs.source, "fetched": obs.fetched, "checked": obs.checkable,
    }
    # platform text goes through db.write_rows: a post with a lone surrogate (JSON "\\ud800")
    # is stored repaired instead of failing the account
    with store.tx() as c:
        db.write_rows(
            c, "INSERT INTO accounts (inspection_id, account_id, name, platform, url, org, region,"
            " current_name, status, data_json) VALUES (?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(inspection_id, account_id) DO UPDATE SET name=excluded.name,"
            " platform=excluded.platform, url=excluded.url, org=excluded.org, region=excluded.region,"
            " current_name=excluded.current_name, status=excluded.status, data_json=excluded.data_json",
            [(inspection_id, aid, account.get("name"), account.get("platform"), account.get("url"),
              account.get("org"), account.get("region"), prof.name,
              prof.status if obs.checkable else "unknown",
              json.dumps(data, ensure_ascii=False, default=str))])
        c.execute("DELETE FROM posts WHERE inspection_id=? AND account_id=?", (inspection_id, aid))
        db.write_rows(
            c, "INSERT OR REPLACE INTO posts (inspection_id, account_id, post_id, at, title, text,"
            " original, url, data_json) VALUES (?,?,?,?,?,?,?,?,?)",
            [(inspection_id, aid, p.id, p.at, p.title, p.text,
              None if p.original is None else int(p.original), p.url,
              json.dumps({"comments": p.comments, "ad": p.ad, **p.data}, ensure_ascii=False,
                         default=str)) for p in obs.posts])
        c.execute("DELETE FROM findings WHERE inspection_id=? AND site_id=?", (inspection_id, aid))
        store.add_findings(inspection_id, findings, conn=c)
        now = utcnow()
        db.write_rows(
            c, "INSERT INTO notices (inspection_id, site_id, kind, url, message, data_json, at)"
            " VALUES (?,?,?,?,?,?,?)",
            [(inspection_id, aid, n["kind"], n.get("url") or "", n["message"],
              json.dumps(n.get("data") or {}, ensure_ascii=False, default=str), now)
             for n in obs.notices])
