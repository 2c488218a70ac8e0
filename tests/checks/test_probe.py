"""`scrapy crawl probe` against local servers: ok, HTTP error, too slow, refused."""

import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from govcrawl.store import Store

ROOT = Path(__file__).resolve().parents[2]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(3)
        code = 500 if self.path.startswith("/broken") else 200
        body = "<html><head><title>首页</title></head><body>示范</body></html>".encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *a):
        pass


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_probe_records_each_homepage(tmp_path, backend, request):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    dead = f"http://127.0.0.1:{closed_port()}/"
    reg = {"sites": [
        {"id": "9901000001", "name": "正常站", "url": f"{base}/ok/"},
        {"id": "9901000002", "name": "出错站", "url": f"{base}/broken/"},
        {"id": "9901000003", "name": "缓慢站", "url": f"{base}/slow/"},
        {"id": "9901000004", "name": "关闭站", "url": dead},
    ]}
    rpath = tmp_path / "reg.yaml"
    rpath.write_text(yaml.safe_dump(reg, allow_unicode=True), encoding="utf-8")
    spath = tmp_path / "s.sqlite" if backend == "sqlite" else request.getfixturevalue("pg_url")
    try:
        r = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "probe", "-a", f"registry={rpath}",
                            "-a", f"store={spath}", "-s", "GOVCRAWL_PROBE_TIMEOUT=1"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        srv.shutdown()
    assert r.returncode == 0, r.stderr[-2000:]
    st = Store(spath, readonly=True)
    rows = {row["site_id"]: row for row in st.conn.execute("SELECT * FROM probes")}
    assert set(rows) == {"9901000001", "9901000002", "9901000003", "9901000004"}
    assert rows["9901000001"]["ok"] == 1 and rows["9901000001"]["status"] == 200
    assert rows["9901000002"]["ok"] == 0 and rows["9901000002"]["status"] == 500
    assert rows["9901000003"]["ok"] == 0 and "Timeout" in rows["9901000003"]["error"]
    assert rows["9901000004"]["ok"] == 0 and rows["9901000004"]["error"]


def test_probe_bad_registry_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "probe", "-a", f"registry={tmp_path}/none.yaml",
                        "-a", f"store={tmp_path}/s.sqlite"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode != 0 and "registry file not found" in r.stderr
