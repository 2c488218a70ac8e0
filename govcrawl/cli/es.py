"""Elasticsearch and Kibana commands.

    govcrawl es-setup       install the index templates (findings, pages data stream, verdicts)
    govcrawl es-sync        index an inspection's findings, verdicts and pages from the store
    govcrawl es-replay      send what the spool kept while the cluster was down
    govcrawl es-status      what waits in the spool; the cluster's version and templates
    govcrawl kibana-import  import the data views, saved searches and dashboard
    govcrawl kibana-export  write the saved objects NDJSON (kibana/govcrawl.ndjson)

Connection settings come from the environment (ELASTICSEARCH_URL,
ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD, ELASTICSEARCH_CA_CERTS,
ELASTICSEARCH_INDEX_PREFIX, ELASTICSEARCH_ANALYZER); `--url` overrides the URL.
Secrets are read from the environment only, never from the command line.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from govcrawl.cli import UserError


def _cfg(args: Any, need_url: bool = True):
    from govcrawl.es.config import EsConfig

    try:
        import govcrawl.settings as project

        defaults = {k: getattr(project, k) for k in dir(project) if k.startswith("ELASTICSEARCH_")}
    except Exception:  # settings are optional for these commands
        defaults = {}
    over: dict[str, Any] = {}
    if getattr(args, "url", None):
        over["url"] = args.url
    if getattr(args, "prefix", None):
        over["prefix"] = args.prefix
    if getattr(args, "analyzer", None):
        over["analyzer"] = args.analyzer
    if getattr(args, "spool", None):
        over["spool_dir"] = args.spool
    if getattr(args, "store", None):
        over["store"] = args.store
    try:
        cfg = EsConfig.load(defaults, **over)
        cfg.validate()
    except ValueError as e:
        raise UserError(str(e)) from None
    if need_url and not cfg.enabled:
        raise UserError("no cluster: set ELASTICSEARCH_URL or pass --url")
    return cfg


def _client(cfg):
    from govcrawl.es.client import EsClient, EsRequestError, EsUnavailable

    c = EsClient(cfg)
    try:
        c.info()
    except (EsUnavailable, EsRequestError) as e:
        raise UserError(f"{cfg.describe()}: {e}") from None
    return c


def _common(p: Any, spool: bool = False) -> None:
    p.add_argument("--url", help="cluster URL (default: $ELASTICSEARCH_URL)")
    p.add_argument("--prefix", help="index name prefix (default: $ELASTICSEARCH_INDEX_PREFIX "
                                    "or govcrawl)")
    if spool:
        p.add_argument("--spool", help="spool directory (default: $ELASTICSEARCH_SPOOL_DIR, or "
                                       "next to --store)")
        p.add_argument("--store", help="the store whose spool (<store>.es-spool) to use")


def register(sub: Any) -> None:
    p = sub.add_parser("es-setup", help="install the Elasticsearch index templates")
    _common(p)
    p.add_argument("--analyzer", choices=["cjk", "ik_max_word", "smartcn", "auto"],
                   help="Chinese analyzer for flagged wording (default: $ELASTICSEARCH_ANALYZER "
                        "or cjk; auto = IK, else smartcn, else cjk)")
    p.add_argument("--print", action="store_true", help="print the templates, install nothing")
    p.set_defaults(func=run_setup)

    p = sub.add_parser("es-sync", help="index an inspection from the store (findings, "
                                       "verdicts, pages)")
    _common(p)
    p.add_argument("--store", required=True)
    p.add_argument("--inspection", default="latest", help="latest (default), an id, or all")
    p.add_argument("--no-pages", action="store_true", help="findings and verdicts only")
    p.add_argument("--spool", help="spool directory for what cannot be delivered")
    p.set_defaults(func=run_sync)

    p = sub.add_parser("es-replay", help="send the documents spooled while the cluster was down")
    _common(p, spool=True)
    p.add_argument("--rejected", action="store_true",
                   help="also retry documents the cluster refused (after fixing the cause)")
    p.set_defaults(func=run_replay)

    p = sub.add_parser("es-status", help="spool contents and the cluster's templates")
    _common(p, spool=True)
    p.set_defaults(func=run_status)

    p = sub.add_parser("kibana-import", help="import GovCrawl's Kibana saved objects")
    p.add_argument("--kibana-url", default=os.environ.get("KIBANA_URL", ""),
                   help="Kibana base URL (default: $KIBANA_URL)")
    p.add_argument("--space", help="Kibana space id (default: the default space)")
    p.add_argument("--file", help="an NDJSON file to import instead of the built-in objects")
    p.add_argument("--prefix", help="index name prefix the data views point at")
    p.add_argument("--no-overwrite", action="store_true", help="keep objects that exist")
    p.add_argument("--ca-certs", default=os.environ.get("KIBANA_CA_CERTS", ""))
    p.set_defaults(func=run_kibana_import)

    p = sub.add_parser("kibana-export", help="write the Kibana saved objects as NDJSON")
    p.add_argument("--out", default="-", help="file (default: stdout)")
    p.add_argument("--prefix", help="index name prefix the data views point at")
    p.set_defaults(func=run_kibana_export)


# -- commands ---------------------------------------------------------------------
def run_setup(args: Any) -> int:
    from govcrawl.es import templates
    from govcrawl.es.client import EsRequestError, EsUnavailable

    cfg = _cfg(args, need_url=not args.print)
    if args.print:
        analyzer = "cjk" if cfg.analyzer == "auto" else cfg.analyzer
        json.dump(templates.all_templates(cfg.prefix, analyzer), sys.stdout, ensure_ascii=False,
                  indent=2)
        sys.stdout.write("\n")
        return 0
    client = _client(cfg)
    try:
        analyzer, names = templates.install(client, cfg.prefix, cfg.analyzer)
    except (EsUnavailable, EsRequestError) as e:
        raise UserError(str(e)) from None
    print(f"Elasticsearch {client.server_version} at {cfg.describe()}: installed "
          f"{', '.join(names)} (analyzer {analyzer})")
    print("New indices and the data stream's next backing index use them; an index created "
          "before keeps its mapping (reindex, or roll the data stream over).")
    return 0


def run_sync(args: Any) -> int:
    from govcrawl.es.indexer import Indexer
    from govcrawl.es.sync import SiteDirectory, finding_actions, open_store, page_actions, \
        verdict_actions
    from govcrawl.store import Store

    cfg = _cfg(args)
    store = Store(args.store, readonly=True)
    if args.inspection == "all":
        ids = [int(r["id"]) for r in store.inspections()]
    else:
        ids = [int(store.inspection(args.inspection)["id"])]
    store.close()
    client = _client(cfg)
    conn = open_store(args.store)
    sites = SiteDirectory(args.store)
    ix = Indexer(cfg, client)
    total = 0
    for iid in ids:
        parts = [finding_actions, verdict_actions] + ([] if args.no_pages else [page_actions])
        for produce in parts:
            batch: list[tuple[dict, dict]] = []
            for action in produce(conn, cfg, iid, sites):
                batch.append(action)
                if len(batch) >= cfg.bulk_size:
                    ix.send_now(batch)
                    total += len(batch)
                    batch = []
            ix.send_now(batch)
            total += len(batch)
    conn.close()
    stats = ix.stats.as_dict()
    client.close()
    print(f"es-sync: {total} documents for inspection(s) {', '.join(map(str, ids))}: "
          f"{stats['indexed']} indexed, {stats['duplicates']} already there, "
          f"{stats['spooled']} spooled, {stats['rejected']} rejected")
    if stats["spooled"] or stats["rejected"]:
        print(f"es-sync: see {cfg.spool_path()} (`govcrawl es-replay` sends it later)",
              file=sys.stderr)
        return 1
    return 0


def run_replay(args: Any) -> int:
    from govcrawl.es.indexer import Indexer
    from govcrawl.es.spool import Spool

    cfg = _cfg(args)
    spool = Spool(cfg.spool_path())
    before = spool.counts()
    if not before["pending"] and not (args.rejected and before["rejected"]):
        print(f"es-replay: nothing waits in {spool.dir}")
        return 0
    client = _client(cfg)
    ix = Indexer(cfg, client, spool)
    ix.replay()
    if args.rejected:
        ix.replay(rejected=True)
    client.close()
    after = spool.counts()
    s = ix.stats.as_dict()
    print(f"es-replay: {s['replayed']} delivered, {after['pending']} still waiting, "
          f"{after['rejected']} rejected (in {spool.dir})")
    return 0 if after["pending"] == 0 else 1


def run_status(args: Any) -> int:
    from govcrawl.es.spool import Spool

    cfg = _cfg(args, need_url=False)
    spool = Spool(cfg.spool_path())
    c = spool.counts()
    print(f"spool {spool.dir}: {c['pending']} waiting, {c['rejected']} rejected")
    if cfg.enabled:
        client = _client(cfg)
        names = [f"{cfg.prefix}-findings", f"{cfg.prefix}-pages", f"{cfg.prefix}-verdicts"]
        for n in names:
            t = client.get_index_template(n)
            meta = (t or {}).get("_meta", {})
            print(f"template {n}: " + (f"version {t.get('version')}, analyzer "
                                       f"{meta.get('analyzer')}" if t else "missing (es-setup)"))
        print(f"Elasticsearch {client.server_version} at {cfg.describe()}")
        client.close()
    return 0


def run_kibana_import(args: Any) -> int:
    from govcrawl.es import kibana

    if not args.kibana_url:
        raise UserError("no Kibana: pass --kibana-url or set KIBANA_URL")
    prefix = args.prefix or os.environ.get("ELASTICSEARCH_INDEX_PREFIX") or "govcrawl"
    if args.file:
        path = Path(args.file)
        if not path.exists():
            raise UserError(f"{path}: file not found")
        data = path.read_bytes()
    else:
        data = kibana.ndjson(prefix).encode("utf-8")
    try:
        result = kibana.import_objects(
            args.kibana_url, data, space=args.space, overwrite=not args.no_overwrite,
            api_key=os.environ.get("KIBANA_API_KEY") or os.environ.get("ELASTICSEARCH_API_KEY"),
            username=os.environ.get("KIBANA_USERNAME") or os.environ.get("ELASTICSEARCH_USERNAME"),
            password=os.environ.get("KIBANA_PASSWORD") or os.environ.get("ELASTICSEARCH_PASSWORD"),
            ca_certs=args.ca_certs or os.environ.get("ELASTICSEARCH_CA_CERTS") or None)
    except kibana.KibanaError as e:
        raise UserError(str(e)) from None
    print(f"kibana-import: {result.get('successCount', 0)} objects imported into "
          f"{kibana.redact(args.kibana_url)}")
    errors = result.get("errors") or []
    for err in errors:
        print(f"kibana-import: {err.get('type')} {err.get('id')}: {err.get('error')}",
              file=sys.stderr)
    return 0 if result.get("success", not errors) else 1


def run_kibana_export(args: Any) -> int:
    from govcrawl.es import kibana

    text = kibana.ndjson(args.prefix or "govcrawl")
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0
