"""Elasticsearch configuration: Scrapy settings first, then the environment.

Credentials are kept out of every string this module produces for logs
(`EsConfig.describe()`, `repr`): a key or password must never reach a log line
or a bug report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit, urlunsplit

ANALYZERS = ("cjk", "ik_max_word", "smartcn")

# name -> (default, type); every name is a Scrapy setting and an environment variable.
_SPEC: dict[str, tuple[Any, type]] = {
    "ELASTICSEARCH_URL": ("", str),
    "ELASTICSEARCH_API_KEY": ("", str),
    "ELASTICSEARCH_USERNAME": ("", str),
    "ELASTICSEARCH_PASSWORD": ("", str),
    "ELASTICSEARCH_CA_CERTS": ("", str),
    "ELASTICSEARCH_VERIFY_CERTS": (True, bool),
    "ELASTICSEARCH_INDEX_PREFIX": ("govcrawl", str),
    "ELASTICSEARCH_ANALYZER": ("cjk", str),
    "ELASTICSEARCH_SPOOL_DIR": ("", str),
    "ELASTICSEARCH_BULK_SIZE": (500, int),  # actions per _bulk request
    "ELASTICSEARCH_BULK_BYTES": (5 * 1024 * 1024, int),  # bytes per _bulk request
    "ELASTICSEARCH_FLUSH_INTERVAL": (2.0, float),  # seconds a partial batch may wait
    "ELASTICSEARCH_MAX_RETRIES": (5, int),  # per batch, on 429 / 5xx / connection errors
    "ELASTICSEARCH_RETRY_BACKOFF": (0.5, float),  # first back-off; doubles, capped at 30 s
    "ELASTICSEARCH_QUEUE_BYTES": (64 * 1024 * 1024, int),  # beyond this, spool instead of queue
    "ELASTICSEARCH_TIMEOUT": (30.0, float),  # per request
    "ELASTICSEARCH_CLOSE_TIMEOUT": (120.0, float),  # at close: drain this long, then spool the rest
    "ELASTICSEARCH_PAGES": (True, bool),  # index the slim page records too
}


def _coerce(raw: Any, typ: type, name: str) -> Any:
    if isinstance(raw, typ) and not (typ is int and isinstance(raw, bool)):
        return raw
    if typ is bool:
        s = str(raw).strip().lower()
        if s in ("1", "true", "yes", "on"):
            return True
        if s in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{name}: expected a boolean, got {raw!r}")
    try:
        return typ(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {typ.__name__}, got {raw!r}") from None


def redact_url(url: str) -> str:
    """The URL without user-info (http://user:pass@host → http://host)."""
    try:
        p = urlsplit(url)
    except ValueError:
        return "<unparsable url>"
    if p.username is None and p.password is None:
        return url
    host = p.hostname or ""
    if p.port:
        host = f"{host}:{p.port}"
    return urlunsplit((p.scheme, host, p.path, p.query, p.fragment))


@dataclass(repr=False)
class EsConfig:
    url: str = ""
    api_key: str = field(default="")
    username: str = ""
    password: str = field(default="")
    ca_certs: str = ""
    verify_certs: bool = True
    prefix: str = "govcrawl"
    analyzer: str = "cjk"
    spool_dir: str = ""
    bulk_size: int = 500
    bulk_bytes: int = 5 * 1024 * 1024
    flush_interval: float = 2.0
    max_retries: int = 5
    retry_backoff: float = 0.5
    queue_bytes: int = 64 * 1024 * 1024
    timeout: float = 30.0
    close_timeout: float = 120.0
    pages: bool = True
    store: str = ""

    # -- construction ------------------------------------------------------
    @classmethod
    def load(cls, get: Callable[[str], Any] | Mapping[str, Any] | None = None,
             env: Mapping[str, str] | None = None, **overrides: Any) -> "EsConfig":
        """Read every ELASTICSEARCH_* name from `get` (Scrapy settings or a dict),
        falling back to the environment, then apply non-empty `overrides`."""
        env = os.environ if env is None else env
        if get is None:
            getter: Callable[[str], Any] = lambda name: None
        elif callable(get):
            getter = get
        else:
            mapping = get
            getter = mapping.get
        attr = {f.name: f for f in fields(cls)}
        kw: dict[str, Any] = {}
        for name, (default, typ) in _SPEC.items():
            raw = getter(name)
            if raw in (None, ""):
                raw = env.get(name)
            if raw in (None, ""):
                raw = default
            key = name.removeprefix("ELASTICSEARCH_").lower()
            if key not in attr:
                key = {"index_prefix": "prefix"}[key]
            kw[key] = _coerce(raw, typ, name)
        store = getter("GOVCRAWL_STORE") or env.get("GOVCRAWL_STORE") or ""
        kw["store"] = str(store)
        for k, v in overrides.items():
            if v not in (None, ""):
                kw[k] = v
        cfg = cls(**kw)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        if self.url:
            p = urlsplit(self.url)
            if p.scheme not in ("http", "https") or not p.hostname:
                raise ValueError(f"ELASTICSEARCH_URL: not an http(s) URL: {redact_url(self.url)!r}")
        if self.analyzer not in ANALYZERS and self.analyzer != "auto":
            raise ValueError(f"ELASTICSEARCH_ANALYZER: {self.analyzer!r} is not one of "
                             f"{', '.join(ANALYZERS)} (or auto)")
        if not self.prefix or self.prefix != self.prefix.lower() or any(
                c in self.prefix for c in ' "*\\<|,>/?#:'):
            raise ValueError(f"ELASTICSEARCH_INDEX_PREFIX: {self.prefix!r} is not a valid "
                             "lower-case index name prefix")
        if self.bulk_size < 1 or self.bulk_bytes < 1024:
            raise ValueError("ELASTICSEARCH_BULK_SIZE must be ≥1 and ELASTICSEARCH_BULK_BYTES ≥1024")

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    # -- derived -----------------------------------------------------------
    @property
    def findings_index(self) -> str:
        return f"{self.prefix}-findings"

    @property
    def pages_stream(self) -> str:
        return f"{self.prefix}-pages"

    @property
    def verdicts_index(self) -> str:
        return f"{self.prefix}-verdicts"

    def spool_path(self) -> Path:
        """ELASTICSEARCH_SPOOL_DIR, else `<store>.es-spool` next to an SQLite store, else
        `./govcrawl-es-spool` (also with a PostgreSQL store: the spool is per machine)."""
        if self.spool_dir:
            return Path(self.spool_dir)
        from govcrawl.db import is_url

        if self.store and not is_url(str(self.store)):
            s = Path(self.store)
            return s.with_name(s.name + ".es-spool")
        return Path("govcrawl-es-spool")

    def auth_kind(self) -> str:
        if self.api_key:
            return "api key"
        if self.username:
            return "basic auth"
        return "no auth"

    def describe(self) -> str:
        """Safe for logs: no credentials."""
        return f"{redact_url(self.url)} ({self.auth_kind()}, prefix {self.prefix})"

    def __repr__(self) -> str:
        return f"EsConfig({self.describe()})"
