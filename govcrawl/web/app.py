"""The review application of `govcrawl serve` (Starlette, Jinja2 templates, served by uvicorn).

Pages: inspections → subjects of one inspection (verdict, score, problems, trend) →
findings of one site or account (filters, search, pages of PER_PAGE), its 整改通知 as
.docx, the inspection's bulletin.  A review (confirm / false alarm / to check, with a
note) is one POST; the verdicts are re-judged at once (govcrawl.history.review) and the
bulletin, built from the store on each request, follows.

Every page is a Jinja2 template with autoescaping on; page-derived text (titles, matched
text, URLs) is only ever inserted as text.  No page has a script.
"""

from __future__ import annotations

import base64
import hashlib
import re
from contextlib import closing
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from govcrawl import history as H
from govcrawl.evidence import resolve_shot
from govcrawl.store import Store, StoreError
from govcrawl.web import data as D
from govcrawl.web.security import (
    AUTH_COOKIE,
    CSRF_FIELD,
    Guard,
    GuardMiddleware,
    set_csrf_cookie,
)

REVIEWER = "govcrawl serve"


class Desk:
    """The store and evidence folder the application serves (one connection per request)."""

    def __init__(self, store: str, evidence: Path | None) -> None:
        self.store = store
        self.evidence = evidence.resolve() if evidence is not None else None
        Store(store).close()  # a usable store, schema up to date (reviews table)

    def read(self) -> Store:
        return Store(self.store, readonly=True)

    def write(self) -> Store:
        return Store(self.store)

    def shot_file(self, rel: str) -> Path | None:
        """The screenshot file for `evidence["screenshot"]`, only inside the evidence folder."""
        return resolve_shot(self.evidence, rel)


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.PackageLoader("govcrawl.web", "templates"),
                             autoescape=jinja2.select_autoescape(["html"], default=True),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(severity_labels=D.SEVERITY_LABELS, review_labels=D.REVIEW_LABELS)
    for name in env.list_templates(extensions=["html"]):  # compiled now, not on a first request
        env.get_template(name)
    return Jinja2Templates(env=env)


def create_app(store: str, *, evidence: Path | None = None, token: str | None = None,
               loopback: bool = True) -> Starlette:
    """The application for one store.  `token`: required from every client (always on
    a non-loopback address; `govcrawl serve` checks that)."""
    desk = Desk(store, evidence)
    guard = Guard(token=token, loopback=loopback)
    templates = _templates()

    def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
        nonce, fresh = guard.csrf_nonce(request)
        ctx = {"request": request, "csrf": guard.csrf_token(nonce), "csrf_field": CSRF_FIELD,
               "login": bool(guard.token), **ctx}
        resp = templates.TemplateResponse(request, name, ctx, status_code=status)
        if fresh:
            set_csrf_cookie(resp, nonce)
        return resp

    def inspection(store: Store, iid: str) -> Any:
        try:
            return store.inspection(int(iid))
        except (StoreError, ValueError):
            raise HTTPException(404, "没有这次检查") from None

    # -- pages -----------------------------------------------------------------------------
    def home(request: Request) -> Response:
        with closing(desk.read()) as store:
            rows = D.inspections(store)
        return render(request, "inspections.html", {"inspections": rows})

    def inspection_page(request: Request) -> Response:
        with closing(desk.read()) as store:
            insp = inspection(store, request.path_params["iid"])
            subjects = D.sites(store, insp)
        result = request.query_params.get("result", "")
        q = request.query_params.get("q", "").strip()
        shown = [s for s in subjects if (not result or s["result"] == result)
                 and (not q or q in s["name"] or q in s["id"] or q in s["region"])]
        return render(request, "sites.html", {
            "insp": _insp(insp), "subjects": shown, "all": len(subjects),
            "failed": sum(1 for s in subjects if s["result"] == H.FAIL), "result": result, "q": q})

    def site_page(request: Request) -> Response:
        sid = request.path_params["sid"]
        qp = request.query_params
        try:
            page = int(qp.get("page", "1") or 1)
        except ValueError:
            page = 1
        flt = D.Filters(rule=qp.get("rule", ""), severity=qp.get("severity", ""),
                        review=qp.get("review", ""), column=qp.get("column", ""),
                        q=qp.get("q", "")[:200], page=page)
        with closing(desk.read()) as store:
            insp = inspection(store, request.path_params["iid"])
            s = D.site(store, insp, sid)
            if s is None:
                raise HTTPException(404, "这次检查没有这个网站")
            fp = D.findings(store, insp, sid, flt)
        for f in fp.items:  # only screenshots that are where they should be
            f["shot_url"] = (request.url_for("shot", path=f["screenshot"]).path
                             if desk.shot_file(f["screenshot"]) else "")
        done = qp.get("done", "")
        return render(request, "site.html", {
            "insp": _insp(insp), "s": s, "fp": fp, "flt": flt,
            "done": D.REVIEW_LABELS.get(done, "") if done else "",
            "back": flt.query(page=fp.page)})

    async def review(request: Request) -> Response:
        form = await request.form()
        if not guard.csrf_ok(request, str(form.get(CSRF_FIELD, ""))):
            return HTMLResponse("表单已过期或来源不明（CSRF 校验未通过），请刷新页面后重试。", status_code=403)
        sid = request.path_params["sid"]
        key = str(form.get("key", ""))
        state = str(form.get("state", ""))
        note = str(form.get("note", ""))[:2000]
        if state not in H.REVIEW_STATES or not re.fullmatch(r"[0-9a-f]{40}", key):
            raise HTTPException(400, "无效的复核操作")
        with closing(desk.write()) as store:
            insp = inspection(store, request.path_params["iid"])
            if D.finding_site(store, insp["id"], key) != sid:
                raise HTTPException(404, "没有这条问题")
            D.apply_review(store, insp["id"], key, state, note, REVIEWER)
        back = str(form.get("back", ""))
        if not re.fullmatch(r"[A-Za-z0-9_=&%+.\-]*", back):
            back = ""
        sep = "&" if back else ""
        url = request.url_for("site", iid=insp["id"], sid=sid).path
        return RedirectResponse(f"{url}?{back}{sep}done={state}#f-{key[:12]}", status_code=303)

    def rectification(request: Request) -> Response:
        from govcrawl.web.export import rectification_docx

        sid = request.path_params["sid"]
        with closing(desk.read()) as store:
            insp = inspection(store, request.path_params["iid"])
            out = rectification_docx(store, insp, sid, desk.evidence)
        if out is None:
            raise HTTPException(404, "这个网站本次检查没有需要整改的问题")
        body, filename = out
        return Response(body, media_type="application/vnd.openxmlformats-officedocument."
                        "wordprocessingml.document", headers={
                            "Content-Disposition": f"attachment; filename=\"rectification-{_ascii(sid)}.docx\"; "
                                                   f"filename*=UTF-8''{_quote(filename)}"})

    def bulletin(request: Request) -> Response:
        from govcrawl.report.html_out import CSS, render_html
        from govcrawl.report.model import build_bulletin

        with closing(desk.read()) as store:
            insp = inspection(store, request.path_params["iid"])
            html = render_html(build_bulletin(store, insp["id"]))
        digest = base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode()
        csp = ("default-src 'none'; img-src 'self' data:; style-src 'sha256-" + digest + "'; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        return HTMLResponse(html, headers={"Content-Security-Policy": csp})

    def shot(request: Request) -> Response:
        p = desk.shot_file(request.path_params["path"])
        if p is None:
            raise HTTPException(404, "没有这张截图")
        return FileResponse(p, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    def login_page(request: Request) -> Response:
        return render(request, "login.html", {"error": ""})

    async def login(request: Request) -> Response:
        form = await request.form()
        if not guard.csrf_ok(request, str(form.get(CSRF_FIELD, ""))):
            return HTMLResponse("表单已过期，请刷新页面后重试。", status_code=403)
        if not guard.token:
            return RedirectResponse("/", status_code=303)
        if not guard.token_matches(str(form.get("token", ""))):
            return render(request, "login.html", {"error": "令牌不正确"}, status=401)
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(AUTH_COOKIE, guard.auth_cookie_value(), httponly=True, samesite="strict", path="/")
        return resp

    async def not_found(request: Request, exc: HTTPException) -> Response:
        return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail},
                      status=exc.status_code)

    routes = [
        Route("/", home, name="home"),
        Route("/inspections/{iid:int}", inspection_page, name="inspection"),
        Route("/inspections/{iid:int}/sites/{sid}", site_page, name="site"),
        Route("/inspections/{iid:int}/sites/{sid}/review", review, methods=["POST"], name="review"),
        Route("/inspections/{iid:int}/sites/{sid}/rectification.docx", rectification,
              name="rectification"),
        Route("/inspections/{iid:int}/bulletin", bulletin, name="bulletin"),
        Route("/shots/{path:path}", shot, name="shot"),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/login", login_page, name="login_page"),
        Route("/login", login, methods=["POST"], name="login"),
        Mount("/static", app=StaticFiles(packages=[("govcrawl.web", "static")]), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(GuardMiddleware, guard=guard)],
                    exception_handlers={HTTPException: not_found})
    app.state.desk = desk
    return app


def _insp(insp: Any) -> dict[str, Any]:
    return {"id": insp["id"], "kind": insp["kind"], "as_of": insp["as_of"],
            "kind_label": D.KIND_LABELS.get(insp["kind"], insp["kind"]),
            "period": H.period_title(H.period_of(insp)),
            "status": insp["status"], "status_label": D.STATUS_LABELS.get(insp["status"], insp["status"]),
            "subject_noun": "账号" if insp["kind"] == "media" else "网站"}


def _ascii(s: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", s)[:60] or "site"


def _quote(s: str) -> str:
    from urllib.parse import quote

    return quote(s, safe="")
