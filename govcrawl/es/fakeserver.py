"""A small local stand-in for Elasticsearch, over real HTTP, for tests and benchmarks.

It implements what GovCrawl uses, with Elasticsearch's status codes and
error shapes: `GET /` (info, `X-Elastic-Product`), the compatibility media
types (`compatible-with=N` accepted for the server's major and the one
before, refused otherwise, as a real cluster does), index templates, data
streams (create-only), `_bulk` with per-item results (index / create /
update with `upsert`, `doc_as_upsert` or GovCrawl's finding script /
delete), `_analyze` (cjk bigrams), `_refresh`, `_count`, `GET _doc`, a
small `_search` (term / match_phrase / bool filter).

Faults on demand: whole-request errors (`fail_next`), per-document errors
(`item_hook`), dropped connections before or after the bulk is applied
(`drop_next`), and `stop()` / `start()` on the same port (data kept), which
also cuts every open keep-alive connection.

Run standalone: `python -m govcrawl.es.fakeserver --port 9200`.
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import json
import re
import socket
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from govcrawl.es.docs import FINDING_UPSERT_SCRIPT

ItemHook = Callable[[str, str, str, dict], "tuple[int, dict] | None"]

_COMPAT_RE = re.compile(r"compatible-with=(\d+)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _err(etype: str, reason: str, status: int) -> dict[str, Any]:
    return {"error": {"root_cause": [{"type": etype, "reason": reason}], "type": etype,
                      "reason": reason}, "status": status}


def _item_err(etype: str, reason: str) -> dict[str, Any]:
    return {"type": etype, "reason": reason}


def _finding_script(src: dict[str, Any], doc: dict[str, Any]) -> str:
    """Python twin of docs.FINDING_UPSERT_SCRIPT; returns 'updated' or 'noop'."""
    n = doc["govcrawl"]["finding"]
    o = (src.get("govcrawl") or {}).get("finding")
    if o is not None and o.get("last_seen") is not None and n["last_seen"] < o["last_seen"]:
        if o.get("first_seen") is None or n["first_seen"] < o["first_seen"]:
            o["first_seen"] = n["first_seen"]
            o["first_inspection"] = n.get("first_inspection")
            return "updated"
        return "noop"
    first, first_insp = n["first_seen"], n.get("first_inspection")
    if o is not None and o.get("first_seen") is not None and o["first_seen"] < first:
        first, first_insp = o["first_seen"], o.get("first_inspection")
    src.clear()
    src.update(copy.deepcopy(doc))
    src["govcrawl"]["finding"]["first_seen"] = first
    src["govcrawl"]["finding"]["first_inspection"] = first_insp
    return "updated"


def _merge(dst: dict[str, Any], patch: dict[str, Any]) -> None:
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            _merge(dst[k], v)
        else:
            dst[k] = copy.deepcopy(v)


def _get_path(doc: dict[str, Any], path: str) -> Any:
    cur: Any = doc
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return doc.get(path) if cur is doc else None
        cur = cur[part]
    return cur


class FakeElasticsearch:
    """State survives stop()/start(); everything is guarded by one lock."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, version: str = "8.17.0"):
        self.host = host
        self.port = port
        self.version = version
        self.lock = threading.RLock()
        self.templates: dict[str, dict[str, Any]] = {}
        self.indices: dict[str, dict[str, dict[str, Any]]] = {}
        self.data_streams: dict[str, str] = {}  # name -> backing index
        self.item_hook: ItemHook | None = None
        self.requests: list[tuple[str, str]] = []  # (method, path) log
        self.bulk_requests = 0
        self.bulk_actions = 0
        self.writes: dict[str, int] = {}  # doc id -> times written (for idempotence checks)
        self._fail: list[tuple[int, str]] = []  # queued whole-request failures (status, path prefix)
        self._drop: list[bool] = []  # queued drops for _bulk; True = after applying
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self.analyzers = {"cjk", "standard"}

    # -- lifecycle -----------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "FakeElasticsearch":
        fake = self

        class Handler(_Handler):
            es = fake

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Like killing the process: stop listening and cut open connections."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        with self.lock:
            for c in list(self._conns):
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._conns.clear()
        self._server = None

    def __enter__(self) -> "FakeElasticsearch":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- fault injection -----------------------------------------------------
    def fail_next(self, n: int = 1, status: int = 503, path: str = "/_bulk") -> None:
        with self.lock:
            self._fail.extend([(status, path)] * n)

    def drop_next(self, n: int = 1, after_apply: bool = False) -> None:
        with self.lock:
            self._drop.extend([after_apply] * n)

    # -- inspection helpers ----------------------------------------------------
    def docs(self, pattern: str) -> dict[str, dict[str, Any]]:
        with self.lock:
            out: dict[str, dict[str, Any]] = {}
            for idx in self._resolve(pattern):
                out.update(self.indices.get(idx, {}))
            return copy.deepcopy(out)

    # -- internals -------------------------------------------------------------
    def _resolve(self, expr: str) -> list[str]:
        names: list[str] = []
        for part in expr.split(","):
            if part in self.data_streams:
                names.append(self.data_streams[part])
            elif "*" in part:
                names += [i for i in self.indices if fnmatch.fnmatch(i, part)]
                names += [b for d, b in self.data_streams.items() if fnmatch.fnmatch(d, part)]
            elif part in self.indices:
                names.append(part)
        return sorted(set(names))

    def _template_for(self, index: str) -> dict[str, Any] | None:
        best, prio = None, -1
        for t in self.templates.values():
            if any(fnmatch.fnmatch(index, p) for p in t.get("index_patterns", [])):
                if int(t.get("priority", 0)) > prio:
                    best, prio = t, int(t.get("priority", 0))
        return best

    def _write_target(self, name: str, op: str, source: dict | None) -> tuple[str | None, dict | None]:
        """The concrete index for a write, or an item error."""
        if name in self.data_streams:
            if op != "create":
                return None, _item_err("illegal_argument_exception",
                                       f"only write ops with an op_type of create are allowed in "
                                       f"data streams")
            return self.data_streams[name], None
        if name not in self.indices:
            t = self._template_for(name)
            if t is not None and "data_stream" in t:
                if op != "create":
                    return None, _item_err("illegal_argument_exception",
                                           "only write ops with an op_type of create are allowed "
                                           "in data streams")
                day = datetime.now(timezone.utc).strftime("%Y.%m.%d")
                backing = f".ds-{name}-{day}-000001"
                self.data_streams[name] = backing
                self.indices[backing] = {}
                return backing, None
            self.indices[name] = {}
        return name, None

    def bulk(self, lines: list[bytes], default_index: str | None) -> dict[str, Any]:
        items: list[dict[str, Any]] = []
        i = 0
        with self.lock:
            self.bulk_requests += 1
            while i < len(lines):
                if not lines[i].strip():
                    i += 1
                    continue
                meta = json.loads(lines[i])
                op, m = next(iter(meta.items()))
                i += 1
                body: dict[str, Any] | None = None
                if op != "delete":
                    body = json.loads(lines[i]) if i < len(lines) else {}
                    i += 1
                self.bulk_actions += 1
                items.append({op: self._apply(op, m, body, default_index)})
        return {"took": 1, "errors": any("error" in next(iter(x.values())) for x in items),
                "items": items}

    def _apply(self, op: str, m: dict[str, Any], body: dict | None, default_index: str | None
               ) -> dict[str, Any]:
        name = m.get("_index") or default_index or ""
        doc_id = m.get("_id")
        res: dict[str, Any] = {"_index": name, "_id": doc_id}
        if self.item_hook is not None:
            hooked = self.item_hook(op, name, str(doc_id), body or {})
            if hooked is not None:
                status, error = hooked
                res.update(status=status, error=error)
                return res
        if op not in ("index", "create", "update", "delete"):
            res.update(status=400, error=_item_err("illegal_argument_exception",
                                                    f"unknown action [{op}]"))
            return res
        if op in ("index", "create") and doc_id is None:
            doc_id = f"auto{self.bulk_actions}"
            res["_id"] = doc_id
        if op == "create" and name in self.data_streams or (
                op == "create" and name not in self.indices and
                (self._template_for(name) or {}).get("data_stream") is not None):
            if not isinstance(body, dict) or "@timestamp" not in body:
                res.update(status=400, error=_item_err(
                    "document_parsing_exception", "data stream timestamp field [@timestamp] is missing"))
                return res
        target, error = self._write_target(name, op, body)
        if error is not None:
            res.update(status=400, error=error)
            return res
        assert target is not None
        res["_index"] = target
        docs = self.indices[target]
        if op == "delete":
            found = docs.pop(str(doc_id), None) is not None
            res.update(status=200 if found else 404, result="deleted" if found else "not_found")
            return res
        doc_id = str(doc_id)
        if op == "create":
            if doc_id in docs:
                res.update(status=409, error=_item_err(
                    "version_conflict_engine_exception",
                    f"[{doc_id}]: version conflict, document already exists"))
                return res
            docs[doc_id] = copy.deepcopy(body)
            res.update(status=201, result="created")
        elif op == "index":
            created = doc_id not in docs
            docs[doc_id] = copy.deepcopy(body)
            res.update(status=201 if created else 200, result="created" if created else "updated")
        else:  # update
            assert body is not None
            if doc_id not in docs and body.get("scripted_upsert") and "script" in body:
                script = body["script"]
                if script.get("source") != FINDING_UPSERT_SCRIPT:
                    res.update(status=400, error=_item_err(
                        "illegal_argument_exception", "the fake server runs GovCrawl's script only"))
                    return res
                src = copy.deepcopy(body.get("upsert") or {})
                _finding_script(src, script.get("params", {}).get("doc", {}))
                docs[doc_id] = src
                res.update(status=201, result="created")
            elif doc_id not in docs:
                if "upsert" in body:
                    docs[doc_id] = copy.deepcopy(body["upsert"])
                elif body.get("doc_as_upsert") and "doc" in body:
                    docs[doc_id] = copy.deepcopy(body["doc"])
                else:
                    res.update(status=404, error=_item_err(
                        "document_missing_exception", f"[{doc_id}]: document missing"))
                    return res
                res.update(status=201, result="created")
            elif "script" in body:
                script = body["script"]
                if script.get("source") != FINDING_UPSERT_SCRIPT:
                    res.update(status=400, error=_item_err(
                        "illegal_argument_exception", "the fake server runs GovCrawl's script only"))
                    return res
                result = _finding_script(docs[doc_id], script.get("params", {}).get("doc", {}))
                res.update(status=200, result=result)
            elif "doc" in body:
                _merge(docs[doc_id], body["doc"])
                res.update(status=200, result="updated")
            else:
                res.update(status=400, error=_item_err("action_request_validation_exception",
                                                        "script or doc is missing"))
                return res
        self.writes[doc_id] = self.writes.get(doc_id, 0) + 1
        return res

    def count(self, expr: str, query: dict[str, Any] | None) -> int:
        n = 0
        for idx in self._resolve(expr):
            for d in self.indices.get(idx, {}).values():
                if _matches(d, query):
                    n += 1
        return n


def _matches(doc: dict[str, Any], query: dict[str, Any] | None) -> bool:
    if not query or "match_all" in query:
        return True
    if "term" in query:
        (field, val), = query["term"].items()
        if isinstance(val, dict):
            val = val.get("value")
        got = _get_path(doc, field)
        return val in got if isinstance(got, list) else got == val
    if "match_phrase" in query:
        (field, val), = query["match_phrase"].items()
        if isinstance(val, dict):
            val = val.get("query")
        # an analysed `.text` sub-field: a phrase is a substring of the keyword value
        got = _get_path(doc, field.removesuffix(".text"))
        return isinstance(got, str) and str(val) in got
    if "bool" in query:
        return all(_matches(doc, q) for q in query["bool"].get("filter", [])
                   + query["bool"].get("must", []))
    raise ValueError(f"the fake server does not support query {list(query)}")


def _bigrams(text: str) -> list[str]:
    toks: list[str] = []
    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+", text):
        if _CJK.match(run):
            toks += [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]
        else:
            toks.append(run.lower())
    return toks


class _Handler(BaseHTTPRequestHandler):
    es: FakeElasticsearch
    protocol_version = "HTTP/1.1"
    server_version = "FakeElasticsearch"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        with self.es.lock:
            self.es._conns.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.es.lock:
                self.es._conns.discard(self.connection)

    # -- plumbing --------------------------------------------------------------
    def _send(self, status: int, body: Any, *, ndjson: bool = False) -> None:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _compat_ok(self) -> str | None:
        major = int(self.es.version.split(".")[0])
        wanted = set()
        for h in ("Accept", "Content-Type"):
            m = _COMPAT_RE.search(self.headers.get(h, ""))
            if m:
                wanted.add(int(m.group(1)))
        for v in wanted:
            if v not in (major, major - 1):
                return (f"Accept version must be either version {major} or {major - 1}, "
                        f"but found {v}. Accept={self.headers.get('Accept')}")
        return None

    def _handle(self) -> None:
        es = self.es
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = parse_qs(parts.query)
        body = self._body()
        with es.lock:
            es.requests.append((self.command, path))
            fail = None
            if es._fail and path.endswith(es._fail[0][1]):
                fail = es._fail.pop(0)
            drop = None
            if path.endswith("/_bulk") and es._drop and fail is None:
                drop = es._drop.pop(0)
        if fail is not None:
            status = fail[0]
            etype = "es_rejected_execution_exception" if status == 429 else "unavailable"
            self._send(status, _err(etype, "injected failure", status))
            return
        if drop is False:
            self._drop()
            return
        problem = self._compat_ok()
        if problem:
            self._send(400, _err("media_type_header_exception", problem, 400))
            return
        segs = [s for s in path.split("/") if s]
        m = self.command
        try:
            self._route(m, segs, body, query, drop)
        except json.JSONDecodeError as e:
            self._send(400, _err("x_content_parse_exception", str(e), 400))

    def _route(self, m: str, segs: list[str], body: bytes, query: dict, drop: bool | None) -> None:
        es = self.es
        if not segs:
            if m in ("GET", "HEAD"):
                self._send(200, {"name": "fake-node", "cluster_name": "govcrawl-fake",
                                 "cluster_uuid": "fake", "version": {
                                     "number": es.version, "build_flavor": "default",
                                     "lucene_version": "9.12.0",
                                     "minimum_wire_compatibility_version": "7.17.0"},
                                 "tagline": "You Know, for Search"})
                return
        elif segs[-1] == "_bulk" and m in ("POST", "PUT"):
            default_index = segs[0] if len(segs) == 2 else None
            resp = es.bulk(body.splitlines(), default_index)
            if drop:  # applied, but the answer is lost
                self._drop()
                return
            self._send(200, resp)
            return
        elif segs[0] == "_index_template":
            name = segs[1] if len(segs) > 1 else None
            with es.lock:
                if m == "PUT" and name:
                    tpl = json.loads(body)
                    if not tpl.get("index_patterns"):
                        self._send(400, _err("action_request_validation_exception",
                                             "index patterns are missing", 400))
                        return
                    es.templates[name] = tpl
                    self._send(200, {"acknowledged": True})
                    return
                if m == "GET":
                    names = [n for n in es.templates if name is None or fnmatch.fnmatch(n, name)]
                    if name and not names:
                        self._send(404, _err("resource_not_found_exception",
                                             f"index template matching [{name}] not found", 404))
                        return
                    self._send(200, {"index_templates": [
                        {"name": n, "index_template": es.templates[n]} for n in names]})
                    return
                if m == "DELETE" and name:
                    found = es.templates.pop(name, None) is not None
                    self._send(200 if found else 404, {"acknowledged": True} if found else
                               _err("resource_not_found_exception", name, 404))
                    return
        elif segs[-1] == "_analyze":
            req = json.loads(body or b"{}")
            analyzer = req.get("analyzer", "standard")
            if analyzer not in es.analyzers:
                self._send(400, _err("illegal_argument_exception",
                                     f"failed to find global analyzer [{analyzer}]", 400))
                return
            toks = _bigrams(str(req.get("text", "")))
            self._send(200, {"tokens": [{"token": t, "position": i} for i, t in enumerate(toks)]})
            return
        elif len(segs) == 2 and segs[0] == "_data_stream" and m == "DELETE":
            with es.lock:
                backing = es.data_streams.pop(segs[1], None)
                if backing is None:
                    self._send(404, _err("index_not_found_exception",
                                         f"no such index [{segs[1]}]", 404))
                    return
                es.indices.pop(backing, None)
            self._send(200, {"acknowledged": True})
            return
        elif len(segs) == 2 and segs[1] == "_search" and m in ("GET", "POST"):
            req = json.loads(body) if body else {}
            with es.lock:
                hits = [{"_index": idx, "_id": i, "_source": d}
                        for idx in es._resolve(segs[0])
                        for i, d in es.indices.get(idx, {}).items()
                        if _matches(d, req.get("query"))]
            size = int(req.get("size", 10))
            self._send(200, {"took": 1, "timed_out": False, "hits": {
                "total": {"value": len(hits), "relation": "eq"}, "hits": hits[:size]}})
            return
        elif len(segs) == 2 and segs[1] in ("_refresh", "_count"):
            with es.lock:
                targets = es._resolve(segs[0])
                if not targets and "*" not in segs[0]:
                    self._send(404, _err("index_not_found_exception",
                                         f"no such index [{segs[0]}]", 404))
                    return
                if segs[1] == "_refresh":
                    self._send(200, {"_shards": {"total": 1, "successful": 1, "failed": 0}})
                    return
                q = json.loads(body).get("query") if body else None
                self._send(200, {"count": es.count(segs[0], q),
                                 "_shards": {"total": 1, "successful": 1, "failed": 0}})
                return
        elif len(segs) == 3 and segs[1] == "_doc" and m == "GET":
            with es.lock:
                for idx in es._resolve(segs[0]):
                    d = es.indices.get(idx, {}).get(segs[2])
                    if d is not None:
                        self._send(200, {"_index": idx, "_id": segs[2], "found": True,
                                         "_source": d})
                        return
            self._send(404, {"_index": segs[0], "_id": segs[2], "found": False})
            return
        elif len(segs) == 1 and m == "DELETE":
            with es.lock:
                targets = es._resolve(segs[0])
                for t in targets:
                    es.indices.pop(t, None)
                for d in [d for d, b in es.data_streams.items() if b in targets]:
                    es.data_streams.pop(d)
            self._send(200, {"acknowledged": True})
            return
        self._send(400, _err("illegal_argument_exception",
                             f"the fake server has no route for {m} /{'/'.join(segs)}", 400))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="local fake Elasticsearch (tests, benchmarks, demos)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9200)
    ap.add_argument("--version", default="8.17.0", help="version number GET / reports")
    args = ap.parse_args(argv)
    fake = FakeElasticsearch(args.host, args.port, args.version).start()
    print(f"fake Elasticsearch {args.version} on {fake.url} (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
