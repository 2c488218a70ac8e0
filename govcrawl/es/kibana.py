"""Kibana saved objects for GovCrawl, and their import through Kibana's API.

The objects are built here (so the index prefix can change) and written to
`kibana/govcrawl.ndjson` by `govcrawl kibana-export`; a test keeps the file and
this module in step.  They use the 7.x saved-object layouts (aggregation-based
visualizations of 7.10, a dashboard of 7.16 with typed panels) with
`migrationVersion` set, so Kibana 7.16+, 8.x and 9.x migrate them on import.

- data views: findings, verdicts, pages
- saved searches: severe wording (严重表述错误), illegal content (违法违规内容 / 暗链),
  stale and blank columns (栏目不更新 / 空白栏目)
- visualizations: pass rate per region (bar and table; sites), pass rate per platform
  (政务新媒体 accounts), top flagged terms, findings per rule
- a dashboard with all of the above
"""

from __future__ import annotations

import base64
import json
import ssl
import uuid
from typing import Any
from urllib import error, request
from urllib.parse import quote

from govcrawl.es.config import redact_url

SEVERE_RULES = ("content.leader_name", "content.leader_title", "content.phrase")
ILLEGAL_RULES = ("content.illegal", "content.hidden_link", "link.unsafe")
STALE_RULES = ("column.stale_news", "column.stale_notice", "column.stale_other", "column.blank",
               "site.homepage_not_updated")

_IDX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


class KibanaError(RuntimeError):
    pass


def _kql_any(field: str, values: tuple[str, ...]) -> str:
    return f"{field} : (" + " or ".join(f'"{v}"' for v in values) + ")"


def _dv_id(prefix: str, what: str) -> str:
    return f"{prefix}-{what}"


def _data_view(prefix: str, what: str, name: str, formats: dict | None = None) -> dict[str, Any]:
    attrs: dict[str, Any] = {"title": f"{prefix}-{what}*", "timeFieldName": "@timestamp",
                             "name": name}
    if formats:
        attrs["fieldFormatMap"] = json.dumps(formats, ensure_ascii=False)
    return {"type": "index-pattern", "id": _dv_id(prefix, what), "attributes": attrs,
            "references": [], "migrationVersion": {"index-pattern": "7.11.0"}}


def _search_source(query: str) -> str:
    return json.dumps({"query": {"query": query, "language": "kuery"}, "filter": [],
                       "indexRefName": _IDX_REF}, ensure_ascii=False)


def _search(prefix: str, sid: str, title: str, description: str, query: str,
            columns: list[str]) -> dict[str, Any]:
    return {
        "type": "search", "id": f"{prefix}-{sid}",
        "attributes": {"title": title, "description": description, "columns": columns,
                       "sort": [["@timestamp", "desc"]],
                       "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source(query)}},
        "references": [{"name": _IDX_REF, "type": "index-pattern",
                        "id": _dv_id(prefix, "findings")}],
        "migrationVersion": {"search": "7.9.3"},
    }


def _vis(prefix: str, vid: str, title: str, vis_type: str, params: dict, aggs: list[dict],
         dv: str, query: str = "") -> dict[str, Any]:
    state = {"title": title, "type": vis_type, "params": params, "aggs": aggs}
    return {
        "type": "visualization", "id": f"{prefix}-{vid}",
        "attributes": {"title": title, "description": "", "version": 1, "uiStateJSON": "{}",
                       "visState": json.dumps(state, ensure_ascii=False),
                       "kibanaSavedObjectMeta": {"searchSourceJSON": _search_source(query)}},
        "references": [{"name": _IDX_REF, "type": "index-pattern", "id": _dv_id(prefix, dv)}],
        "migrationVersion": {"visualization": "7.10.0"},
    }


def _agg(aid: str, atype: str, schema: str, **params: Any) -> dict[str, Any]:
    return {"id": aid, "enabled": True, "type": atype, "schema": schema, "params": params}


_TABLE = {"perPage": 20, "showPartialRows": False, "showMetricsAtAllLevels": False,
          "showTotal": False, "totalFunc": "sum", "percentageCol": ""}


def _hbar_params(axis_title: str, max_value: float | None) -> dict[str, Any]:
    scale: dict[str, Any] = {"type": "linear", "mode": "normal"}
    if max_value is not None:
        scale.update(setYExtents=True, min=0, max=max_value, defaultYExtents=False)
    return {
        "type": "histogram", "grid": {"categoryLines": False},
        "categoryAxes": [{"id": "CategoryAxis-1", "type": "category", "position": "left",
                          "show": True, "style": {}, "scale": {"type": "linear"},
                          "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 200},
                          "title": {}}],
        "valueAxes": [{"id": "ValueAxis-1", "name": "BottomAxis-1", "type": "value",
                       "position": "bottom", "show": True, "style": {}, "scale": scale,
                       "labels": {"show": True, "rotate": 0, "filter": True, "truncate": 100},
                       "title": {"text": axis_title}}],
        "seriesParams": [{"show": True, "type": "histogram", "mode": "normal",
                          "data": {"label": axis_title, "id": "1"}, "valueAxis": "ValueAxis-1",
                          "drawLinesBetweenPoints": True, "lineWidth": 2, "showCircles": True}],
        "addTooltip": True, "addLegend": False, "legendPosition": "right", "times": [],
        "addTimeMarker": False, "labels": {"show": True},
        "thresholdLine": {"show": False, "value": 10, "width": 1, "style": "full",
                          "color": "#E7664C"},
    }


def saved_objects(prefix: str = "govcrawl") -> list[dict[str, Any]]:
    """Every object, dependencies first (Kibana resolves references inside one import)."""
    finding_cols = ["govcrawl.site.name", "govcrawl.site.region", "rule.id",
                    "govcrawl.finding.text", "govcrawl.finding.suggestion", "url.full"]
    objs: list[dict[str, Any]] = [
        _data_view(prefix, "findings", "GovCrawl findings 检查发现"),
        _data_view(prefix, "verdicts", "GovCrawl verdicts 检查结论",
                   {"govcrawl.verdict.pass": {"id": "percent"}}),
        _data_view(prefix, "pages", "GovCrawl pages 已抓取页面"),
        _search(prefix, "severe-wording", "严重表述错误 Severe wording",
                "Leader names, leader titles and fixed political formulations written wrong "
                "(veto).", _kql_any("rule.id", SEVERE_RULES), finding_cols),
        _search(prefix, "illegal-content", "违法违规内容与暗链 Illegal content",
                "Porn, gambling, violent or reactionary content, hidden links and links to "
                "unsafe sites (veto).", _kql_any("rule.id", ILLEGAL_RULES),
                ["govcrawl.site.name", "govcrawl.site.region", "rule.id",
                 "govcrawl.finding.text", "govcrawl.finding.target", "url.full"]),
        _search(prefix, "stale-columns", "栏目不更新与空白栏目 Stale columns",
                "Columns not updated within their period, blank columns, homepage not updated.",
                _kql_any("rule.id", STALE_RULES),
                ["govcrawl.site.name", "govcrawl.site.region", "rule.id",
                 "govcrawl.finding.column", "url.full"]),
        _vis(prefix, "region-pass-rate", "各地区合格率 Pass rate per region", "horizontal_bar",
             _hbar_params("合格率", 1),
             [_agg("1", "avg", "metric", field="govcrawl.verdict.pass", customLabel="合格率"),
              _agg("2", "terms", "segment", field="govcrawl.site.region", size=100,
                   order="asc", orderBy="1", otherBucket=False, missingBucket=True,
                   missingBucketLabel="(未填地区)", customLabel="地区")],
             "verdicts", query='govcrawl.verdict.subject : "site"'),
        _vis(prefix, "region-table", "各地区检查结果 Results per region", "table", _TABLE,
             [_agg("1", "cardinality", "metric", field="govcrawl.site.id", customLabel="检查网站数"),
              _agg("2", "sum", "metric", field="govcrawl.verdict.pass", customLabel="合格数"),
              _agg("3", "avg", "metric", field="govcrawl.verdict.pass", customLabel="合格率"),
              _agg("4", "terms", "bucket", field="govcrawl.site.region", size=100, order="desc",
                   orderBy="3", otherBucket=False, missingBucket=True,
                   missingBucketLabel="(未填地区)", customLabel="地区")],
             "verdicts", query='govcrawl.verdict.subject : "site"'),
        _vis(prefix, "platform-table", "政务新媒体各平台合格率 Accounts per platform", "table",
             _TABLE,
             [_agg("1", "cardinality", "metric", field="govcrawl.site.id", customLabel="检查账号数"),
              _agg("2", "sum", "metric", field="govcrawl.verdict.pass", customLabel="合格数"),
              _agg("3", "avg", "metric", field="govcrawl.verdict.pass", customLabel="合格率"),
              _agg("4", "terms", "bucket", field="govcrawl.site.platform", size=20,
                   order="desc", orderBy="3", otherBucket=False, missingBucket=True,
                   missingBucketLabel="(未填平台)", customLabel="平台")],
             "verdicts", query='govcrawl.verdict.subject : "account"'),
        _vis(prefix, "top-terms", "高频问题表述 Top flagged terms", "table", _TABLE,
             [_agg("1", "count", "metric", customLabel="次数"),
              _agg("2", "cardinality", "metric", field="govcrawl.site.id", customLabel="涉及网站数"),
              _agg("3", "terms", "bucket", field="govcrawl.finding.text", size=30, order="desc",
                   orderBy="1", otherBucket=False, missingBucket=False, customLabel="问题表述"),
              _agg("4", "terms", "bucket", field="rule.id", size=3, order="desc", orderBy="1",
                   otherBucket=False, missingBucket=False, customLabel="规则")],
             "findings", query='rule.ruleset : "content" and govcrawl.finding.text : *'),
        _vis(prefix, "findings-by-rule", "各类问题数量 Findings per rule", "horizontal_bar",
             _hbar_params("问题数", None),
             [_agg("1", "count", "metric", customLabel="问题数"),
              _agg("2", "terms", "segment", field="rule.id", size=40, order="desc", orderBy="1",
                   otherBucket=False, missingBucket=False, customLabel="规则")],
             "findings"),
    ]
    panels = [("region-pass-rate", "visualization", 0, 0, 24, 15),
              ("region-table", "visualization", 24, 0, 24, 15),
              ("top-terms", "visualization", 0, 15, 24, 18),
              ("findings-by-rule", "visualization", 24, 15, 24, 18),
              ("platform-table", "visualization", 0, 33, 24, 12),
              ("severe-wording", "search", 0, 45, 48, 15),
              ("illegal-content", "search", 0, 60, 48, 15),
              ("stale-columns", "search", 0, 75, 48, 15)]
    panel_json = []
    refs = []
    for oid, otype, x, y, w, h in panels:
        # 7.16 layout: every panel says its type (older layouts without it break the
        # 7.11 migration) and its reference is named "<panelIndex>:panel_<panelIndex>".
        idx = f"{prefix}-{oid}"
        panel_json.append({"version": "7.16.0", "type": otype, "panelIndex": idx,
                           "gridData": {"x": x, "y": y, "w": w, "h": h, "i": idx},
                           "embeddableConfig": {"enhancements": {}},
                           "panelRefName": f"panel_{idx}"})
        refs.append({"name": f"{idx}:panel_{idx}", "type": otype, "id": f"{prefix}-{oid}"})
    objs.append({
        "type": "dashboard", "id": f"{prefix}-overview",
        "attributes": {
            "title": "GovCrawl 检查概览 Inspection overview",
            "description": "Per-region pass rates, top flagged terms, severe wording, illegal "
                           "content and stale columns.",
            "panelsJSON": json.dumps(panel_json, ensure_ascii=False),
            "optionsJSON": json.dumps({"useMargins": True, "hidePanelTitles": False}),
            "timeRestore": True, "timeFrom": "now-90d", "timeTo": "now",
            "refreshInterval": {"pause": True, "value": 0},
            "version": 1,
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(
                {"query": {"query": "", "language": "kuery"}, "filter": []})},
        },
        "references": refs,
        "migrationVersion": {"dashboard": "7.16.0"},
        "coreMigrationVersion": "7.16.0",
    })
    return objs


def ndjson(prefix: str = "govcrawl") -> str:
    return "".join(json.dumps(o, ensure_ascii=False, sort_keys=True) + "\n"
                   for o in saved_objects(prefix))


def redact(url: str) -> str:
    return redact_url(url)


def import_objects(kibana_url: str, data: bytes, *, space: str | None = None,
                   overwrite: bool = True, api_key: str | None = None,
                   username: str | None = None, password: str | None = None,
                   ca_certs: str | None = None, timeout: float = 60.0) -> dict[str, Any]:
    """POST the NDJSON to /api/saved_objects/_import (multipart, `kbn-xsrf` set)."""
    base = kibana_url.rstrip("/")
    path = (f"/s/{quote(space, safe='')}" if space else "") + "/api/saved_objects/_import"
    url = base + path + ("?overwrite=true" if overwrite else "")
    boundary = f"govcrawl-{uuid.uuid4().hex}"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"govcrawl.ndjson\"\r\nContent-Type: application/ndjson\r\n\r\n"
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    headers = {"kbn-xsrf": "true", "Content-Type": f"multipart/form-data; boundary={boundary}"}
    if api_key:
        headers["Authorization"] = f"ApiKey {api_key}"
    elif username:
        token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    req = request.Request(url, data=body, headers=headers, method="POST")
    ctx = ssl.create_default_context(cafile=ca_certs) if url.startswith("https") else None
    try:
        with request.urlopen(req, timeout=timeout, context=ctx) as resp:
            return json.loads(resp.read() or b"{}")
    except error.HTTPError as e:
        detail = e.read()[:300].decode("utf-8", "replace")
        raise KibanaError(f"{redact(base)}{path}: HTTP {e.code}: {detail}") from None
    except (error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise KibanaError(f"{redact(base)}: cannot reach Kibana ({reason})") from None
