"""`govcrawl serve --store DB`: the review application in the browser.

Inspections → sites → findings with their screenshots; confirm, false alarm or to check,
with a note; the verdicts and the bulletin follow; each site's 整改通知 as Word.  Bound to
127.0.0.1 by default.  Any other address needs an access token in the environment
variable GOVCRAWL_SERVE_TOKEN (at least 16 characters), which every client then gives.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
DEFAULT_PORT = 8700


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="the review application (inspections, findings, screenshots, 整改通知)",
                       description=__doc__.splitlines()[0])
    p.add_argument("--store", required=True, help="the store (an SQLite file or a postgresql:// URL)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; any other needs GOVCRAWL_SERVE_TOKEN)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free one)")
    p.add_argument("--evidence", default=None,
                   help="evidence screenshot folder (default GOVCRAWL_EVIDENCE_DIR, else beside the store)")
    p.set_defaults(func=run)


def open_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def build(args: Any) -> tuple[Any, bool, str | None]:
    """(application, loopback, token) after checking the arguments; UserError when wrong."""
    from govcrawl.cli import UserError
    from govcrawl.evidence import evidence_dir
    from govcrawl.store import Store
    from govcrawl.web import create_app
    from govcrawl.web.security import MIN_TOKEN, TOKEN_ENV, is_loopback

    token = os.environ.get(TOKEN_ENV, "").strip() or None
    loopback = is_loopback(args.host)
    if not loopback and not token:
        raise UserError(f"--host {args.host} is not a loopback address: set {TOKEN_ENV} (a secret of at"
                        f" least {MIN_TOKEN} characters) in the environment, or serve on 127.0.0.1")
    if token and len(token) < MIN_TOKEN:
        raise UserError(f"{TOKEN_ENV} is too short ({len(token)} characters; want at least {MIN_TOKEN})")
    Store(args.store, readonly=True).close()  # an existing store (StoreError: one line)
    configured = args.evidence or os.environ.get("GOVCRAWL_EVIDENCE_DIR") or None
    root = evidence_dir(args.store, configured)
    if args.evidence and not Path(args.evidence).is_dir():
        raise UserError(f"--evidence {args.evidence}: no such folder")
    app = create_app(args.store, evidence=root, token=token, loopback=loopback)
    return app, loopback, token


def run(args: Any) -> int:
    import uvicorn

    from govcrawl.cli import UserError

    app, _loopback, token = build(args)
    try:
        sock = open_socket(args.host, args.port)
    except OSError as e:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from None
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"govcrawl serve: http://{shown}:{port}/  (store {args.store}{'; token required' if token else ''};"
          f" Ctrl-C to stop)", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, proxy_headers=False,
                            server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
