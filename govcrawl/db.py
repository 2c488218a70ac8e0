"""Where the store lives: an SQLite file (the embedded default) or a PostgreSQL database.

`-a store=` / `--store` takes either a path (`var/govcrawl.db`) or a PostgreSQL URL
(`postgresql://govcrawl@db.example/govcrawl`).  SQLite is right for one machine, any
number of worker processes included.  PostgreSQL is the shared store when sweep
workers run on several machines: every worker writes its batches to it directly, and
the site checks, verdicts and bulletin read it like the SQLite file.

The project's SQL is written once, in the SQLite dialect with `?` parameters.
`connect()` returns, for SQLite, a plain `sqlite3.Connection` with `sqlite3.Row` rows;
for PostgreSQL, a `PgConnection` (psycopg 3) that offers the same methods and rows and
translates the few statements that differ (`INSERT OR REPLACE` becomes an upsert on the
table's primary key, `BEGIN IMMEDIATE` a plain `BEGIN`, `?` becomes `%s`).  The tables
are the same (govcrawl.store.SCHEMA, with PostgreSQL types).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

import psycopg
import psycopg.errors
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format

URL_SCHEMES = ("postgresql://", "postgres://")

# what call sites catch: the same failures under either backend
Error: tuple[type[BaseException], ...] = (sqlite3.Error, psycopg.Error)
DatabaseError: tuple[type[BaseException], ...] = (sqlite3.DatabaseError, psycopg.DatabaseError)
# "no such table / column" (a store from an older version) or a lock that could not be taken
OperationalError: tuple[type[BaseException], ...] = (
    sqlite3.OperationalError, psycopg.OperationalError, psycopg.errors.UndefinedTable,
    psycopg.errors.UndefinedColumn)
# two writers colliding: retry the transaction
_RETRY_PG = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure,
             psycopg.errors.LockNotAvailable)


def is_url(target: Any) -> bool:
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def display(target: Any) -> str:
    """The store's name for logs and errors: a URL without its password."""
    s = str(target)
    if not is_url(s):
        return s
    u = urlsplit(s)
    if u.password:
        host = u.hostname or ""
        if u.port:
            host += f":{u.port}"
        netloc = f"{u.username}:***@{host}" if u.username else host
        u = u._replace(netloc=netloc)
    return urlunsplit(u)


def normalize(target: str | Path) -> str:
    """A store reference as workers and settings carry it: URL as given, path absolute."""
    s = str(target)
    return s if is_url(s) else str(Path(s).resolve())


def connect(target: str | Path, *, readonly: bool = False, timeout: float = 60.0) -> Any:
    """A connection with `sqlite3`'s interface and `sqlite3.Row`-like rows."""
    s = str(target)
    if is_url(s):
        return PgConnection(s, readonly=readonly, timeout=timeout)
    if readonly:
        conn = sqlite3.connect(f"file:{Path(s).resolve()}?mode=ro", uri=True, timeout=timeout,
                               check_same_thread=False)
    else:
        conn = sqlite3.connect(s, timeout=timeout, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def dialect(conn: Any) -> str:
    return "postgresql" if isinstance(conn, PgConnection) else "sqlite"


# -- PostgreSQL -------------------------------------------------------------

class Row(tuple):
    """A result row readable by position and by column name, like sqlite3.Row."""

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"__slots__": (), "_index": {n: i for i, n in enumerate(names)}})


def _row_factory(cursor: Any) -> Any:
    desc = cursor.description
    if desc is None:
        return tuple
    cls = _row_class(tuple(d.name for d in desc))
    return cls


class _BoolAsInt(Dumper):
    """Booleans go into the INTEGER columns as 0/1, as SQLite stores them."""

    oid = 20  # int8

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _Numeric(Loader):
    """SUM()/AVG() of integers are NUMERIC in PostgreSQL: read them as int or float."""

    format = Format.TEXT

    def load(self, data: Any) -> Any:
        s = bytes(data).decode()
        try:
            return int(s)
        except ValueError:
            return float(s)


def _schema_tables(schema: str) -> dict[str, tuple[list[str], list[str]]]:
    """table -> (columns in order, primary-key columns), read from the SQLite schema."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for m in re.finditer(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", schema, re.S):
        name, body = m.group(1), re.sub(r"--[^\n]*", "", m.group(2))
        cols: list[str] = []
        pk: list[str] = []
        for part in _split_top(body):
            part = part.strip()
            if not part:
                continue
            pm = re.match(r"PRIMARY KEY \(([^)]*)\)", part)
            if pm:
                pk = [c.strip().strip('"') for c in pm.group(1).split(",")]
                continue
            col = part.split()[0].strip('"')  # "name TEXT, url TEXT": one column per part
            cols.append(col)
            if "PRIMARY KEY" in part:
                pk = [col]
        out[name] = (cols, pk)
    return out


def _split_top(body: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def pg_schema(schema: str) -> list[str]:
    """The SQLite schema as PostgreSQL statements (one per list element)."""
    out = []
    for stmt in schema.split(";"):
        stmt = re.sub(r"--[^\n]*", "", stmt).strip()
        if not stmt:
            continue
        stmt = re.sub(r"\bid INTEGER PRIMARY KEY\b", "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", stmt)
        stmt = re.sub(r"\bINTEGER\b", "BIGINT", stmt)
        stmt = re.sub(r"\bREAL\b", "DOUBLE PRECISION", stmt)
        stmt = re.sub(r"\bBLOB\b", "BYTEA", stmt)
        out.append(stmt)
    return out


@lru_cache(maxsize=None)
def _tables() -> dict[str, tuple[list[str], list[str]]]:
    from govcrawl.store import SCHEMA

    return _schema_tables(SCHEMA)


_INSERT_OR = re.compile(r"^\s*INSERT OR (REPLACE|IGNORE) INTO (\w+)\s*(\(([^)]*)\))?", re.I)


@lru_cache(maxsize=1024)
def translate(sql: str, params: bool = True) -> str:
    """One SQLite-dialect statement of this project in PostgreSQL's dialect; `params`:
    it is executed with parameters (psycopg then reads `%`, so a literal one is doubled)."""
    s = sql.strip()
    if re.match(r"^BEGIN( IMMEDIATE| DEFERRED| EXCLUSIVE)?$", s, re.I):
        return "BEGIN"
    m = _INSERT_OR.match(s)
    if m:
        how, table = m.group(1).upper(), m.group(2)
        cols_all, pk = _tables()[table]
        cols = [c.strip().strip('"') for c in m.group(4).split(",")] if m.group(4) else cols_all
        rest = s[m.end():].lstrip()
        head = f"INSERT INTO {table} ({', '.join(_q(c) for c in cols)}) "
        if how == "IGNORE" or not [c for c in cols if c not in pk]:
            s = f"{head}{rest} ON CONFLICT DO NOTHING"
        else:
            # SQLite's REPLACE deletes the old row: columns the statement leaves out get
            # their defaults again, not the old row's values
            sets = ", ".join([f"{_q(c)}=EXCLUDED.{_q(c)}" for c in cols if c not in pk]
                             + [f"{_q(c)}=DEFAULT" for c in cols_all if c not in pk and c not in cols])
            s = f"{head}{rest} ON CONFLICT ({', '.join(_q(c) for c in pk)}) DO UPDATE SET {sets}"
    return _params(s) if params else s


def _q(col: str) -> str:
    return f'"{col}"' if col in ("end", "where", "order", "group", "user") else col


def _params(sql: str) -> str:
    """`?` -> `%s` and `%` -> `%%`, outside quoted literals."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = ""
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


class PgCursor:
    """The part of sqlite3.Cursor the project uses."""

    def __init__(self, cur: Any, lastrowid: int | None = None) -> None:
        self._cur = cur
        self.lastrowid = lastrowid

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    @property
    def description(self) -> Any:
        return self._cur.description

    def fetchone(self) -> Any:
        return self._cur.fetchone() if self._cur.description else None

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall() if self._cur.description else []

    def fetchmany(self, size: int = 1000) -> list[Any]:
        return self._cur.fetchmany(size) if self._cur.description else []

    def __iter__(self) -> Iterator[Any]:
        if self._cur.description:
            yield from self._cur

    def close(self) -> None:
        self._cur.close()


class _NoRows:
    lastrowid = None
    rowcount = 0
    description = None

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list:
        return []

    def fetchmany(self, size: int = 1000) -> list:
        return []

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def close(self) -> None:
        return None


_NO_ROWS: Any = _NoRows()


class PgConnection:
    """A psycopg 3 connection behind sqlite3.Connection's interface.

    Autocommit, with explicit `BEGIN ... COMMIT` for the store's write transactions
    (govcrawl.store.Store.tx), so a reader never holds a snapshot open.
    """

    def __init__(self, url: str, *, readonly: bool = False, timeout: float = 60.0) -> None:
        self.url = url
        self.readonly = readonly
        self.timeout = timeout
        self._in_tx = False  # between our BEGIN and COMMIT/ROLLBACK
        self._connect()
        self.row_factory: Any = None  # accepted and ignored: rows are always Row

    def _connect(self) -> None:
        try:
            self._conn = psycopg.connect(self.url, autocommit=True, row_factory=_row_factory,
                                         connect_timeout=max(1, int(min(self.timeout, 30))))
        except psycopg.Error as e:
            msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise psycopg.OperationalError(f"{display(self.url)}: cannot connect ({msg})") from None
        self._conn.adapters.register_dumper(bool, _BoolAsInt)
        self._conn.adapters.register_loader("numeric", _Numeric)
        if self.readonly:
            self._conn.execute("SET default_transaction_read_only = on")

    def _live(self) -> None:
        """A server restart or a dropped connection: connect again, outside a transaction
        only (inside one, the statement fails and the caller's transaction is retried)."""
        if (self._conn.closed or self._conn.broken) and not self._in_tx:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
            self._connect()

    # sqlite3.Connection's interface
    @property
    def in_transaction(self) -> bool:
        return self._in_tx or self._conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> PgCursor:
        q = translate(sql, bool(params))
        if q in ("COMMIT", "ROLLBACK"):
            return self._end(q)
        self._live()
        returning = _returning_id(q)
        if returning:
            q += " RETURNING id"
        cur = self._conn.execute(q, _fix(params) if params else None, prepare=False)
        if q == "BEGIN":
            self._in_tx = True
        rowid = None
        if returning:
            row = cur.fetchone()
            rowid = int(row[0]) if row else None
        return PgCursor(cur, rowid)

    def _end(self, q: str) -> PgCursor:
        was, self._in_tx = self._in_tx, False
        if self._conn.closed or self._conn.broken:
            if q == "ROLLBACK":  # the server rolled back when the connection dropped
                return _NO_ROWS
            raise psycopg.OperationalError(f"{display(self.url)}: connection lost before COMMIT")
        if not was and self._conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            return _NO_ROWS
        return PgCursor(self._conn.execute(q, prepare=False))

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> PgCursor:
        q = translate(sql)
        self._live()
        cur = self._conn.cursor()
        rows = [_fix(p) for p in seq]
        if rows:
            cur.executemany(q, rows)
        return PgCursor(cur)

    def executescript(self, script: str) -> None:
        for stmt in script.split(";"):
            if stmt.strip():
                self._conn.execute(translate(stmt, False), prepare=False)

    def commit(self) -> None:
        if self.in_transaction:
            self._end("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self._end("ROLLBACK")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "PgConnection":
        return self

    def __exit__(self, typ: Any, *_: Any) -> None:
        (self.rollback if typ else self.commit)()

    # PostgreSQL only
    def ensure_schema(self, schema: str) -> None:
        """Create missing tables; several workers starting at once take turns.  Once per
        process and database: the DDL takes table locks that would wait for writers."""
        if self.url in _SCHEMA_DONE:
            return
        names = re.findall(r"CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)", schema)
        present = self._conn.execute("SELECT COUNT(*) FROM unnest(%s::text[]) AS n WHERE to_regclass(n) IS NOT NULL",
                                     (names,)).fetchone()[0]
        if present == len(names):
            _SCHEMA_DONE.add(self.url)
            return
        self._conn.execute("BEGIN")
        try:
            self._conn.execute("SELECT pg_advisory_xact_lock(7462001)")
            for stmt in pg_schema(schema):
                self._conn.execute(stmt)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        _SCHEMA_DONE.add(self.url)


_SCHEMA_DONE: set[str] = set()


def _returning_id(q: str) -> bool:
    return q.startswith("INSERT INTO inspections ")


def _fix(params: Any) -> Any:
    if isinstance(params, dict):
        return params
    return tuple(params)


def retry_outage(fn: Any, target: str, *, timeout: float = 600.0, interval: float = 5.0,
                 what: str = "store access") -> Any:
    """`fn()`, tried again while the store cannot be used for a while (a PostgreSQL server
    restarting, a network cut, a full disk, a file made read-only), up to `timeout`
    seconds; other errors are raised at once.  One warning when the outage starts, a
    reminder a minute; blocking: for worker threads and the end of a sweep."""
    import logging
    import time

    log = logging.getLogger("govcrawl.store")
    deadline = time.monotonic() + timeout
    said = 0.0
    while True:
        try:
            return fn()
        except Error + DATA_ERRORS as e:  # type: ignore[misc]
            if classify(e) not in (OUTAGE, BUSY) or time.monotonic() >= deadline:
                raise
            now = time.monotonic()
            if now - said >= 60:
                log.warning("%s: store %s %s (%s); trying again every %.0f s for up to %.0f s more",
                            what, display(target), outage_words(e), first_line(e), interval, deadline - now)
                said = now
            time.sleep(interval)


# -- faults: what a failed write means, and text any store can hold --------------------

BUSY, OUTAGE, DATA, FATAL = "busy", "outage", "data", "fatal"
# raised by the drivers while binding a value (sqlite3 and psycopg alike)
DATA_ERRORS: tuple[type[BaseException], ...] = (UnicodeError, OverflowError, ValueError, TypeError)
_SURROGATE = re.compile("[\ud800-\udfff]")
_INT64 = (-(2 ** 63), 2 ** 63 - 1)


def first_line(e: BaseException) -> str:
    s = str(e).strip()
    return s.splitlines()[0][:200] if s else type(e).__name__


def classify(e: BaseException) -> str:
    """What a failed statement means for the rows being written:

    - ``busy``: another writer holds the lock; try again soon;
    - ``outage``: the store cannot be written now (disk full, read-only file, I/O error, a
      PostgreSQL server gone): keep the rows, try again later;
    - ``data``: a value in the rows cannot be stored (a lone surrogate, NUL in PostgreSQL
      text, an integer out of range, a wrong type): split the batch, repair the row;
    - ``fatal``: the store itself is unusable (not a database, corrupt, a table missing).
    """
    msg = str(e).lower()
    if isinstance(e, sqlite3.OperationalError):
        if "locked" in msg or "busy" in msg:
            return BUSY
        if "no such table" in msg or "no such column" in msg or "has no column" in msg:
            return FATAL
        return OUTAGE  # disk full, readonly database, disk I/O error, unable to open
    if isinstance(e, (sqlite3.IntegrityError, sqlite3.DataError)):
        return DATA
    if isinstance(e, (sqlite3.ProgrammingError, sqlite3.InterfaceError)):
        return DATA if "binding" in msg or "type" in msg else FATAL
    if isinstance(e, sqlite3.Error):
        return FATAL  # malformed image, not a database
    if isinstance(e, (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn)):
        return FATAL
    if isinstance(e, _RETRY_PG):
        return BUSY
    if isinstance(e, (psycopg.DataError, psycopg.IntegrityError)):
        return DATA
    if isinstance(e, psycopg.ProgrammingError) and "cannot adapt" in msg:
        return DATA  # a value of a type PostgreSQL cannot take
    if isinstance(e, (psycopg.OperationalError, psycopg.InterfaceError, psycopg.InternalError)):
        return OUTAGE
    if isinstance(e, psycopg.Error):
        return FATAL
    if isinstance(e, DATA_ERRORS):
        return DATA
    return FATAL


def outage_words(e: BaseException) -> str:
    """How a log line names an outage: a server away, or a store that refuses writes."""
    if isinstance(e, (psycopg.OperationalError, psycopg.InterfaceError)):
        return "unreachable"
    return "cannot be written"


def repair_value(v: Any, pg: bool = False) -> Any:
    """A value every store can hold: lone surrogates (a JSON ``\\ud800``) become U+FFFD,
    NUL becomes U+FFFD in PostgreSQL text, integers beyond 64 bits become NULL, other
    objects their JSON or text form."""
    if v is None or isinstance(v, (float, bytes, bool)):
        return v
    if isinstance(v, str):
        if _SURROGATE.search(v):
            v = v.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        if pg and "\x00" in v:
            v = v.replace("\x00", "\ufffd")
        return v
    if isinstance(v, int):
        return v if _INT64[0] <= v <= _INT64[1] else None
    if isinstance(v, memoryview):
        return bytes(v)
    try:
        import json

        return repair_value(json.dumps(v, ensure_ascii=False, default=str), pg)
    except (TypeError, ValueError):
        return repair_value(str(v), pg)


def repair_row(row: Sequence[Any], pg: bool = False) -> tuple:
    return tuple(repair_value(v, pg) for v in row)


def what_repaired(row: Sequence[Any], pg: bool = False) -> str:
    """The repairs `repair_row` makes to this row, in words (for the notice)."""
    what: list[str] = []
    for v in row:
        if isinstance(v, str):
            if _SURROGATE.search(v):
                what.append("lone surrogates replaced by U+FFFD")
            if pg and "\x00" in v:
                what.append("NUL characters replaced by U+FFFD")
        elif isinstance(v, int) and not isinstance(v, bool) and not _INT64[0] <= v <= _INT64[1]:
            what.append("an integer beyond 64 bits stored as NULL")
        elif v is not None and not isinstance(v, (float, bytes, bool, int, memoryview)):
            what.append(f"a {type(v).__name__} stored as text")
    return "; ".join(dict.fromkeys(what)) or "nothing to repair"


@dataclass
class RowsWritten:
    """What `write_rows` did: rows written, rows it had to repair, rows it could not store."""

    written: int = 0
    repaired: list[tuple[tuple, str]] = field(default_factory=list)  # (row as written, why)
    dropped: list[tuple[tuple, str]] = field(default_factory=list)   # (row, why)


def write_rows(conn: Any, sql: str, rows: Sequence[Sequence[Any]],
               report: RowsWritten | None = None) -> RowsWritten:
    """`executemany(sql, rows)` inside the caller's transaction, surviving any text.

    A batch refused for its data (see `classify`) is rolled back to a savepoint and split
    until the bad rows are found; each is repaired (`repair_row`) and written, or dropped
    when even that fails — reported, never left to fail every later batch.  Outages and
    fatal errors are raised: the caller's transaction is lost, its rows stay its own."""
    report = report or RowsWritten()
    if not rows:
        return report
    pg = dialect(conn) == "postgresql"
    err = _attempt(conn, sql, rows)
    if err is None:
        report.written += len(rows)
        return report
    # most often every bad row is repairable: one more attempt with all rows repaired
    fixed = [repair_row(r, pg) for r in rows]
    changed = [i for i, (a, b) in enumerate(zip(rows, fixed)) if tuple(a) != b]
    if changed and _attempt(conn, sql, fixed) is None:
        report.written += len(rows)
        report.repaired.extend((fixed[i], what_repaired(rows[i], pg)) for i in changed)
        return report
    stack = [list(rows)]
    while stack:
        batch = stack.pop()
        err = _attempt(conn, sql, batch)
        if err is None:
            report.written += len(batch)
            continue
        if len(batch) > 1:
            mid = len(batch) // 2
            stack.append(batch[mid:])
            stack.append(batch[:mid])
            continue
        row = tuple(batch[0])
        repaired = repair_row(row, pg)
        if repaired != row and _attempt(conn, sql, [repaired]) is None:
            report.written += 1
            report.repaired.append((repaired, what_repaired(row, pg)))
        else:
            report.dropped.append((repaired, first_line(err)))
    return report


_SAVEPOINT = "govcrawl_rows"


def _attempt(conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> BaseException | None:
    """One try inside a savepoint: None when written, the error when the data was refused;
    anything else is raised."""
    conn.execute(f"SAVEPOINT {_SAVEPOINT}")
    try:
        conn.executemany(sql, rows)
    except Error + DATA_ERRORS as e:  # type: ignore[misc]
        _back_to_savepoint(conn)
        if classify(e) != DATA:
            raise
        return e
    conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
    return None


def _back_to_savepoint(conn: Any) -> None:
    try:
        conn.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
        conn.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
    except Error:  # the transaction itself is gone (disk full, connection lost)
        pass


def retryable(e: BaseException) -> bool:
    """A write transaction that failed only because another writer was in the way."""
    if isinstance(e, sqlite3.OperationalError):
        return "locked" in str(e) or "busy" in str(e)
    return isinstance(e, _RETRY_PG)
