"""Settings helpers for the browser (scrapy-playwright with Debian's chromium)."""

from __future__ import annotations

from typing import Any

# What a render needs to build the page's DOM: the document, its scripts and their XHR.
# Images, stylesheets, fonts and media would only add load on the inspected site.
_SKIP = {"image", "stylesheet", "font", "media", "imageset", "texttrack", "manifest", "beacon"}


def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST predicate: skip resources a DOM comparison does not need."""
    return request.resource_type in _SKIP


def egress_allowed(url: str, settings: Any = None) -> bool:
    """The egress policy's word on one request a browser GovCrawl drives is about to make
    (after the page's own site scope has allowed it).  The hook where issue 27's policy
    (loopback / private / link-local addresses refused unless GOVCRAWL_ALLOW_ADDRESSES
    allows them) plugs in for the evidence screenshots (govcrawl.evidence.shots); it may
    also return an awaitable.  `settings`: the Scrapy settings in force (None: the
    defaults).  Allows everything until then."""
    return True
