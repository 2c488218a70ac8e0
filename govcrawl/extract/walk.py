"""Document-order walk over an lxml tree without recursion: no nesting depth stops it
(issue 27: text nested past any depth is still read)."""

from __future__ import annotations

from typing import Any, Callable, Iterator


def walk(start: Any, keep: Callable[[Any], bool]) -> Iterator[tuple[str, Any]]:
    """("open", el) when an element `keep` accepts is entered, ("text", str) for each text
    piece and tail, ("close", el) after the element's children, in document order.  An
    element `keep` refuses (and a comment or processing instruction) is skipped with its
    children; its tail still comes.  `start`'s own tail is not part of the walk."""
    stack: list[tuple[Any, bool]] = [(start, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            yield "close", node
            if node is not start and node.tail:
                yield "text", node.tail
            continue
        if not isinstance(node.tag, str) or not keep(node):
            if node is not start and node.tail:
                yield "text", node.tail
            continue
        yield "open", node
        if node.text:
            yield "text", node.text
        stack.append((node, True))
        for child in reversed(node):
            stack.append((child, False))
