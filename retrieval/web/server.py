"""The web app: FastAPI routes around the Gradio pages, the article page and the JSON API.

    /                 the chat, with a sources panel and an article viewer
    /widget           the chat alone, sources inline under each answer (for iframes and
                      the <gradio-app> web component; /gradio.js is served here, no CDN)
    /article/DOC_ID   the whole article, ?start=S&end=E highlighted and scrolled into view
    /api/ask?q=...    the answer JSON for plain HTTP clients (GET, or POST a JSON body {"q", "k",
                      "mode"}); Gradio clients call api_name "ask"
    /admin            add, remove, sync (only with NEWSQA_ADMIN_PASSWORD set)

Served by FastAPI so the project, not Gradio, decides CORS (an allow-list) and which sites may
embed the app (CSP frame-ancestors). Building the app serves nothing; `serve` does.
"""

import dataclasses
import json
import math
import os
import time
from pathlib import Path

from ..answer import ask
from ..batching import batching_query_encoder
from ..config import NewsqaError, QuestionTooLong, Settings
from ..documents import MAX_FILE_BYTES
from ..live import LiveIndex
from ..records import Index
from ..serving import (
    BUSY_MESSAGE,
    RETRY_AFTER_S,
    AdminSessions,
    AnswerGate,
    LoginGuard,
    check_admin_password,
    password_matches,
)
from ..update import open_index
from . import openapi
from .admin import MAX_UPLOAD_FILES, build_admin
from .chat import api_answer, describe
from .render import login_page, render_article, static_text
from .ui import build_page, build_widget


def share_batching_encoder(index: Index) -> Index:
    """Questions answered at the same moment share encoder calls (retrieval/batching.py)."""
    if index.query_encoder is not None:  # a test or benchmark set its own
        return index
    # A copy (the same records): the caller's index keeps its own encoder.
    return dataclasses.replace(index, query_encoder=batching_query_encoder(index.manifest["model"]))


class GuardMiddleware:
    """Refuses what no route may see and adds the security headers to every response. Plain
    ASGI: Starlette's BaseHTTPMiddleware (the `@app.middleware` decorator) wraps each request
    and response in extra tasks and streams, a fixed cost on every answer."""

    def __init__(self, app, check, headers: dict[str, str]):
        self.app, self.check = app, check
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.requests import Request

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *(h for h in message.get("headers", []) if h[0].lower() not in self.names),
                    *self.headers,
                ]
            await send(message)

        refusal = self.check(Request(scope))
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)


ADMIN_COOKIE = "newsqa_admin"
MAX_LOGIN_BYTES = 4096  # a password form, nothing larger
MAX_POST_BYTES = 16 * 1024  # a question is at most 2,000 characters; the rest is k and mode
# Gradio routes that take files: only the admin page (behind its session) may use them.
_FILE_ROUTES = ("/gradio_api/upload", "/gradio_api/component_server", "/upload_progress")


# Gradio's queue looks for work every 1 ms while it has none, and for progress every 10 ms
# (queueing.Queue; 50 and 100 ms on Windows): ~1,100 event-loop wakeups a second for each
# mounted app, each one taking the GIL from the threads that answer questions. A chat event
# waits at most this long more to start, far below what a reader notices.
GRADIO_IDLE_POLL_S = 0.02
GRADIO_PROGRESS_POLL_S = 0.1


def calm_queue(blocks) -> None:
    """Slow the idle polling of a Gradio app's queue (see GRADIO_IDLE_POLL_S)."""
    queue = blocks._queue  # private; tests/test_app.py fails if a Gradio upgrade renames it
    queue.sleep_when_free = max(queue.sleep_when_free, GRADIO_IDLE_POLL_S)
    queue.progress_update_sleep_when_free = max(
        queue.progress_update_sleep_when_free, GRADIO_PROGRESS_POLL_S
    )


def create_app(index: Index, settings: Settings):
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    check_admin_password(settings.admin_password)
    import anyio
    import gradio as gr
    from fastapi import FastAPI, Request
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

    app = FastAPI(title="newsqa", docs_url=None, redoc_url=None, openapi_url=openapi.OPENAPI_URL)
    openapi.install(app)
    origins = [*settings.own_origins(), *settings.allowed_origins]
    # Our CORSMiddleware makes Gradio skip its own (which echoes origins): the allow-list rules.
    app.add_middleware(
        CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"], allow_credentials=False,
    )  # fmt: skip
    ancestors = " ".join(["'self'", *settings.own_origins(), *settings.frame_ancestors])
    gate = AnswerGate()
    live = LiveIndex(index, prepare=share_batching_encoder)
    sessions, logins = AdminSessions(), LoginGuard()
    secure_cookie = (settings.public_url or "").startswith("https://")
    upload_limit = MAX_UPLOAD_FILES * MAX_FILE_BYTES + 64 * 1024

    def refuse(status: int, message: str, **headers) -> JSONResponse:
        return JSONResponse({"error": message}, status, headers=headers or None)

    def check(request) -> object | None:
        """A refusal for requests no route may see, else None (then the app answers)."""
        path = request.url.path
        is_admin = path == "/admin" or path.startswith("/admin/")
        takes_files = any(route in path for route in _FILE_ROUTES)
        if path.endswith("/process_recording") or (takes_files and not is_admin):
            # The public pages have no file input: nobody may fill Gradio's folders, or have
            # it parse or convert files, through them.
            return refuse(403, "uploads are accepted on /admin only")
        if takes_files and request.method == "POST":
            size = request.headers.get("content-length")
            if size is None or not size.isdigit() or int(size) > upload_limit:
                return refuse(
                    413, f"an upload is at most {MAX_UPLOAD_FILES} files of "
                    f"{MAX_FILE_BYTES // 2**20} MB, with its size stated (Content-Length)",
                )  # fmt: skip
        if is_admin and path not in ("/admin/login", "/admin/logout"):
            if not settings.admin_password:
                return refuse(404, "there is no admin page (NEWSQA_ADMIN_PASSWORD is unset)")
            if not sessions.valid(request.cookies.get(ADMIN_COOKIE)):
                if request.method == "GET" and path in ("/admin", "/admin/"):
                    return RedirectResponse("/admin/login", 303)
                return refuse(401, "log in at /admin/login first")
        return None

    headers = {
        "Content-Security-Policy": f"frame-ancestors {ancestors}",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    app.add_middleware(GuardMiddleware, check=check, headers=headers)

    api_threads = anyio.CapacityLimiter(gate.capacity)  # never more: the gate refuses first

    @app.get("/widget", include_in_schema=False)
    def widget_slash():
        return RedirectResponse("/widget/", 307)  # src=".../widget" must not be a broken frame

    @app.get("/admin", include_in_schema=False)
    def admin_slash():
        return RedirectResponse("/admin/", 307)

    @app.get(openapi.DOCS_URL, include_in_schema=False)
    def api_docs():
        base = settings.public_url or f"http://{settings.host}:{settings.port}"  # not headers
        return HTMLResponse(openapi.docs_page(app.openapi(), base))

    @app.get("/api/ask", summary="Answer a question", responses=openapi.ANSWER_RESPONSES,
             openapi_extra=openapi.ASK_GET)  # fmt: skip
    async def api_ask(request: Request):
        """The same JSON object as `newsqa ask --json`. Unknown parameters are ignored."""
        params = request.query_params
        q, k, mode = params.get("q", ""), params.get("k", "5"), params.get("mode", "hybrid")
        where = {key: params.get(key) for key in ("source", "since", "until")}
        return await answer_request(q, k, mode, where)

    @app.post("/api/ask", summary="Answer a question sent as JSON",
              responses=openapi.ANSWER_RESPONSES, openapi_extra=openapi.ASK_POST)  # fmt: skip
    async def api_ask_post(request: Request):
        """The same answer as GET, for a JSON body (at most 16 KB)."""
        body = await request.body()
        if len(body) > MAX_POST_BYTES:
            return refuse(413, f"the request body is over {MAX_POST_BYTES:,} bytes; send "
                               'only {"q": ..., "k": ..., "mode": ...}')  # fmt: skip
        try:
            data = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            return refuse(400, 'the body must be JSON: {"q": "What did Zhang Jun say?", "k": 5}')
        if not isinstance(data, dict):
            return refuse(400, 'the body must be a JSON object: {"q": "...", "k": 5}')
        q = data.get("q", data.get("question", ""))
        where = {key: data.get(key) for key in ("source", "since", "until")}
        return await answer_request(q, data.get("k", 5), data.get("mode", "hybrid"), where)

    async def answer_request(q, k, mode, where):
        arrived = time.monotonic()
        if not gate.reserve():
            return refuse(503, BUSY_MESSAGE, **{"Retry-After": str(RETRY_AFTER_S)})
        started = False

        def answer():
            nonlocal started
            started = True
            if not gate.start(arrived):
                return refuse(503, BUSY_MESSAGE, **{"Retry-After": str(RETRY_AFTER_S)})
            try:
                return JSONResponse(api_answer(live.index, q, k, mode, **where))
            except NewsqaError as err:
                return refuse(413 if isinstance(err, QuestionTooLong) else 400, describe(err))
            finally:
                gate.finish()

        try:
            return await anyio.to_thread.run_sync(answer, limiter=api_threads)
        except BaseException:
            if not started:  # cancelled before the thread ran: the place in line goes back
                gate.cancel()
            raise

    @app.get("/article/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def article(doc_id: str, start: str | None = None, end: str | None = None):
        status, page = render_article(live.index, doc_id, start, end, settings.public_url or "")
        return HTMLResponse(page, status_code=status)

    web_component = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"

    @app.get("/embed.js", include_in_schema=False)
    def embed_js():
        """The one-line launcher for other sites (see docs/embedding.md)."""
        return HTMLResponse(static_text("embed.js"), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=300"})  # fmt: skip

    @app.get("/gradio.js", include_in_schema=False)
    def gradio_js():
        return FileResponse(web_component, media_type="text/javascript")

    @app.get("/admin/login", response_class=HTMLResponse, include_in_schema=False)
    def admin_login_form():
        if not settings.admin_password:
            return refuse(404, "there is no admin page (NEWSQA_ADMIN_PASSWORD is unset)")
        return HTMLResponse(login_page())

    @app.post("/admin/login", include_in_schema=False)
    async def admin_login(request: Request):
        if not settings.admin_password:
            return refuse(404, "there is no admin page (NEWSQA_ADMIN_PASSWORD is unset)")
        client = request.client.host if request.client else "?"
        wait = logins.retry_after(client)
        if wait > 0:
            retry = str(math.ceil(wait))
            message = f"too many wrong passwords; try again in {retry} s"
            return HTMLResponse(login_page(message), 429, headers={"Retry-After": retry})
        # Counted as a failure before anything is awaited: parallel guesses cannot all slip in
        # before the lock-out. A success clears the record.
        logins.failed(client)
        size = request.headers.get("content-length", "")
        kind = request.headers.get("content-type", "")
        if not (size.isdigit() and int(size) <= MAX_LOGIN_BYTES) or not kind.startswith(
            "application/x-www-form-urlencoded"
        ):
            return HTMLResponse(login_page("send the login form, nothing else"), 400)
        form = await request.form(max_files=0, max_fields=4)
        given = form.get("password")
        if not isinstance(given, str) or not password_matches(given, settings.admin_password):
            return HTMLResponse(login_page("wrong password"), 401)
        logins.succeeded(client)
        response = RedirectResponse("/admin/", 303)
        response.set_cookie(
            ADMIN_COOKIE, sessions.create(), max_age=int(AdminSessions.MAX_AGE_S), path="/admin",
            httponly=True, samesite="lax", secure=secure_cookie or request.url.scheme == "https",
        )  # fmt: skip
        return response

    @app.get("/admin/logout", include_in_schema=False)
    def admin_logout(request: Request):
        sessions.end(request.cookies.get(ADMIN_COOKIE))
        response = RedirectResponse("/admin/login", 303)
        response.delete_cookie(ADMIN_COOKIE, path="/admin")
        return response

    # One font face for every weight: the system's (Gradio's bundled subset mixed two faces).
    theme = gr.themes.Default(font=["system-ui", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])  # fmt: skip
    common = {
        "server_name": settings.host, "server_port": settings.port, "max_file_size": "1mb",
        "enable_monitoring": False, "ssr_mode": False, "css": static_text("chat.css"),
        "footer_links": ["api"], "show_error": True, "theme": theme,
    }  # fmt: skip
    base = settings.public_url or ""

    def root(path: str) -> dict:
        """Gradio's own links from the configured address, not from X-Forwarded-Host."""
        return {"root_path": settings.public_url + path} if settings.public_url else {}

    widget, page = build_widget(live, gate, settings.link_base()), build_page(live, gate, base)
    mounted = [widget, page]
    gr.mount_gradio_app(
        app,
        widget,
        path="/widget",
        **{**common, "footer_links": []},
        head=f"<script>{static_text('widget.js')}</script>",
        **root("/widget"),
    )  # fmt: skip  (no "Use via API" for readers of another site)
    if settings.admin_password:  # no password configured: no admin page at all
        admin = build_admin(live, settings)
        mounted.append(admin)
        gr.mount_gradio_app(
            app, admin, path="/admin", **{**common, "max_file_size": MAX_FILE_BYTES},
            **root("/admin"),
        )  # fmt: skip
    gr.mount_gradio_app(app, page, path="/", **common,
                        head=f"<script>{static_text('chat.js')}</script>",
                        **root(""))  # fmt: skip
    for blocks in mounted:
        calm_queue(blocks)
    app.state.live = live
    app.state.gate = gate
    app.state.settings = settings
    return app


def serve(settings: Settings) -> None:
    import uvicorn

    check_admin_password(settings.admin_password)  # before minutes of loading, not after
    index = open_index(settings, log=print)
    # Load the model before the first user waits for it: the batching encoder the app will use
    # (the index's own would be a second ONNX session, never used again).
    ask(share_batching_encoder(index), "warm up", k=1)
    app = create_app(index, settings)
    print(f"newsqa: serving on http://{settings.host}:{settings.port}", flush=True)
    # Open event streams (Gradio heartbeats) would hold a graceful shutdown open for ever.
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level="warning",
        timeout_graceful_shutdown=3,
    )  # fmt: skip
