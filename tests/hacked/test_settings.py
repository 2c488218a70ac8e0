"""The pipeline the Scrapy way: off switches, settings, a bad signals file."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from govcrawl.checks.hacked.signals import SignalsError
from govcrawl.pipelines.hacked import HackedPagePipeline


@pytest.mark.parametrize("name", ["GOVCRAWL_CHECKS", "GOVCRAWL_HACKED"])
def test_off_switches(name: str) -> None:
    with pytest.raises(NotConfigured):
        HackedPagePipeline.from_crawler(get_crawler(settings_dict={name: False}))


def test_settings_read() -> None:
    crawler = get_crawler(settings_dict={"GOVCRAWL_HACKED_SAMPLE": 3, "GOVCRAWL_HACKED_RENDER": False,
                                         "GOVCRAWL_HACKED_OUTSIDE_PAGES": 0})
    p = HackedPagePipeline.from_crawler(crawler)
    assert (p.sample, p.render, p.outbound_max) == (3, False, 0)
    # no browser at all: no rendering either
    p = HackedPagePipeline.from_crawler(get_crawler(settings_dict={"GOVCRAWL_BROWSER": False}))
    assert p.render is False


def test_bad_signals_file_stops_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "signals.txt"
    bad.write_text("trusted gov.cn\nporn [unclosed\n", encoding="utf-8")
    with pytest.raises(SignalsError, match=r"signals.txt:2: bad regular expression"):
        HackedPagePipeline.from_crawler(get_crawler(settings_dict={"GOVCRAWL_HACKED_SIGNALS": str(bad)}))
