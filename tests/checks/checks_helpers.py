"""Build small stores by hand: the site checks judge rows, not the sweep."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from govcrawl.registry import Site
from govcrawl.store import Store

HOME = "http://127.0.0.1:8001/"


def d(as_of: date, days_back: int) -> str:
    return (as_of - timedelta(days=days_back)).isoformat()


@dataclass
class Builder:
    store: Store
    iid: int
    site_id: str = "9901000001"
    home: str = HOME

    @classmethod
    def new(cls, tmp_path: Path, as_of: date, site_id: str = "9901000001", home: str = HOME,
            reachable: int | None = 1) -> "Builder":
        store = Store(tmp_path / "t.sqlite")
        iid = store.create_inspection(as_of=as_of.isoformat())
        store.upsert_sites(iid, [Site(id=site_id, name="示范市测试局", url=home, scope=(home,))])
        store.conn.execute("UPDATE sites SET reachable=? WHERE inspection_id=? AND site_id=?",
                           (reachable, iid, site_id))
        store.conn.commit()
        return cls(store, iid, site_id, home)

    def page(self, url: str, page_type: str = "other", *, status: int | None = 200,
             error: str | None = None, column: str | None = None, column_url: str | None = None,
             breadcrumb: list[str] | None = None, meta: dict | None = None,
             pub_date: str | None = None, text: str = "", depth: int = 1,
             referer: str | None = None, title: str = "") -> str:
        self.store.conn.execute(
            "INSERT OR REPLACE INTO pages (inspection_id, site_id, url, final_url, status, error,"
            " page_type, title, column_name, column_url, breadcrumb_json, meta_json, pub_date,"
            " depth, referer, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (self.iid, self.site_id, url, url, status, error, page_type, title or column or "",
             column, column_url, json.dumps(breadcrumb or [], ensure_ascii=False),
             json.dumps(meta or {}, ensure_ascii=False), pub_date, depth,
             referer if referer is not None else (self.home if depth == 1 else None), text))
        self.store.conn.commit()
        return url

    def homepage(self, dates: list[str | None] = (), **kw) -> str:
        self.page(self.home, "homepage", depth=0, referer="", **kw)
        self.entries(self.home, [(f"首页信息{i}", f"{self.home}home/{i}.html", dt)
                                 for i, dt in enumerate(dates)])
        return self.home

    def entries(self, page_url: str, rows: list[tuple], extra: list[dict] | None = None) -> None:
        self.store.conn.executemany(
            "INSERT OR REPLACE INTO entries (inspection_id, site_id, page_url, pos, title, url, date,"
            " extra_json) VALUES (?,?,?,?,?,?,?,?)",
            [(self.iid, self.site_id, page_url, i, r[0], r[1], r[2],
              json.dumps((extra[i] if extra else {}), ensure_ascii=False))
             for i, r in enumerate(rows)])
        self.store.conn.commit()

    def column(self, path: str, name: str, dates: list[str | None], *, level_crumbs: list[str] | None = None,
               tag: str = "", pages: int = 1, text: str = "") -> str:
        """A column with its dated items spread over `pages` pagination pages."""
        url = self.home + path
        crumbs = level_crumbs or ["首页", name]
        per = max(1, -(-len(dates) // pages)) if dates else 1
        for p in range(pages):
            purl = url if p == 0 else f"{url}index_{p}.html"
            meta = {"ColumnName": name, **({"ColumnType": tag} if tag else {})}
            self.page(purl, "list", column=name, column_url=url, breadcrumb=crumbs, meta=meta,
                      text=text or f"{name} 列表")
            chunk = dates[p * per:(p + 1) * per]
            self.entries(purl, [(f"{name}第{p}页第{i}条", f"{url}t{p}_{i}.html", dt)
                                for i, dt in enumerate(chunk)])
        return url

    def link(self, page_url: str, target: str, *, kind: str = "a", anchor: str = "",
             external: bool = False, hidden: bool = False) -> None:
        self.store.conn.execute(
            "INSERT OR REPLACE INTO links (inspection_id, site_id, page_url, target, anchor, kind,"
            " hidden, external) VALUES (?,?,?,?,?,?,?,?)",
            (self.iid, self.site_id, page_url, target, anchor, kind, int(hidden), int(external)))
        self.store.conn.commit()

    def link_status(self, target: str, status: int | None, error: str | None = None) -> None:
        self.store.conn.execute(
            "INSERT OR REPLACE INTO link_status (inspection_id, site_id, target, status, error)"
            " VALUES (?,?,?,?,?)", (self.iid, self.site_id, target, status, error))
        self.store.conn.commit()

    def channel(self) -> str:
        """A working 领导信箱 column with one letter answered the next day."""
        url = self.home + "hdjl/ldxx/"
        self.page(url, "interaction", column="领导信箱", column_url=url, breadcrumb=["首页", "领导信箱"])
        self.entries(url, [("关于路灯维修的建议", url + "l1.html", "2024-06-03")],
                     extra=[{"submitted": "2024-06-03", "replied": "2024-06-04", "status": "已回复"}])
        return url
