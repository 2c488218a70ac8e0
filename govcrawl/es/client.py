"""A thin wrapper over the official client that speaks the server's version.

The 9.x client marks every request `compatible-with=9`, which an 8.x cluster
refuses.  We ask the server for its version once (with a neutral Accept
header), then send every request with `compatible-with=min(client, server)`
major, which both 8.x and 9.x clusters accept.  Requests go through the
client's public `perform_request` so this works with the 8.x client too.

Retries are ours (the indexer backs off and spools), so the client's own are off.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from govcrawl.es.config import EsConfig, redact_url

log = logging.getLogger(__name__)


class EsUnavailable(RuntimeError):
    """The cluster could not be reached or answered 429/5xx: worth retrying later."""


class EsRequestError(RuntimeError):
    """The cluster refused the request (4xx other than 429): retrying will not help."""

    def __init__(self, message: str, status: int | None = None, body: Any = None):
        super().__init__(message)
        self.status = status
        self.body = body


def client_major() -> int:
    import elasticsearch

    return int(elasticsearch.__versionstr__.split(".")[0])


class EsClient:
    """Version-aware access to one cluster; safe to share between threads."""

    def __init__(self, cfg: EsConfig):
        from elasticsearch import Elasticsearch

        self.cfg = cfg
        kw: dict[str, Any] = {
            "request_timeout": cfg.timeout,
            "max_retries": 0,
            "retry_on_timeout": False,
            "retry_on_status": (),
        }
        if cfg.api_key:
            kw["api_key"] = cfg.api_key
        elif cfg.username:
            kw["basic_auth"] = (cfg.username, cfg.password)
        if cfg.url.startswith("https"):
            if cfg.ca_certs:
                kw["ca_certs"] = cfg.ca_certs
            kw["verify_certs"] = cfg.verify_certs
        self._es = Elasticsearch(cfg.url, **kw)
        self._compat: int | None = None
        self.server_version: str | None = None

    def close(self) -> None:
        self._es.close()

    # -- low level ---------------------------------------------------------
    def _headers(self, content_type: str | None) -> dict[str, str]:
        major = self._compat
        if major is None:
            # Before we know the server: a header the client does not rewrite.
            h = {"accept": "*/*"}
            if content_type:
                h["content-type"] = f"application/{content_type}"
            return h
        h = {"accept": f"application/vnd.elasticsearch+json; compatible-with={major}"}
        if content_type:
            h["content-type"] = f"application/vnd.elasticsearch+{content_type}; compatible-with={major}"
        return h

    def request(self, method: str, path: str, body: Any = None, *,
                params: dict[str, Any] | None = None, ndjson: bool = False,
                ok: tuple[int, ...] = ()) -> tuple[int, Any]:
        """One request.  Returns (status, body); raises EsUnavailable on transport
        errors / 429 / 5xx and EsRequestError on other 4xx (unless listed in `ok`)."""
        from elasticsearch import ApiError, TransportError

        if self._compat is None and path != "/":
            self.info()
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = self._headers(("x-ndjson" if ndjson else "json") if body is not None else None)
        target = path
        if params:
            from urllib.parse import urlencode

            target = f"{path}?{urlencode(params)}"
        try:
            resp = self._es.perform_request(method, target, headers=headers, body=body)
            return resp.meta.status, resp.body
        except ApiError as e:
            status = e.meta.status if e.meta is not None else None
            if status in ok:
                return status, e.body
            if status is not None and (status == 429 or status >= 500):
                raise EsUnavailable(f"{method} {path}: HTTP {status}") from None
            raise EsRequestError(f"{method} {path}: HTTP {status}: {_reason(e.body)}", status,
                                 e.body) from None
        except TransportError as e:
            # str(e) of a connection error can carry the URL; never the credentials
            # (the client holds them in headers), but redact user-info anyway.
            raise EsUnavailable(f"{method} {path}: {type(e).__name__}: "
                                f"{redact_url(str(e.message) if hasattr(e, 'message') else '')}"
                                ) from None

    # -- API ---------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        status, body = self.request("GET", "/")
        if not isinstance(body, dict) or "version" not in body:
            raise EsRequestError(f"GET /: not an Elasticsearch answer ({str(body)[:200]})", status)
        self.server_version = str(body["version"].get("number", "0"))
        server_major = int(self.server_version.split(".")[0] or 0)
        self._compat = max(7, min(client_major(), server_major))
        return body

    def bulk(self, payload: bytes) -> dict[str, Any]:
        status, body = self.request("POST", "/_bulk", payload, ndjson=True)
        if not isinstance(body, dict) or "items" not in body:
            raise EsUnavailable(f"_bulk: unexpected answer (HTTP {status})")
        return body

    def put_index_template(self, name: str, body: dict[str, Any]) -> None:
        self.request("PUT", f"/_index_template/{name}", body)

    def get_index_template(self, name: str) -> dict[str, Any] | None:
        status, body = self.request("GET", f"/_index_template/{name}", ok=(404,))
        if status == 404:
            return None
        for t in (body or {}).get("index_templates", []):
            if t.get("name") == name:
                return t.get("index_template")
        return None

    def analyzer_available(self, analyzer: str) -> bool:
        """True when the cluster knows the analyzer (a plugin such as IK or smartcn)."""
        try:
            self.request("POST", "/_analyze", {"analyzer": analyzer, "text": "政府网站"})
            return True
        except EsRequestError:
            return False

    def count(self, index: str, query: dict[str, Any] | None = None) -> int:
        self.request("POST", f"/{index}/_refresh", ok=(404,))
        status, body = self.request("POST", f"/{index}/_count",
                                    {"query": query} if query else None, ok=(404,))
        return 0 if status == 404 else int(body.get("count", 0))

    def get_doc(self, index: str, doc_id: str) -> dict[str, Any] | None:
        status, body = self.request("GET", f"/{index}/_doc/{doc_id}", ok=(404,))
        if status == 404 or not body.get("found", True):
            return None
        return body.get("_source")


def _reason(body: Any) -> str:
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            return f"{err.get('type')}: {err.get('reason')}"
        if err:
            return str(err)
    return str(body)[:300]
