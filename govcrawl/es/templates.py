"""Index templates installed by `govcrawl es-setup`.

Flagged wording (`govcrawl.finding.text`) is a `keyword` for exact search and
aggregation (top flagged terms) with a `.text` sub-field analysed for Chinese:
the built-in `cjk` bigram analyzer by default, or IK (`ik_max_word`, searched
with `ik_smart`) / `smartcn` when the cluster has the plugin.
"""

from __future__ import annotations

from typing import Any

from govcrawl.es.config import ANALYZERS

TEMPLATE_VERSION = 1


def _analyzed(analyzer: str) -> dict[str, Any]:
    if analyzer not in ANALYZERS:
        raise ValueError(f"unknown analyzer {analyzer!r}")
    d: dict[str, Any] = {"type": "text", "analyzer": analyzer}
    if analyzer == "ik_max_word":
        d["search_analyzer"] = "ik_smart"
    return d


def _kw_text(analyzer: str, ignore_above: int = 1024) -> dict[str, Any]:
    return {"type": "keyword", "ignore_above": ignore_above,
            "fields": {"text": _analyzed(analyzer)}}


KW = {"type": "keyword", "ignore_above": 1024}


def _common(analyzer: str) -> dict[str, Any]:
    """Fields every GovCrawl document shares."""
    return {
        "@timestamp": {"type": "date"},
        "message": _analyzed(analyzer),
        "event": {"properties": {"kind": KW, "dataset": KW, "severity": {"type": "long"}}},
        "url": {"properties": {"full": _kw_text(analyzer, 4096), "domain": KW, "path": KW,
                               "port": {"type": "long"}, "scheme": KW}},
        "govcrawl": {"properties": {
            "inspection": {"properties": {"id": {"type": "long"}, "as_of": {"type": "date"},
                                          "period": KW}},
            "site": {"properties": {"id": KW, "name": _kw_text(analyzer), "region": KW,
                                    "org": KW, "kind": KW, "url": KW,
                                    "platform": KW}},
        }},
    }


def _page_props(analyzer: str) -> dict[str, Any]:
    return {"properties": {
        "type": KW, "title": _kw_text(analyzer), "column": _kw_text(analyzer), "column_url": KW,
        "pub_date": {"type": "date", "ignore_malformed": True}, "pub_date_raw": KW,
        "final_url": KW, "error": KW, "elapsed": {"type": "float"}, "depth": {"type": "long"},
        "rendered": {"type": "boolean"}, "unchanged": {"type": "boolean"},
        "findings": {"type": "long"},
    }}


def _settings() -> dict[str, Any]:
    # One shard is plenty for findings of a few thousand sites; replicas expand
    # to 1 when the cluster has a second node (a single node stays green).
    return {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1"}}


def _dynamic() -> list[dict[str, Any]]:
    return [{"strings_as_keywords": {"match_mapping_type": "string",
                                     "mapping": {"type": "keyword", "ignore_above": 1024}}}]


def findings_template(prefix: str, analyzer: str) -> dict[str, Any]:
    props = _common(analyzer)
    props["rule"] = {"properties": {"id": KW, "category": KW, "ruleset": KW}}
    gc = props["govcrawl"]["properties"]
    gc["finding"] = {"properties": {
        "key": KW, "severity": KW, "column": _kw_text(analyzer), "target": _kw_text(analyzer, 4096),
        "text": _kw_text(analyzer), "suggestion": KW, "where": KW,
        "start": {"type": "long"}, "end": {"type": "long"}, "count": {"type": "long"},
        "evidence": {"type": "flattened", "ignore_above": 1024},
        "first_seen": {"type": "date"}, "last_seen": {"type": "date"},
        "first_inspection": {"type": "long"},
    }}
    gc["page"] = _page_props(analyzer)
    return {
        "index_patterns": [f"{prefix}-findings*"],
        "priority": 200,
        "version": TEMPLATE_VERSION,
        "_meta": {"managed_by": "govcrawl", "analyzer": analyzer},
        "template": {"settings": _settings(),
                     "mappings": {"dynamic_templates": _dynamic(), "properties": props}},
    }


def pages_template(prefix: str, analyzer: str) -> dict[str, Any]:
    props = _common(analyzer)
    props["http"] = {"properties": {"response": {"properties": {
        "status_code": {"type": "long"}, "mime_type": KW, "bytes": {"type": "long"}}}}}
    props["govcrawl"]["properties"]["page"] = _page_props(analyzer)
    return {
        "index_patterns": [f"{prefix}-pages*"],
        "data_stream": {},
        "priority": 200,
        "version": TEMPLATE_VERSION,
        "_meta": {"managed_by": "govcrawl", "analyzer": analyzer},
        "template": {"settings": _settings(),
                     "mappings": {"dynamic_templates": _dynamic(), "properties": props}},
    }


def verdicts_template(prefix: str, analyzer: str) -> dict[str, Any]:
    props = _common(analyzer)
    props["govcrawl"]["properties"]["verdict"] = {"properties": {
        "subject": KW, "result": KW, "pass": {"type": "integer"}, "score": {"type": "float"},
        "vetoes": KW, "problems": KW}}
    return {
        "index_patterns": [f"{prefix}-verdicts*"],
        "priority": 200,
        "version": TEMPLATE_VERSION,
        "_meta": {"managed_by": "govcrawl", "analyzer": analyzer},
        "template": {"settings": _settings(),
                     "mappings": {"dynamic_templates": _dynamic(), "properties": props}},
    }


def all_templates(prefix: str, analyzer: str) -> dict[str, dict[str, Any]]:
    return {
        f"{prefix}-findings": findings_template(prefix, analyzer),
        f"{prefix}-pages": pages_template(prefix, analyzer),
        f"{prefix}-verdicts": verdicts_template(prefix, analyzer),
    }


def install(client: Any, prefix: str, analyzer: str = "cjk") -> tuple[str, list[str]]:
    """Install the templates; `analyzer='auto'` picks IK, then smartcn, then cjk.
    Returns the analyzer used and the template names."""
    if analyzer == "auto":
        analyzer = next((a for a in ("ik_max_word", "smartcn") if client.analyzer_available(a)),
                        "cjk")
    elif analyzer != "cjk" and not client.analyzer_available(analyzer):
        from govcrawl.es.client import EsRequestError

        plugin = "analysis-ik" if analyzer.startswith("ik") else "analysis-smartcn"
        raise EsRequestError(f"the cluster has no analyzer {analyzer!r}: install the {plugin} "
                             "plugin or set ELASTICSEARCH_ANALYZER=cjk")
    names = []
    for name, body in all_templates(prefix, analyzer).items():
        client.put_index_template(name, body)
        names.append(name)
    return analyzer, names
