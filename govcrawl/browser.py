"""Settings helpers for the browser (scrapy-playwright with Debian's chromium)."""

from __future__ import annotations

from typing import Any

# What a render needs to build the page's DOM: the document, its scripts and their XHR.
# Images, stylesheets, fonts and media would only add load on the inspected site.
_SKIP = {"image", "stylesheet", "font", "media", "imageset", "texttrack", "manifest", "beacon"}


def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST predicate: skip resources a DOM comparison does not need."""
    return request.resource_type in _SKIP
