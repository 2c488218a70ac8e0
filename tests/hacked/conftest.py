from __future__ import annotations

import pytest

from govcrawl.checks.hacked.judge import TextJudge
from govcrawl.checks.hacked.rules import HackedRules
from govcrawl.checks.hacked.signals import HostJudge, load_signals


@pytest.fixture(scope="session")
def judge() -> TextJudge:
    """The real wording checker (repo lexicons, typo machinery off) — the same judge the
    pipeline uses."""
    j = TextJudge()
    assert j.checker is not None, "govcrawl.text.get_checker is unavailable"
    return j


@pytest.fixture(scope="session")
def rules(judge: TextJudge) -> HackedRules:
    return HackedRules(judge, HostJudge(load_signals()))
