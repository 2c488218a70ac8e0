"""Is an element hidden from readers?  (Owned by the hacked-page work; first version.)"""

from __future__ import annotations

import re

_HIDE = [
    (re.compile(r"display\s*:\s*none", re.I), "display:none"),
    (re.compile(r"visibility\s*:\s*hidden", re.I), "visibility:hidden"),
]


class HiddenDetector:
    """Answers `reason(el)`: why `el` (or an ancestor) is invisible, or None."""

    def __init__(self, root) -> None:
        self.root = root
        # keyed by the element itself: holding the proxy keeps its identity stable
        # (id() of lxml proxies is reused once a proxy is garbage-collected)
        self._cache: dict[object, str | None] = {}

    def _own(self, el) -> str | None:
        style = el.get("style") or ""
        for rx, why in _HIDE:
            if rx.search(style):
                return why
        if el.get("hidden") is not None:
            return "hidden attribute"
        return None

    def own_reason(self, el) -> str | None:
        """Why `el` itself (not its ancestors) is hidden."""
        return self._own(el)

    def reason(self, el) -> str | None:
        node = el
        while node is not None and isinstance(node.tag, str):
            if node in self._cache:
                r = self._cache[node]
            else:
                r = self._own(node)
                self._cache[node] = r
            if r:
                return r
            node = node.getparent()
        return None
