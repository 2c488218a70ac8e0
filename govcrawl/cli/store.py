"""`govcrawl store-copy`: move a whole store between SQLite and PostgreSQL.

Going from one machine to several means going from the SQLite file to a PostgreSQL
database; the bulletin's repeat offenders and re-checks read earlier inspections from
the same store, so the history moves with it.  Every table is copied as it is (ids
included) into an empty store, in batches, with progress in the log.
"""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from govcrawl import db
from govcrawl.store import Store

logger = logging.getLogger("govcrawl.store_copy")
BATCH = 2000


def register(sub: Any) -> None:
    p = sub.add_parser("store-copy", help="copy a whole store (SQLite file or PostgreSQL URL) into an empty one",
                       description=__doc__.splitlines()[0])
    p.add_argument("--from", dest="src", required=True, help="the store to read: a path or postgresql:// URL")
    p.add_argument("--to", dest="dst", required=True, help="an empty store to fill: a path or postgresql:// URL")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from govcrawl.cli import UserError

    src = Store(args.src, readonly=True)
    dst = Store(args.dst)
    try:
        if dst.conn.execute("SELECT COUNT(*) FROM inspections").fetchone()[0]:
            raise UserError(f"{dst.name} already holds inspections: copy into an empty store")
        counts = copy_tables(src, dst)
    finally:
        src.close()
        dst.close()
    print(" ".join(f"{t}={n}" for t, n in counts.items()))
    return 0


def copy_tables(src: Store, dst: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    t0 = time.monotonic()
    for table, (columns, _pk) in db._tables().items():
        try:
            have = src.conn.execute(f"SELECT * FROM {table} LIMIT 0").description
        except db.OperationalError:  # an older store without this table
            if src.is_pg:
                src.conn.rollback()
            counts[table] = 0
            continue
        cols = [c for c in columns if c in {d[0] for d in have}]  # an older store: fewer columns
        names = ", ".join(db._q(c) for c in cols)
        insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"
        cur = src.conn.execute(f"SELECT {names} FROM {table}")
        n = 0
        while True:
            rows = [tuple(r) for r in cur.fetchmany(BATCH)]
            if not rows:
                break
            with dst.tx() as c:
                c.executemany(insert, rows)
            n += len(rows)
            if n % (BATCH * 25) == 0:
                logger.info("store-copy: %s: %d rows so far (%.0f s)", table, n, time.monotonic() - t0)
        counts[table] = n
        logger.info("store-copy: %s: %d rows", table, n)
    if dst.is_pg:  # new inspections continue after the copied ids
        dst.conn.execute("SELECT setval(pg_get_serial_sequence('inspections', 'id'),"
                         " COALESCE((SELECT MAX(id) FROM inspections), 0) + 1, false)")
    return counts
