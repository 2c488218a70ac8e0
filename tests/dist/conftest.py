"""Fixtures for distributed sweeps: a private redis-server on a free loopback port.

redis-server runs with persistence off and is killed at teardown.  A missing
redis-server fails the tests loudly (the Makefile's system-deps installs it).
Workers run as users run them: `scrapy crawl sweep` subprocesses (tests/dist/helpers.py).
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from .helpers import RedisServer


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: Any) -> Iterator[RedisServer]:
    srv = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        yield srv
    finally:
        srv.stop()
