"""Fixtures for the report tests; the history itself is in report_history.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from .report_history import build_history


@pytest.fixture()
def history_store(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A temporary store holding the three-quarter history described in report_history."""
    path = tmp_path / "store.sqlite"
    return path, build_history(path)
