"""Fixtures for the wording checker tests.

`checker` uses the repository's lexicons without the dictionary typo detector
(which reads jieba's dictionary and builds a large automaton: seconds); the
detector itself is tested on a small dictionary in test_typo.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govcrawl.text import TextChecker, get_checker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def checker() -> TextChecker:
    return get_checker(ROOT / "lexicons", typo=False)


@pytest.fixture
def lexdir(tmp_path: Path) -> Path:
    """A tiny lexicon directory tests can add files to."""
    d = tmp_path / "lex"
    d.mkdir()
    return d
