"""Fixtures: a fake Elasticsearch on 127.0.0.1 and a fast-retrying configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from govcrawl.es.config import EsConfig
from govcrawl.es.fakeserver import FakeElasticsearch

from .util import make_cfg


@pytest.fixture
def fake() -> Iterator[FakeElasticsearch]:
    server = FakeElasticsearch(version="8.17.0").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cfg_for(tmp_path: Path):
    def build(url: str, **kw) -> EsConfig:
        return make_cfg(url, tmp_path, **kw)
    return build
