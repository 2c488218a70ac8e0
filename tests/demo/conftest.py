from __future__ import annotations

import urllib.error
import urllib.request
from datetime import date

import pytest

from govcrawl.demo import DemoServer, build_world

AS_OF = date(2024, 6, 20)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):  # noqa: D102 - keep 3xx visible to the tests
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET",
          data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """Request a URL without following redirects: (status, headers, body)."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with _opener.open(req, timeout=30) as r:
            return r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


@pytest.fixture(scope="module")
def world_server():
    world = build_world(AS_OF, scale="e2e", seed=1)
    server = DemoServer(world).start()
    try:
        yield world, server
    finally:
        server.stop()
