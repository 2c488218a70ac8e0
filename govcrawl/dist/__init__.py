"""Distributed sweeps: several `scrapy crawl sweep` workers share one inspection.

Switched on by a setting, off otherwise::

    # the first worker creates the inspection and logs its id
    scrapy crawl sweep -a registry=sites.yaml -a store=/srv/govcrawl.db \\
        -s GOVCRAWL_REDIS_URL=redis://127.0.0.1:6379/0
    # the others join it (or all start with the same -a run=NAME and agree by themselves)
    scrapy crawl sweep -a registry=sites.yaml -a store=/srv/govcrawl.db -a inspection=42 \\
        -s GOVCRAWL_REDIS_URL=redis://127.0.0.1:6379/0

Built on scrapy-redis (its scheduler, serializer and dupefilter) with GovCrawl's own
queue: one queue per download slot and a lease per request, so a site's concurrency
holds across all workers together (govcrawl.dist.redisq), requests in flight are
recorded until their items are stored (kill -9 loses nothing, govcrawl.dist.worker),
and only one worker runs the site checks and verdicts, once all are done.

Store: the SQLite file (WAL, retried write transactions) shared by the workers of one
machine.  See docs/operations.md for several machines.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import time
import weakref
from typing import Any, Callable

from govcrawl import db
from govcrawl.dist.worker import Worker

logger = logging.getLogger("govcrawl.dist")

_WORKERS: "weakref.WeakKeyDictionary[Any, Worker]" = weakref.WeakKeyDictionary()


class DistError(RuntimeError):
    """A distributed sweep cannot start (Redis unreachable, unknown or finished inspection)."""


def worker_for(crawler: Any) -> Worker | None:
    """The distributed worker of this crawler, or None for an ordinary sweep."""
    return _WORKERS.get(crawler)


def open_worker(crawler: Any, spider: Any, store: Any, create: Callable[[], int]) -> Worker | None:
    """Join (or create) the shared inspection when GOVCRAWL_REDIS_URL is set; None otherwise.

    `-a inspection=ID` joins that inspection; `-a run=NAME` makes every worker started
    with the same NAME agree on one new inspection; neither creates a new one.
    """
    s = crawler.settings
    url = s.get("GOVCRAWL_REDIS_URL") or ""
    if not url:
        return None
    import redis

    try:
        server = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10,
                                      health_check_interval=30)
        server.ping()
    except (redis.RedisError, ValueError) as e:
        raise DistError(f"GOVCRAWL_REDIS_URL {url}: cannot use Redis ({e})") from None
    base = s.get("GOVCRAWL_REDIS_PREFIX") or \
        "govcrawl:" + hashlib.sha1(db.normalize(store.target).encode()).hexdigest()[:10]
    key_ttl = s.getint("GOVCRAWL_DIST_KEY_TTL", 2 * 86400)
    worker_id = s.get("GOVCRAWL_WORKER_ID") or f"{socket.gethostname()}:{os.getpid()}"
    ref, run = getattr(spider, "inspection", None), getattr(spider, "run", None)
    if ref not in (None, ""):
        try:
            iid = int(ref)
        except ValueError:
            raise DistError(f"bad -a inspection={ref!r} (want the number the first worker logged)") from None
        row = store.conn.execute("SELECT kind, status, as_of FROM inspections WHERE id=?", (iid,)).fetchone()
        if row is None:
            raise DistError(f"{store.name}: no inspection {iid} to join")
        if row["kind"] != "sites" or row["status"] == "finished":
            raise DistError(f"inspection {iid} is {row['status']} ({row['kind']}): nothing to join")
        as_of = row["as_of"]
    elif run not in (None, ""):
        iid = _agree(server, f"{base}:run:{run}", create, worker_id, key_ttl)
        as_of = store.conn.execute("SELECT as_of FROM inspections WHERE id=?", (iid,)).fetchone()["as_of"]
    else:
        iid = create()
        as_of = spider.as_of.isoformat()
    _same_sites(store, iid, spider)
    prefix = f"{base}:i{iid}:"
    if (server.get(prefix + "state") or b"") == b"finished":
        raise DistError(f"inspection {iid} was finished by its workers: nothing to join")
    worker = Worker(
        server, prefix, worker_id, iid, as_of,
        heartbeat_ttl=s.getfloat("GOVCRAWL_DIST_HEARTBEAT_TTL", 30.0),
        lease_ttl=s.getfloat("GOVCRAWL_DIST_LEASE_TTL", max(120.0, 2 * s.getfloat("DOWNLOAD_TIMEOUT", 30))),
        key_ttl=key_ttl, default_limit=s.getint("GOVCRAWL_EXTERNAL_CONCURRENCY", 1),
        store_path=db.normalize(store.target))
    worker.min_workers = s.getint("GOVCRAWL_DIST_MIN_WORKERS", 1)
    _WORKERS[crawler] = worker
    logger.info("distributed worker %s on inspection %s (as_of %s, Redis keys %s*); more workers join "
                "with -a inspection=%s", worker_id, iid, as_of, prefix, iid)
    return worker


def _same_sites(store: Any, iid: int, spider: Any) -> None:
    """A joining worker must crawl the sites the inspection was started with: workers on
    several machines read their own copy of the registry, and a stale copy would judge
    pages by the wrong scopes."""
    row = store.conn.execute("SELECT registry_json, settings_json FROM inspections WHERE id=?", (iid,)).fetchone()
    try:
        started = json.loads(row["settings_json"] or "{}").get("sites")
        snapshot = {d["id"]: d for d in json.loads(row["registry_json"] or "{}").get("sites", [])}
    except (ValueError, TypeError, KeyError, AttributeError):
        return  # an inspection from before the snapshot: nothing to compare with
    if not started:
        return
    mine = {sid: site.to_dict() for sid, site in spider.sites.items()}
    only_here, only_there = sorted(set(mine) - set(started)), sorted(set(started) - set(mine))
    changed = sorted(sid for sid in set(mine) & set(started) if sid in snapshot and
                     (mine[sid].get("url"), mine[sid].get("scope")) != (snapshot[sid].get("url"), snapshot[sid].get("scope")))
    if only_here or only_there or changed:
        what = "; ".join(part for part in (
            f"sites only in this registry: {', '.join(only_here[:5])}" if only_here else "",
            f"sites only in the inspection's: {', '.join(only_there[:5])}" if only_there else "",
            f"address or scope changed: {', '.join(changed[:5])}" if changed else "") if part)
        raise DistError(f"{spider.registry.path or 'the registry'} differs from the one inspection {iid} "
                        f"was started with ({what}): give every worker the same registry and -a sites")


def _agree(server: Any, key: str, create: Callable[[], int], worker_id: str, ttl: int) -> int:
    """First worker of a run creates the inspection, the others wait for its id."""
    if server.set(key, f"creating:{worker_id}", nx=True, ex=600):
        iid = create()
        server.set(key, str(iid), ex=ttl)
        return iid
    for _ in range(1200):
        v = (server.get(key) or b"").decode()
        if v.isdigit():
            return int(v)
        time.sleep(0.1)
    raise DistError(f"run key {key}: no inspection id after 120 s (is the first worker stuck?)")
