"""The review application's guards: access token, CSRF, response headers, host check.

- **Access token.**  On loopback the application is open to whoever can reach the port
  (the inspector at their own machine).  On any other address it needs the token of the
  environment variable GOVCRAWL_SERVE_TOKEN: `govcrawl serve` refuses to start without
  one.  A browser gives it once on the login page and then carries an HttpOnly,
  SameSite=Strict cookie holding an HMAC of it (never the token itself); scripts may send
  `Authorization: Bearer <token>`.
- **CSRF.**  Every form carries a token that is an HMAC, under a secret of the running
  server, of a random value in a SameSite=Strict cookie.  A page of another origin can
  neither read the token nor make the browser send the cookie; another program on the
  same machine that plants a cookie for 127.0.0.1 (cookies ignore the port) cannot sign
  it.  A POST whose Origin is not this server is refused too.  (asgi-csrf, the
  maintained ASGI package, lets a POST with no cookie at all through — right for API
  clients, wrong for an application whose browser users carry no session cookie.)
- **Headers.**  A Content-Security-Policy without any script source: nothing runs on
  these pages, whatever a crawled page put in its title; no framing; no Referer sent
  to the inspected sites when an inspector follows a link.
- **Host.**  On loopback, a request must name a loopback host (DNS rebinding).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from typing import Any, Awaitable, Callable

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

CSRF_COOKIE = "govcrawl_csrf"
CSRF_FIELD = "csrf"
AUTH_COOKIE = "govcrawl_auth"
TOKEN_ENV = "GOVCRAWL_SERVE_TOKEN"
MIN_TOKEN = 16
CSP = ("default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    h = host.strip("[]")
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def _mac(key: str | bytes, msg: str) -> str:
    k = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(k, msg.encode("utf-8"), hashlib.sha256).hexdigest()


class Guard:
    """The guards of one running server (its CSRF secret lives as long as the process)."""

    def __init__(self, *, token: str | None, loopback: bool) -> None:
        self.token = token or None
        self.loopback = loopback
        self.secret = secrets.token_bytes(32)

    # -- access token -------------------------------------------------------------------
    def auth_cookie_value(self) -> str:
        assert self.token
        return _mac(self.token, "govcrawl-serve-login")

    def authorised(self, request: Request) -> bool:
        if not self.token:
            return True
        bearer = request.headers.get("authorization", "")
        if bearer.startswith("Bearer ") and hmac.compare_digest(
                bearer[7:].strip().encode("utf-8"), self.token.encode("utf-8")):
            return True
        cookie = request.cookies.get(AUTH_COOKIE, "")
        return bool(cookie) and hmac.compare_digest(cookie, self.auth_cookie_value())

    def token_matches(self, given: str) -> bool:
        return bool(self.token) and hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    # -- CSRF ---------------------------------------------------------------------------
    def csrf_nonce(self, request: Request) -> tuple[str, bool]:
        """The request's CSRF cookie value, and whether it has to be set."""
        nonce = request.cookies.get(CSRF_COOKIE, "")
        if len(nonce) >= 32 and nonce.isalnum():
            return nonce, False
        return secrets.token_hex(16), True

    def csrf_token(self, nonce: str) -> str:
        return _mac(self.secret, "csrf:" + nonce)

    def csrf_ok(self, request: Request, form_token: str) -> bool:
        nonce = request.cookies.get(CSRF_COOKIE, "")
        if not nonce or not form_token:
            return False
        if not hmac.compare_digest(form_token, self.csrf_token(nonce)):
            return False
        origin = request.headers.get("origin")
        if origin and origin != "null" and origin != _own_origin(request):
            return False
        site = request.headers.get("sec-fetch-site")
        return site in (None, "same-origin", "none")


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', '')}"


def set_csrf_cookie(response: Response, nonce: str) -> None:
    response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/")


class GuardMiddleware:
    """Pure ASGI middleware: host check, access token, security headers on every answer."""

    OPEN_PATHS = ("/login", "/static/")

    def __init__(self, app: Callable[..., Awaitable[None]], guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                have = {k.lower() for k, _v in headers}
                if b"content-security-policy" not in have:
                    headers.append((b"content-security-policy", CSP.encode()))
                for k, v in HEADERS.items():
                    if k.lower().encode() not in have:
                        headers.append((k.lower().encode(), v.encode()))
                message = {**message, "headers": headers}
            await send(message)

        request = Request(scope)
        if self.guard.loopback and not self.guard.token:
            host = Headers(scope=scope).get("host", "")
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
            if not is_loopback(name):
                await PlainTextResponse("host not allowed", status_code=421)(scope, receive, send_with_headers)
                return
        path = scope.get("path", "")
        if not path.startswith(self.OPEN_PATHS) and not self.guard.authorised(request):
            if scope.get("method") == "GET" and not path.startswith("/shots/"):
                resp: Response = RedirectResponse("/login", status_code=303)
            else:
                resp = PlainTextResponse("需要访问令牌 (GOVCRAWL_SERVE_TOKEN)", status_code=401)
            await resp(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)
