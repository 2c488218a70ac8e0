"""The store: every inspection and its history, in one SQLite file or a PostgreSQL database.

Every sweep is one *inspection*.  Pages, links, columns and findings are keyed by
(inspection, url/key) so a resumed sweep rewrites instead of duplicating.
Writers batch their inserts; WAL mode lets several processes (distributed
workers on one machine, the report) read while one writes.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from govcrawl import db
from govcrawl.items import Finding

SCHEMA = """
CREATE TABLE IF NOT EXISTS inspections (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'sites',      -- sites | media | probe
    period TEXT,                             -- 2024Q1 or a named special check
    scope TEXT NOT NULL DEFAULT 'full',      -- full | sample
    sample_seed INTEGER,
    as_of TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',  -- running | interrupted | failed | finished (see state())
    registry_path TEXT,
    registry_json TEXT,
    settings_json TEXT,
    stats_json TEXT
);
CREATE TABLE IF NOT EXISTS sites (
    inspection_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    name TEXT, url TEXT, region TEXT, org TEXT, kind TEXT, scope_json TEXT,
    pages INTEGER DEFAULT 0,
    errors INTEGER DEFAULT 0,
    reachable INTEGER,
    PRIMARY KEY (inspection_id, site_id)
);
CREATE TABLE IF NOT EXISTS pages (
    inspection_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    final_url TEXT, status INTEGER, error TEXT, elapsed REAL,
    content_type TEXT, size INTEGER, encoding TEXT, content_hash TEXT,
    page_type TEXT, title TEXT, column_name TEXT, column_url TEXT,
    breadcrumb_json TEXT, meta_json TEXT, pub_date TEXT, source TEXT,
    depth INTEGER, referer TEXT, etag TEXT, last_modified TEXT,
    unchanged INTEGER DEFAULT 0, rendered INTEGER DEFAULT 0,
    text TEXT,
    extra_json TEXT,
    fetched_at TEXT,
    PRIMARY KEY (inspection_id, url)
);
CREATE INDEX IF NOT EXISTS pages_site ON pages (inspection_id, site_id);
CREATE TABLE IF NOT EXISTS entries (
    inspection_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    page_url TEXT NOT NULL,
    pos INTEGER NOT NULL,
    title TEXT, url TEXT, date TEXT, extra_json TEXT,
    PRIMARY KEY (inspection_id, page_url, pos)
);
CREATE TABLE IF NOT EXISTS links (
    inspection_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    page_url TEXT NOT NULL,
    target TEXT NOT NULL,
    anchor TEXT, kind TEXT, hidden INTEGER, hidden_reason TEXT, external INTEGER,
    PRIMARY KEY (inspection_id, page_url, target, kind)
);
CREATE INDEX IF NOT EXISTS links_target ON links (inspection_id, target);
CREATE TABLE IF NOT EXISTS link_status (
    inspection_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    target TEXT NOT NULL,
    status INTEGER, error TEXT, elapsed REAL, content_type TEXT, size INTEGER, final_url TEXT,
    PRIMARY KEY (inspection_id, target)
);
CREATE TABLE IF NOT EXISTS columns (
    inspection_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    url TEXT NOT NULL,
    name TEXT, ctype TEXT, level INTEGER, newest_date TEXT, item_count INTEGER,
    undated_count INTEGER, blank INTEGER, data_json TEXT,
    PRIMARY KEY (inspection_id, site_id, url)
);
CREATE TABLE IF NOT EXISTS findings (
    inspection_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    rule TEXT NOT NULL, severity TEXT NOT NULL, site_id TEXT NOT NULL,
    url TEXT, column_name TEXT, target TEXT, text TEXT, suggestion TEXT,
    evidence_json TEXT, start INTEGER, "end" INTEGER, category TEXT, "where" TEXT,
    count INTEGER DEFAULT 1,
    first_seen TEXT, last_seen TEXT,
    lifecycle TEXT,                           -- new | open | reopened (see history)
    PRIMARY KEY (inspection_id, key)
);
CREATE INDEX IF NOT EXISTS findings_site ON findings (inspection_id, site_id);
CREATE TABLE IF NOT EXISTS reviews (
    key TEXT PRIMARY KEY,                      -- finding key (site, page, rule, text...)
    site_id TEXT, url TEXT, rule TEXT, text TEXT,
    state TEXT NOT NULL,                      -- confirmed | false_alarm | to_check
    note TEXT, reviewer TEXT, at TEXT
);
CREATE TABLE IF NOT EXISTS notices (
    inspection_id INTEGER NOT NULL,
    site_id TEXT,
    kind TEXT NOT NULL,
    url TEXT,
    message TEXT,
    data_json TEXT,
    at TEXT
);
CREATE TABLE IF NOT EXISTS probes (
    site_id TEXT NOT NULL,
    at TEXT NOT NULL,
    url TEXT,
    ok INTEGER NOT NULL,
    status INTEGER,
    elapsed REAL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS probes_site ON probes (site_id, at);
CREATE TABLE IF NOT EXISTS verdicts (
    inspection_id INTEGER NOT NULL,
    site_id TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT 'site',     -- site | account
    result TEXT NOT NULL, score REAL, vetoes_json TEXT, problems_json TEXT, data_json TEXT,
    PRIMARY KEY (inspection_id, site_id)
);
CREATE TABLE IF NOT EXISTS accounts (
    inspection_id INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    name TEXT, platform TEXT, url TEXT, org TEXT, region TEXT,
    current_name TEXT, status TEXT, data_json TEXT,
    PRIMARY KEY (inspection_id, account_id)
);
CREATE TABLE IF NOT EXISTS posts (
    inspection_id INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    post_id TEXT NOT NULL,
    at TEXT, title TEXT, text TEXT, original INTEGER, url TEXT, data_json TEXT,
    PRIMARY KEY (inspection_id, account_id, post_id)
);
CREATE INDEX IF NOT EXISTS pages_referer ON pages (inspection_id, referer);  -- incremental: 304 pages
CREATE INDEX IF NOT EXISTS findings_url ON findings (inspection_id, url);     -- incremental: carried findings
CREATE TABLE IF NOT EXISTS incremental_runs (               -- govcrawl.pipelines.incremental
    inspection_id INTEGER PRIMARY KEY,
    lexicons TEXT,                                         -- fingerprint of the lexicon files
    previous_id INTEGER
);
CREATE TABLE IF NOT EXISTS inspection_runs (                -- who runs an inspection (Store.state)
    inspection_id INTEGER PRIMARY KEY,
    owner TEXT,                          -- host|boot id|pid|process start, or 'workers' (distributed)
    heartbeat_at TEXT,                   -- refreshed while it runs
    runs INTEGER DEFAULT 1,              -- processes that worked on it: 1 + resumes
    error TEXT                           -- why it failed
);
CREATE TABLE IF NOT EXISTS frontier (                       -- a resumable sweep's requests (govcrawl.frontier)
    inspection_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    fp TEXT,                             -- request fingerprint (NULL: a dont_filter request)
    site_id TEXT, url TEXT, kind TEXT,
    done INTEGER NOT NULL DEFAULT 0,     -- 1 once the rows it produced are stored
    request BLOB,                        -- the serialized request while not done
    PRIMARY KEY (inspection_id, seq)
);
"""

# Inspection states.  `status` is what the process running an inspection wrote; `state()`
# is what readers use: a 'running' inspection whose process is gone is 'interrupted'.
RUNNING, INTERRUPTED, FAILED, FINISHED = "running", "interrupted", "failed", "finished"
STATES = (RUNNING, INTERRUPTED, FAILED, FINISHED)
HEARTBEAT_INTERVAL = 30.0  # seconds between a running sweep's heartbeats
STALE_AFTER = 900.0  # a heartbeat older than this: the process is gone (other hosts, workers)
DISTRIBUTED = "workers"


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _started(pid: int) -> str | None:
    """The start time of process `pid` (clock ticks since boot), None when it does not
    exist; "" where /proc cannot say (then only existence is known)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:].split()[19]
    except (OSError, ValueError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return ""
    return "" if not Path("/proc").is_dir() else None


def this_process() -> str:
    """The owner token of this process: host, boot, pid and start time (so a pid reused
    after the process died is not taken for it)."""
    pid = os.getpid()
    return f"{socket.gethostname()}|{_boot_id()}|{pid}|{_started(pid) or ''}"


def owner_alive(owner: str | None) -> bool | None:
    """True/False when this host can tell (the owner ran here), None when it cannot."""
    if not owner or owner == DISTRIBUTED:
        return None
    try:
        host, boot, pid, started = owner.split("|")
    except ValueError:
        return None
    if host != socket.gethostname() or boot != _boot_id():
        return None if host != socket.gethostname() else False  # same host, rebooted: gone
    now = _started(int(pid))
    if now is None:
        return False
    return not (started and now and started != now)


def effective_state(status: str, owner: str | None, heartbeat_at: str | None,
                    now: datetime | None = None) -> str:
    """The state readers show: `status`, except that a 'running' inspection whose process
    is gone (killed, OOM, reboot) is 'interrupted'."""
    if status != RUNNING or not owner:
        return status  # owner unknown (written by an older version): as recorded
    alive = owner_alive(owner)
    if alive is None:  # another host, or distributed workers: by their heartbeat
        try:
            beat = datetime.fromisoformat(heartbeat_at or "")
        except ValueError:
            return INTERRUPTED
        age = ((now or datetime.now(timezone.utc)) - beat).total_seconds()
        alive = age < STALE_AFTER
    return RUNNING if alive else INTERRUPTED


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class StoreError(RuntimeError):
    pass


class Store:
    """Thin, explicit access to the store.  One connection per process.

    `target` is an SQLite file path (the embedded default) or a PostgreSQL URL
    (govcrawl.db): the shared store for workers on several machines.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float = 60.0):
        self.target = str(path)
        self.is_pg = db.is_url(self.target)
        self.path = self.target if self.is_pg else Path(path)  # what workers and logs name
        self.name = db.display(self.target)
        if not self.is_pg:
            if readonly and not self.path.exists():
                raise StoreError(f"{self.path}: store not found")
            if not readonly and not self.path.parent.exists():
                raise StoreError(f"{self.path}: directory {self.path.parent} does not exist")
        try:
            self.conn = db.connect(self.target, readonly=readonly, timeout=timeout)
            if self.is_pg:
                if not readonly:
                    self.conn.ensure_schema(SCHEMA)
                self.conn.execute("SELECT 1 FROM inspections LIMIT 1")
            elif not readonly:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
                self.conn.executescript(SCHEMA)
            else:
                self.conn.execute("SELECT 1 FROM inspections LIMIT 1")
        except db.DatabaseError as e:
            msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            if self.is_pg and msg.startswith(self.name):
                raise StoreError(msg) from None
            raise StoreError(f"{self.name}: not a usable store ({msg})") from None

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def tx(self) -> Iterator[Any]:
        """A write transaction, retried while another process holds the lock."""
        for attempt in range(50):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except db.OperationalError as e:
                if not db.retryable(e) or attempt == 49:
                    raise
                time.sleep(0.1 * (attempt + 1))
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:  # a full disk or a lost connection ended it already
                try:
                    self.conn.execute("ROLLBACK")
                except db.Error:
                    pass
            raise
        else:
            self.conn.execute("COMMIT")

    # -- inspections -------------------------------------------------------
    def create_inspection(self, *, as_of: str, registry_path: str = "", registry: dict | None = None,
                          kind: str = "sites", period: str | None = None, scope: str = "full",
                          sample_seed: int | None = None, settings: dict | None = None,
                          owner: str | None = None) -> int:
        """A new inspection; `owner` (`this_process()`, or DISTRIBUTED) is the process that
        runs it, recorded in the same transaction so no kill leaves it 'running' for ever."""
        with self.tx() as c:
            cur = c.execute(
                "INSERT INTO inspections (kind, period, scope, sample_seed, as_of, started_at,"
                " registry_path, registry_json, settings_json) VALUES (?,?,?,?,?,?,?,?,?)",
                (kind, period, scope, sample_seed, as_of, utcnow(), registry_path,
                 db.repair_value(json.dumps(registry or {}, ensure_ascii=False), self.is_pg),
                 db.repair_value(json.dumps(settings or {}, ensure_ascii=False), self.is_pg)))
            iid = int(cur.lastrowid or 0)
            if owner:
                c.execute("INSERT INTO inspection_runs (inspection_id, owner, heartbeat_at, runs) VALUES (?,?,?,1)",
                          (iid, owner, utcnow()))
            return iid

    def finish_inspection(self, inspection_id: int, *, status: str = FINISHED,
                          stats: dict | None = None, error: str | None = None) -> None:
        """Record how the inspection ended: finished (complete: verdicts may be published),
        interrupted (stopped before its end; resumable with JOBDIR) or failed (`error`)."""
        if status not in STATES:
            raise ValueError(f"unknown inspection state {status!r}")
        with self.tx() as c:
            c.execute("UPDATE inspections SET finished_at=?, status=?, stats_json=? WHERE id=?",
                      (utcnow(), status, db.repair_value(json.dumps(stats or {}, ensure_ascii=False,
                                                                    default=str), self.is_pg),
                       inspection_id))
            if error is not None:
                c.execute("UPDATE inspection_runs SET error=? WHERE inspection_id=?",
                          (db.repair_value(error[:1000], self.is_pg), inspection_id))
            if status == FINISHED:  # nothing left to resume
                c.execute("DELETE FROM frontier WHERE inspection_id=?", (inspection_id,))

    def claim(self, inspection_id: int, *, distributed: bool = False, resumed: bool = False) -> None:
        """This process runs the inspection (again, when `resumed`): its state is 'running'
        while the process lives (`state`)."""
        owner = DISTRIBUTED if distributed else this_process()
        with self.tx() as c:
            c.execute("INSERT INTO inspection_runs (inspection_id, owner, heartbeat_at, runs) VALUES (?,?,?,1)"
                      " ON CONFLICT(inspection_id) DO UPDATE SET owner=excluded.owner,"
                      " heartbeat_at=excluded.heartbeat_at, runs=inspection_runs.runs+1, error=NULL",
                      (inspection_id, owner, utcnow()))
            if resumed:
                c.execute("UPDATE inspections SET status=?, finished_at=NULL WHERE id=? AND status<>?",
                          (RUNNING, inspection_id, FINISHED))

    def heartbeat(self, inspection_id: int) -> None:
        with self.tx() as c:
            c.execute("UPDATE inspection_runs SET heartbeat_at=? WHERE inspection_id=?",
                      (utcnow(), inspection_id))

    def run_info(self, inspection_id: int) -> dict[str, Any]:
        """owner, heartbeat_at, runs and error of an inspection ({} when unknown)."""
        try:
            row = self.conn.execute("SELECT owner, heartbeat_at, runs, error FROM inspection_runs"
                                    " WHERE inspection_id=?", (inspection_id,)).fetchone()
        except db.OperationalError:  # a store from before the table (opened read-only)
            return {}
        return {k: row[k] for k in ("owner", "heartbeat_at", "runs", "error")} if row else {}

    def state(self, inspection: sqlite3.Row | int) -> str:
        """running | interrupted | failed | finished: what every reader should go by."""
        row = self.inspection(inspection) if isinstance(inspection, int) else inspection
        info = self.run_info(row["id"])
        return effective_state(row["status"], info.get("owner"), info.get("heartbeat_at"))

    def describe_state(self, inspection: sqlite3.Row | int) -> str:
        """One line on an inspection that is not finished, for commands that refuse it."""
        row = self.inspection(inspection) if isinstance(inspection, int) else inspection
        state = self.state(row)
        info = self.run_info(row["id"])
        pages = self.conn.execute("SELECT COUNT(*) FROM pages WHERE inspection_id=?", (row["id"],)).fetchone()[0]
        head = f"inspection {row['id']} ({row['kind']}, as_of {row['as_of']}) is {state}"
        if state == RUNNING:
            who = info.get("owner") or ""
            where = "" if not who or who == DISTRIBUTED else f" by process {who.split('|')[2]} on {who.split('|')[0]}"
            return f"{head}{where} ({pages} pages so far)"
        if state == FAILED:
            why = f": {info['error']}" if info.get("error") else ""
            return f"{head}{why} ({pages} pages stored); the same sweep command with the same JOBDIR resumes it"
        return (f"{head} ({pages} pages stored): it stopped before its end; the same sweep command"
                " with the same JOBDIR completes it")

    def reap(self) -> list[int]:
        """Mark 'interrupted' every 'running' inspection whose process is gone, so the status
        column tells the truth to plain SQL readers too; the ids so marked."""
        try:
            rows = self.conn.execute(
                "SELECT i.id, i.status, r.owner, r.heartbeat_at FROM inspections i"
                " JOIN inspection_runs r ON r.inspection_id=i.id WHERE i.status=?", (RUNNING,)).fetchall()
        except db.OperationalError:
            return []
        dead = [r["id"] for r in rows
                if effective_state(r["status"], r["owner"], r["heartbeat_at"]) == INTERRUPTED]
        if dead:
            with self.tx() as c:
                c.executemany("UPDATE inspections SET status=? WHERE id=? AND status=?",
                              [(INTERRUPTED, i, RUNNING) for i in dead])
        return dead

    def inspection(self, ref: str | int | None = "latest", kind: str | None = None) -> sqlite3.Row:
        """Resolve `latest` or an id to the inspection row; StoreError when absent."""
        if ref in (None, "", "latest"):
            q = "SELECT * FROM inspections"
            args: tuple = ()
            if kind:
                q += " WHERE kind=?"
                args = (kind,)
            row = self.conn.execute(q + " ORDER BY id DESC LIMIT 1", args).fetchone()
            if row is None:
                what = f"{kind} inspection" if kind else "inspection"
                raise StoreError(f"{self.name}: no {what} in the store")
            return row
        try:
            iid = int(ref)
        except (TypeError, ValueError):
            raise StoreError(f"bad inspection reference {ref!r} (want 'latest' or a number)") from None
        row = self.conn.execute("SELECT * FROM inspections WHERE id=?", (iid,)).fetchone()
        if row is None:
            raise StoreError(f"{self.name}: no inspection {iid}")
        return row

    def inspections(self, kind: str | None = None) -> list[sqlite3.Row]:
        if kind:
            return self.conn.execute("SELECT * FROM inspections WHERE kind=? ORDER BY id",
                                     (kind,)).fetchall()
        return self.conn.execute("SELECT * FROM inspections ORDER BY id").fetchall()

    # -- sites -------------------------------------------------------------
    def upsert_sites(self, inspection_id: int, sites: Iterable[Any]) -> None:
        with self.tx() as c:
            db.write_rows(
                c, "INSERT INTO sites (inspection_id, site_id, name, url, region, org, kind, scope_json)"
                " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(inspection_id, site_id) DO UPDATE SET"
                " name=excluded.name, url=excluded.url, region=excluded.region, org=excluded.org,"
                " kind=excluded.kind, scope_json=excluded.scope_json",
                [(inspection_id, s.id, s.name, s.url, s.region, s.org, s.kind,
                  json.dumps(list(s.scope))) for s in sites])

    def sites(self, inspection_id: int) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM sites WHERE inspection_id=? ORDER BY site_id",
                                 (inspection_id,)).fetchall()

    # -- findings ----------------------------------------------------------
    def add_findings(self, inspection_id: int, findings: Iterable[Finding],
                     conn: sqlite3.Connection | None = None,
                     report: db.RowsWritten | None = None) -> int:
        """Insert or refresh findings (idempotent on the finding key); text no store can hold
        is repaired (`db.write_rows`, what it did in `report`)."""
        now = utcnow()
        rows = [(inspection_id, f.key, f.rule, f.severity, f.site_id, f.url, f.column, f.target,
                 f.text, f.suggestion, json.dumps(f.evidence, ensure_ascii=False, default=str),
                 f.start, f.end, f.category, f.where, f.count, now, now) for f in findings]
        if not rows:
            return 0
        sql = ("INSERT INTO findings (inspection_id, key, rule, severity, site_id, url, column_name,"
               " target, text, suggestion, evidence_json, start, \"end\", category, \"where\", count,"
               " first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
               " ON CONFLICT(inspection_id, key) DO UPDATE SET severity=excluded.severity,"
               " evidence_json=excluded.evidence_json, suggestion=excluded.suggestion,"
               " count=excluded.count, last_seen=excluded.last_seen")
        if conn is not None:
            db.write_rows(conn, sql, rows, report)
        else:
            with self.tx() as c:
                db.write_rows(c, sql, rows, report)
        return len(rows)

    def delete_findings(self, inspection_id: int, rules: Iterable[str],
                        site_id: str | None = None) -> None:
        """Drop an inspection's findings of the given rules (re-running a check)."""
        rules = list(rules)
        if not rules:
            return
        q = f"DELETE FROM findings WHERE inspection_id=? AND rule IN ({','.join('?' * len(rules))})"
        args: list[Any] = [inspection_id, *rules]
        if site_id:
            q += " AND site_id=?"
            args.append(site_id)
        with self.tx() as c:
            c.execute(q, args)

    def findings(self, inspection_id: int, site_id: str | None = None) -> list[Finding]:
        q = "SELECT * FROM findings WHERE inspection_id=?"
        args: list[Any] = [inspection_id]
        if site_id:
            q += " AND site_id=?"
            args.append(site_id)
        q += " ORDER BY site_id, rule, url, start"
        return [row_to_finding(r) for r in self.conn.execute(q, args)]

    def finding_rows(self, inspection_id: int) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM findings WHERE inspection_id=? ORDER BY site_id, rule, url, start",
            (inspection_id,)).fetchall()

    # -- notices -----------------------------------------------------------
    def add_notice(self, inspection_id: int, site_id: str | None, kind: str, message: str,
                   url: str = "", data: dict | None = None) -> None:
        with self.tx() as c:
            db.write_rows(c, "INSERT INTO notices (inspection_id, site_id, kind, url, message, data_json, at)"
                          " VALUES (?,?,?,?,?,?,?)",
                          [(inspection_id, site_id, kind, url, message,
                            json.dumps(data or {}, ensure_ascii=False, default=str), utcnow())])

    # -- probes ------------------------------------------------------------
    def add_probe(self, site_id: str, url: str, ok: bool, status: int | None, elapsed: float | None,
                  error: str | None, at: str | None = None) -> None:
        with self.tx() as c:
            c.execute("INSERT INTO probes (site_id, at, url, ok, status, elapsed, error)"
                      " VALUES (?,?,?,?,?,?,?)",
                      (site_id, at or utcnow(), url, int(ok), status, elapsed, error))


def row_to_finding(r: sqlite3.Row) -> Finding:
    return Finding(rule=r["rule"], severity=r["severity"], site_id=r["site_id"], url=r["url"] or "",
                   column=r["column_name"], target=r["target"], text=r["text"],
                   suggestion=r["suggestion"], evidence=json.loads(r["evidence_json"] or "{}"),
                   start=r["start"], end=r["end"], category=r["category"], where=r["where"],
                   count=r["count"] or 1)
