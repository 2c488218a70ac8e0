"""Test only: a small disk faked at SQLite's level, for machines where the test cannot mount
a tmpfs (tests/faults/harness.SmallDisk).  Put on the sweep's PYTHONPATH with
GOVCRAWL_FAKEDISK naming the control file: "<bytes> rw|ro".

Every SQLite connection to a file beside the control file gets PRAGMA max_page_count =
bytes / page size at each BEGIN — past it SQLite fails exactly as on a full disk
("database or disk is full") — and "ro" fails each BEGIN as a read-only file does.
"""

import os
import sqlite3

_CONTROL = os.environ.get("GOVCRAWL_FAKEDISK", "")

if _CONTROL:
    _DIR = os.path.dirname(os.path.abspath(_CONTROL))
    _connect = sqlite3.connect

    class _SmallDiskConnection(sqlite3.Connection):
        def execute(self, sql, *args):  # type: ignore[override]
            if sql.lstrip()[:5].upper() == "BEGIN":
                self._limit()
            return super().execute(sql, *args)

        def executescript(self, script):  # type: ignore[override]
            self._limit()  # the schema of a new store needs room too
            return super().executescript(script)

        def _limit(self) -> None:
            try:
                size, mode = open(_CONTROL).read().split()[:2]
            except (OSError, ValueError):
                return
            if mode == "ro":
                raise sqlite3.OperationalError("attempt to write a readonly database")
            page = super().execute("PRAGMA page_size").fetchone()[0]
            super().execute(f"PRAGMA max_page_count={max(1, int(size) // page)}")

    def connect(database, *args, **kwargs):  # type: ignore[no-untyped-def]
        path = str(database)
        if path.startswith("file:"):
            path = path[5:].split("?", 1)[0]
        if os.path.dirname(os.path.abspath(path)) == _DIR and "factory" not in kwargs:
            kwargs["factory"] = _SmallDiskConnection
        return _connect(database, *args, **kwargs)

    sqlite3.connect = connect
