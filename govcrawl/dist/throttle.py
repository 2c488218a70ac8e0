"""AutoThrottle for incremental nights: a 304 answer counts as a latency sample.

Scrapy's AutoThrottle never lowers a slot's delay on a non-200 answer (small error
pages would otherwise speed the crawl up against a failing site).  On an incremental
night nearly every page answers 304 Not Modified, so after one slow answer the delay
of a site would only ever grow.  A 304 is a normal answer from a working server:
it is treated like a 200 here; everything else is Scrapy's policy unchanged.
Installed by govcrawl.dist.components.DistributedAddon when GOVCRAWL_INCREMENTAL is on.
"""

from __future__ import annotations

from typing import Any

from scrapy.extensions.throttle import AutoThrottle


class IncrementalAutoThrottle(AutoThrottle):
    def _adjust_delay(self, slot: Any, latency: float, response: Any) -> None:
        if getattr(response, "status", None) == 304:
            response = response.replace(status=200)
        super()._adjust_delay(slot, latency, response)
