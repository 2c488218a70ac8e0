"""The tests' PostgreSQL server: govcrawl.dist.pgserver, failing the test loudly when it
cannot start (Debian's postgresql missing: `make system-deps` installs it)."""

from __future__ import annotations

import pytest

from govcrawl.dist.pgserver import PgServer as _PgServer
from govcrawl.dist.pgserver import PgServerError


class PgServer(_PgServer):
    def __init__(self) -> None:
        try:
            super().__init__()
        except PgServerError as e:
            pytest.fail(str(e), pytrace=False)
