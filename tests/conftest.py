"""Fixtures shared by every test area.

`pg_server`: one private PostgreSQL server for the whole session (tests/pgserver.py);
`pg_url`: a fresh database on it for one test (the shared store of several machines).
"""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.pgserver import PgServer


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    srv = PgServer()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    return pg_server.new_database()
