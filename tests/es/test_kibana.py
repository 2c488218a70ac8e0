"""Kibana saved objects: the committed NDJSON matches the builder, references resolve,
every field used exists in the index templates; `kibana-import` over real HTTP."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from govcrawl.cli import main
from govcrawl.es import kibana, templates

REPO = Path(__file__).resolve().parents[2]
NDJSON = REPO / "kibana" / "govcrawl.ndjson"

AGG_TYPES = {"keyword", "long", "integer", "float", "date", "boolean"}


def _props(prefix: str) -> dict[str, dict[str, str]]:
    """data view id -> {field path: type} from the templates."""
    out = {}
    for what, tpl in (("findings", templates.findings_template(prefix, "cjk")),
                      ("verdicts", templates.verdicts_template(prefix, "cjk")),
                      ("pages", templates.pages_template(prefix, "cjk"))):
        types: dict[str, str] = {}

        def walk(props, base=""):
            for name, spec in props.items():
                path = base + name
                if "properties" in spec:
                    walk(spec["properties"], path + ".")
                    continue
                types[path] = spec["type"]
                for sub, sspec in spec.get("fields", {}).items():
                    types[f"{path}.{sub}"] = sspec["type"]

        walk(tpl["template"]["mappings"]["properties"])
        out[f"{prefix}-{what}"] = types
    return out


def test_committed_file_is_what_the_builder_makes():
    assert NDJSON.read_text("utf-8") == kibana.ndjson("govcrawl"), \
        "kibana/govcrawl.ndjson is stale: run `govcrawl kibana-export --out kibana/govcrawl.ndjson`"


@pytest.mark.parametrize("prefix", ["govcrawl", "shaanxi"])
def test_references_and_fields(prefix):
    objs = [json.loads(line) for line in kibana.ndjson(prefix).splitlines()]
    by_id = {(o["type"], o["id"]) for o in objs}
    assert len(by_id) == len(objs)
    assert {o["type"] for o in objs} == {"index-pattern", "search", "visualization", "dashboard"}
    fields = _props(prefix)
    for o in objs:
        for ref in o["references"]:
            assert (ref["type"], ref["id"]) in by_id, f"{o['id']}: dangling {ref}"
        attrs = o["attributes"]
        if o["type"] == "index-pattern":
            assert attrs["title"].startswith(prefix + "-") and attrs["timeFieldName"] == "@timestamp"
            for f in json.loads(attrs.get("fieldFormatMap", "{}")):
                assert f in fields[o["id"]]
            continue
        meta = attrs["kibanaSavedObjectMeta"]["searchSourceJSON"]
        src = json.loads(meta)
        if o["type"] == "dashboard":
            panels = json.loads(attrs["panelsJSON"])
            assert {f'{p["panelIndex"]}:{p["panelRefName"]}' for p in panels} == {
                r["name"] for r in o["references"]}
            refs = {r["name"]: r for r in o["references"]}
            for p in panels:  # each panel says its type, and it matches the reference
                assert p["type"] == refs[f'{p["panelIndex"]}:{p["panelRefName"]}']["type"]
            assert len(panels) == 8
            continue
        (dv,) = [r["id"] for r in o["references"] if r["type"] == "index-pattern"]
        known = fields[dv]
        for name in re.findall(r"([\w.@]+) :", src["query"]["query"]):
            assert name in known, f"{o['id']}: query field {name} not in {dv}"
        if o["type"] == "search":
            for c in attrs["columns"]:
                assert c in known, f"{o['id']}: column {c}"
        else:
            state = json.loads(attrs["visState"])
            for agg in state["aggs"]:
                f = agg["params"].get("field")
                if f:
                    assert known.get(f) in AGG_TYPES, f"{o['id']}: {f} is not aggregatable"


def test_saved_searches_cover_the_three_topics():
    titles = {o["attributes"]["title"] for o in kibana.saved_objects() if o["type"] == "search"}
    assert any("严重表述错误" in t for t in titles)
    assert any("违法违规" in t for t in titles)
    assert any("栏目不更新" in t for t in titles)


class _Kibana(BaseHTTPRequestHandler):
    calls: list[dict] = []

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Kibana.calls.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.headers.get("kbn-xsrf") is None:
            data, status = {"statusCode": 400, "message": "Request must contain a kbn-xsrf header."}, 400
        else:
            n = sum(1 for line in body.replace(b"\r\n", b"\n").split(b"\n") if line.startswith(b'{"attributes"'))
            data, status = {"success": True, "successCount": n, "successResults": []}, 200
        out = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


@pytest.fixture
def fake_kibana():
    _Kibana.calls = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Kibana)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_kibana_import(fake_kibana, monkeypatch, capsys):
    monkeypatch.setenv("KIBANA_API_KEY", "k1b4n4-secret")
    assert main(["kibana-import", "--kibana-url", fake_kibana, "--space", "ops"]) == 0
    out = capsys.readouterr().out
    assert f"{len(kibana.saved_objects())} objects imported" in out
    assert "k1b4n4-secret" not in out
    call = _Kibana.calls[-1]
    assert call["path"] == "/s/ops/api/saved_objects/_import?overwrite=true"
    assert call["headers"]["Authorization"] == "ApiKey k1b4n4-secret"
    assert call["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'filename="govcrawl.ndjson"' in call["body"]


def test_kibana_import_unreachable_is_one_line(capsys):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Kibana)
    port = srv.server_address[1]
    srv.server_close()
    assert main(["kibana-import", "--kibana-url", f"http://127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("govcrawl kibana-import:") and "\n" not in err
