"""The newsqa web app: a thin front end over `retrieval` (no retrieval logic here).

    /                 the chat, with a sources panel and an article viewer
    /widget           the chat alone, sources inline under each answer (for iframes and
                      the <gradio-app> web component; /gradio.js is served here, no CDN)
    /article/DOC_ID   the whole article, ?start=S&end=E highlighted and scrolled into view
    /api/ask?q=...    the answer JSON for plain HTTP clients (GET, or POST a JSON body {"q", "k",
                      "mode"}); Gradio clients call api_name "ask"

Served by FastAPI so the project, not Gradio, decides CORS (an allow-list) and which sites may
embed the app (CSP frame-ancestors). Run with `make run` or `newsqa serve`; importing this
module serves nothing.
"""

import html
import json
import math
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from retrieval import (
    Answer,
    Index,
    NewsqaError,
    Settings,
    add_upload,
    ask,
    open_index,
    remove_articles,
    sync,
)
from retrieval.answer import MAX_K
from retrieval.config import MAX_QUESTION_CHARS, MODES
from retrieval.documents import MAX_FILE_BYTES, SUPPORTED_SUFFIXES
from retrieval.filters import make_filter, matching_articles
from retrieval.followup import Turn, rewrite
from retrieval.live import LiveIndex
from retrieval.serving import (
    BUSY_MESSAGE,
    RETRY_AFTER_S,
    AdminSessions,
    AnswerGate,
    LoginGuard,
    check_admin_password,
    password_matches,
)

TITLE = "newsqa"
TAGLINE = "Ask the news articles a question; every answer cites the exact passage it comes from."
EXAMPLES = [
    "What did Zhang Jun say?",
    "How many troops has Russia amassed near Ukraine?",
    "What did Wang Yi tell Blinken?",
    "What did Blinken say about President Putin?",
]
# Gradio's own line per page (visible to the reader as a queue position); the answer gate
# (retrieval/serving.py) is what limits the work, for every front end together.
QUEUE_SIZE = 32
# Admin uploads: files per Add, and the bytes of one upload request.
MAX_UPLOAD_FILES = 10
ARTICLE_CHOICES = 50  # the article filter lists this many matches of its search at a time
ADMIN_COOKIE = "newsqa_admin"
MAX_LOGIN_BYTES = 4096  # a password form, nothing larger
# Gradio routes that take files: only the admin page (behind its session) may use them.
_FILE_ROUTES = ("/gradio_api/upload", "/gradio_api/component_server", "/upload_progress")
VIEWER = "nq-viewer"  # name of the viewer iframe that source links open in

CSS = """
.nq-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin: 0 0 10px 0; background: var(--background-fill-secondary); }
.nq-head { font-weight: 600; margin-bottom: 2px; }
.nq-rank { color: var(--color-accent); margin-right: 4px; }
.nq-meta { font-size: 0.85em; opacity: 0.8; margin-bottom: 6px; word-break: break-word; }
.nq-passage { font-size: 0.92em; line-height: 1.45; white-space: pre-wrap; }
.nq-passage mark, .nq-quote mark { background: #ffe58a; color: inherit; padding: 0 1px; }
.nq-quote { border-left: 3px solid var(--color-accent); margin: 4px 0 8px 0; padding: 2px 8px; }
.nq-empty { opacity: 0.7; font-style: italic; }
#nq-viewer-frame { width: 100%; height: 420px; border: 1px solid var(--border-color-primary);
  border-radius: 8px; background: white; }
@media (max-width: 640px) { #nq-viewer-frame { height: 300px; } }
"""

# ---------------------------------------------------------------- rendering (pure functions)

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-!|~<>])")


def escape_md(text: str) -> str:
    """Article text is data: in a Markdown bubble it shows as text, never as markup or HTML."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.unescape(html.escape(text, quote=False)))


def article_url(base: str, doc_id: str, start: int | None = None, end: int | None = None) -> str:
    query = f"?{urlencode({'start': start, 'end': end})}" if start is not None else ""
    return f"{base}/article/{doc_id}{query}#cited"


def render_reply(answer: Answer, base: str, standalone: str | None, inline: bool) -> str:
    """The chat bubble: the cited answer, then (widget) one line per source."""
    lines = []
    if standalone:
        lines.append(f"*Understood as:* “{escape_md(standalone)}”\n")
    by_rank = {hit.rank: hit for hit in answer.hits}
    pieces = [escape_md(answer.lead)] if answer.lead else []
    for part in answer.parts:  # citations come from the structure, never from the text
        text = escape_md(part["text"])
        hit = by_rank.get(part["citation"])
        focus = (hit.highlights or [{"start": hit.start, "end": hit.end}])[0] if hit else None
        link = (
            f"[\\[{hit.rank}\\]]({article_url(base, hit.doc_id, focus['start'], focus['end'])})"
            if hit
            else f"\\[{part['citation']}\\]"
        )
        pieces.append(f"“{text}” {link}" if part.get("quote") else f"{text} {link}")
    lines.append(" ".join(pieces) or "No passage matches this question.")
    if inline and answer.hits:
        lines.append("")
        for hit in answer.hits:
            label = " (mentions)" if hit.match == "mention" else ""
            url = article_url(base, hit.doc_id, hit.start, hit.end)
            lines.append(
                f"{hit.rank}. [{escape_md(hit.title)}]({url}){label}: "
                f"{escape_md(hit.source)} {hit.start}–{hit.end}"
            )
    return "\n".join(lines)


def marked(text: str, offset: int, marks: list[dict]) -> str:
    """HTML of text[...] with the marked spans (document offsets) in <mark>, all escaped."""
    out, cursor = [], 0
    for mark in sorted(marks, key=lambda m: m["start"]):
        start, end = max(mark["start"] - offset, cursor), min(mark["end"] - offset, len(text))
        if start >= end:
            continue
        out += [html.escape(text[cursor:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        cursor = end
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def render_sources(answer: Answer | None, base: str) -> str:
    """One card per cited passage: rank, title, source, score, links, highlighted passage."""
    if answer is None or not answer.hits:
        return '<p class="nq-empty">Sources for the answer appear here.</p>'
    cards = []
    quotes_by_rank: dict[int, list[dict]] = {}
    for quote in answer.quotes:
        if quote.get("citation"):
            quotes_by_rank.setdefault(quote["citation"], []).append(quote)
    for hit in answer.hits:
        esc = html.escape
        focus = hit.highlights[0] if hit.highlights else {"start": hit.start, "end": hit.end}
        show = esc(article_url(base, hit.doc_id, focus["start"], focus["end"]))
        kind = {"quote": "quote", "mention": "mentions the speaker"}.get(hit.match, "")
        passage = f'<div class="nq-passage">{marked(hit.text, hit.start, hit.highlights)}</div>'
        quotes = "".join(
            f'<blockquote class="nq-quote">“{esc(q["text"])}” — {esc(q["speaker"] or "?")}'
            f"{(', ' + esc(q['role'])) if q.get('role') else ''}</blockquote>"
            for q in quotes_by_rank.get(hit.rank, [])
        )
        cards.append(
            f'<div class="nq-card" id="nq-source-{hit.rank}" data-doc="{esc(hit.doc_id)}">'
            f'<div class="nq-head"><span class="nq-rank">[{hit.rank}]</span>{esc(hit.title)}</div>'
            f'<div class="nq-meta">{esc(hit.source)} · characters {hit.start}–{hit.end} · '
            f"score {hit.score:.4f}{' · ' + kind if kind else ''} · "
            f'<a href="{show}" target="{VIEWER}" class="nq-show">show in viewer</a> · '
            f'<a href="{show}" target="_blank" rel="noopener">open article ↗</a></div>'
            f"{quotes}"
            + (f"<details><summary>passage</summary>{passage}</details>" if quotes else passage)
            + "</div>"
        )
    return "".join(cards)


def render_article(
    index: Index, doc_id: str, start: str | None, end: str | None
) -> tuple[int, str]:
    """(status, HTML page) of a whole article with the cited span highlighted."""
    doc = index.documents.get(doc_id)
    if doc is None:
        body = (
            f"<p>No article with id <code>{html.escape(doc_id)}</code> in this index. "
            "It may have been removed or re-ingested; ask the question again for fresh links.</p>"
        )
        return 404, _page("Article not found", body)
    notice, span = "", None
    try:
        s, e = int(start), int(end)  # type: ignore[arg-type]
        if not 0 <= s < e <= len(doc.text):
            raise ValueError
        span = {"start": s, "end": e}
    except (TypeError, ValueError):
        if start is not None or end is not None:
            notice = '<p class="notice">That span is not inside this article; shown whole.</p>'
    text = marked(doc.text, 0, [span] if span else []).replace("<mark>", '<mark id="cited">', 1)
    meta = " · ".join(
        html.escape(v) for v in (doc.source, doc.meta.get("publisher"), doc.meta.get("published"))
        if v
    )  # fmt: skip
    body = (
        f"<h1>{html.escape(doc.title)}</h1><p class='meta'>{meta}</p>{notice}"
        f"<article>{text}</article>"
        "<script>document.getElementById('cited')?.scrollIntoView({block: 'center'});</script>"
    )
    return 200, _page(doc.title, body)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)} · newsqa</title><style>"
        "body{font:16px/1.6 system-ui,sans-serif;max-width:46rem;margin:1.5rem auto;"
        "padding:0 1rem;color:#222} h1{font-size:1.35rem;line-height:1.3}"
        ".meta{color:#666;font-size:.9rem} article{white-space:pre-wrap}"
        "mark{background:#ffe58a;padding:0 2px} .notice{color:#a15c00}"
        f"</style></head><body>{body}</body></html>"
    )


# ---------------------------------------------------------------- chat (shared by page & widget)


def chat_turn(
    index, message, history, turns, k, mode, doc_filter, base="", inline=False, gate=None
):
    """Answer one chat message, resolving follow-ups against the previous turns.

    Links start with `base` (the configured public URL or ""), never with request headers:
    a forged Host or X-Forwarded-Proto must not shape them.
    """
    history, turns = list(history or []), list(turns or [])
    previous = turns[-1] if turns else None
    gate = gate or _UNGATED
    try:
        if not isinstance(message, str):
            raise NewsqaError("the question must be text")
        asked = rewrite(message, previous)
        shown = set().union(*(t.shown_quotes for t in turns)) if asked.wants_more else set()
        answer = gate.run(
            lambda: ask(
                index, asked.question, k=whole_k(k), mode=mode, doc_ids=doc_filter or None,
                exclude_quotes=shown,
            )
        )  # fmt: skip
    except NewsqaError as err:
        history += [
            {"role": "user", "content": escape_md(message if isinstance(message, str) else "")},
            {"role": "assistant", "content": f"⚠️ {escape_md(str(err))}"},
        ]
        return "", history, turns, render_sources(None, base)
    reply = render_reply(answer, base, asked.question if asked.changed else None, inline)
    history += [
        {"role": "user", "content": escape_md(message)},
        {"role": "assistant", "content": reply},
    ]
    speaker = answer.speaker["name"] if answer.speaker else None
    topic = None
    if speaker and previous and asked.wants_more:
        topic = previous.topic
    turns.append(
        Turn(
            asked.question,
            speaker=speaker or (previous.speaker if previous and asked.changed else None),
            topic=topic,
            shown_quotes={(q["doc_id"], q["start"]) for q in answer.quotes},
        )
    )
    return "", history, turns, render_sources(answer, base)


# The box takes more than the limit, so that an over-long question reaches the server and is
# refused with the API's message instead of being cut to 2,000 characters and answered.
TYPED_LIMIT = 4 * MAX_QUESTION_CHARS
MAX_POST_BYTES = 16 * 1024  # a question is at most 2,000 characters; the rest is k and mode


def api_answer(index: Index, question, k=5, mode="hybrid", source=None, since=None,
               until=None) -> dict:  # fmt: skip
    """The same JSON object as `newsqa ask --json`; bad types get the CLI's messages.
    source / since / until keep the articles of a publisher or site, or of a date range."""
    if not isinstance(question, str):
        raise NewsqaError(
            f"the question must be text, got {type(question).__name__} {_short(question)}"
        )
    if not isinstance(mode, str):
        raise NewsqaError(f"mode must be one of {', '.join(MODES)}, got {_short(mode)}")
    wanted = make_filter(source, since, until)
    scope = matching_articles(index, wanted) if wanted else None
    return ask(index, question, k=whole_k(k), mode=mode.lower(), doc_ids=scope).to_dict()


def whole_k(k):
    """k as sent: an int, a whole float from JSON (5.0), or digits from a query string ("5").
    Anything else (1.7, True, NaN, "abc", None, a list) is passed on for check_k to refuse."""
    if isinstance(k, float) and math.isfinite(k) and k.is_integer():
        return int(k)
    if isinstance(k, str) and k.isascii() and k.isdigit() and len(k) <= 3:
        return int(k)
    return k


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def log_refusal(where: str, err: Exception) -> None:
    """One line per refused call (a traceback each would flood the log)."""
    print(f"newsqa: refused {where}: {_short(str(err))}", file=sys.stderr, flush=True)


class _Ungated:
    @staticmethod
    def run(work):
        return work()


_UNGATED = _Ungated()


# ---------------------------------------------------------------- Gradio UIs


def find_articles(index: Index, query: str, keep=()) -> list[tuple[str, str]]:
    """(title, doc_id) of up to ARTICLE_CHOICES articles whose title holds every word of query,
    plus those already chosen (a choice must stay listed to stay valid)."""
    words = (query or "").lower().split()[:10]
    chosen = [d for d in (index.documents.get(i) for i in keep or ()) if d is not None]
    found = []
    for doc in index.documents.values():
        if len(found) >= ARTICLE_CHOICES:
            break
        title = doc.title.lower()
        if doc not in chosen and all(w in title for w in words):
            found.append(doc)
    return [(d.title, d.doc_id) for d in [*chosen, *sorted(found, key=lambda d: d.title)]]


def build_page(live: LiveIndex, gate: AnswerGate, base: str):
    import gradio as gr

    with gr.Blocks(title=f"{TITLE}: cited answers from the news") as page:
        gr.Markdown(f"# {TITLE}\n{TAGLINE}", elem_id="nq-header")
        turns = gr.State([])
        # The conversation is kept on the server: the Chatbot is output only, so a client
        # cannot hand Gradio file references (remote URLs it would fetch) inside a history.
        history = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chat = gr.Chatbot(label="Answers", height=480, elem_id="nq-chat")
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask, e.g. What did Zhang Jun say?", show_label=False,
                        max_length=TYPED_LIMIT, scale=5, elem_id="nq-question",
                    )  # fmt: skip
                    send = gr.Button("Ask", variant="primary", scale=1, min_width=80)
                gr.Examples(EXAMPLES, inputs=box, label="Try")
                with gr.Accordion("Settings", open=False):
                    k = gr.Slider(1, MAX_K, value=5, step=1, label="Passages (k)")
                    mode = gr.Radio(list(MODES), value="hybrid", label="Retrieval")
                    # Choices come from a search, never the whole corpus (100k titles = 3.5 MB).
                    find = gr.Textbox(
                        label="Find articles by title", max_length=200, elem_id="nq-find",
                        placeholder=f"words of a headline (lists up to {ARTICLE_CHOICES})",
                    )  # fmt: skip
                    only = gr.Dropdown(
                        [], multiselect=True, label="Only these articles", value=[],
                        elem_id="nq-only",
                    )  # fmt: skip
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("### Sources")
                sources = gr.HTML(render_sources(None, ""), elem_id="nq-sources")
                gr.Markdown("### Article")
                gr.HTML(
                    f'<iframe id="nq-viewer-frame" name="{VIEWER}" title="Article viewer" '
                    'src="about:blank"></iframe>',
                    elem_id="nq-viewer",
                )

        def on_ask(message, past, state, k_value, mode_value, doc_filter):
            cleared, shown, state, cards = chat_turn(
                live.index, message, past, state, k_value, mode_value, doc_filter,
                base=base, gate=gate,
            )  # fmt: skip
            return cleared, shown, shown, state, cards

        inputs = [box, history, turns, k, mode, only]
        outputs = [box, chat, history, turns, sources]
        limit = {"concurrency_id": "answer", "concurrency_limit": gate.capacity}
        box.submit(on_ask, inputs, outputs, api_visibility="private", **limit)
        send.click(on_ask, inputs, outputs, api_visibility="private", **limit)

        def ask_api(question: str, k: int = 5, mode: str = "hybrid") -> dict:
            """Answer a question about the articles; returns the newsqa answer JSON."""
            try:
                return gate.run(lambda: api_answer(live.index, question, k, mode))
            except NewsqaError as err:
                log_refusal("ask", err)
                raise gr.Error(str(err), print_exception=False) from None

        gr.api(ask_api, api_name="ask", **limit)

        def refresh_choices(query, chosen):
            return gr.Dropdown(choices=find_articles(live.index, query, chosen))

        find.change(
            refresh_choices, [find, only], only, api_visibility="private",
            concurrency_id="search", concurrency_limit=2,
        )  # fmt: skip
        page.load(refresh_choices, [find, only], only, api_visibility="private")
    page.queue(max_size=QUEUE_SIZE, default_concurrency_limit=gate.capacity)
    return page


def build_widget(live: LiveIndex, gate: AnswerGate, base: str):
    """Chat only, sources inline: no localStorage-backed components, so it loads cross-site."""
    import gradio as gr

    with gr.Blocks(title=TITLE) as widget:
        turns = gr.State([])
        history = gr.State([])  # on the server, as on the page
        chat = gr.Chatbot(label=f"{TITLE}: cited answers from the news", height=420)
        box = gr.Textbox(
            placeholder="What did Zhang Jun say?", show_label=False,
            max_length=TYPED_LIMIT, elem_id="nq-widget-question",
        )  # fmt: skip
        gr.Examples(EXAMPLES[:2], inputs=box, label="Try")

        def on_ask(message, past, state):
            cleared, shown, state, _ = chat_turn(
                live.index, message, past, state, 5, "hybrid", None, base=base, inline=True,
                gate=gate,
            )  # fmt: skip
            return cleared, shown, shown, state

        box.submit(
            on_ask, [box, history, turns], [box, chat, history, turns], api_visibility="private",
            concurrency_id="answer", concurrency_limit=gate.capacity,
        )  # fmt: skip
    widget.queue(max_size=QUEUE_SIZE, default_concurrency_limit=gate.capacity)
    return widget


# ---------------------------------------------------------------- the FastAPI app


def admin_status(index: Index) -> str:
    m = index.manifest
    return (
        f"**{m['documents']} articles**, {m['passages']} passages, {m['quotes']} quotes · "
        f"generation `{index.generation}` · built {m['built_at']}"
    )


def article_choices(index: Index) -> list[tuple[str, str]]:
    return [(f"{d.title} ({d.source})", d.doc_id) for d in index.documents.values()]


def admin_add(live: LiveIndex, settings: Settings, paths: list[str]) -> list[str]:
    """Add uploaded files one by one; a refused file says why and changes nothing."""
    messages = []
    paths = list(paths or [])
    if len(paths) > MAX_UPLOAD_FILES:
        messages.append(
            f"{len(paths)} files sent; only the first {MAX_UPLOAD_FILES} are added, "
            "add the rest in another round"
        )
    for path in paths[:MAX_UPLOAD_FILES]:
        name = Path(path).name
        try:
            index, report = add_upload(settings, name, Path(path).read_bytes())
            live.index = index
            messages.append(f"{name}: added ({report.summary()})")
        except NewsqaError as err:
            messages.append(f"{name}: not added. {err}")
        finally:
            Path(path).unlink(missing_ok=True)  # Gradio's copy: the corpus keeps its own
    return messages


def admin_remove(live: LiveIndex, settings: Settings, doc_ids: list[str]) -> list[str]:
    if not doc_ids:
        return ["Choose the articles to remove first."]
    try:
        index, report = remove_articles(settings, list(doc_ids))
    except NewsqaError as err:
        return [f"not removed. {err}"]
    live.index = index
    return [f"removed ({report.summary()}); the files are in corpus/.removed/"]


def admin_sync(live: LiveIndex, settings: Settings) -> list[str]:
    try:
        index, report = sync(settings)
    except NewsqaError as err:
        return [f"not synced. {err}"]
    live.index = index
    return [report.summary(), *report.warnings]


# Gradio deletes its copies of uploads older than an hour, every hour.
ADMIN_CACHE_CLEANUP = (3600, 3600)


def build_admin(live: LiveIndex, settings: Settings):
    import gradio as gr

    with gr.Blocks(title=f"{TITLE} admin", delete_cache=ADMIN_CACHE_CLEANUP) as admin:
        gr.Markdown(
            f"# {TITLE} admin\nAdd articles ({' '.join(SUPPORTED_SUFFIXES)}, up to "
            f"{MAX_UPLOAD_FILES} files at a time), remove them (their files move to "
            "corpus/.removed/, nothing is deleted), or sync with the corpus folder. Every "
            "change is a new index generation; answers switch to it whole. "
            '<a href="/admin/logout">Log out</a>'
        )
        status = gr.Markdown("", elem_id="nq-admin-status")
        files = gr.File(
            label="Articles to add", file_count="multiple", file_types=list(SUPPORTED_SUFFIXES),
            elem_id="nq-admin-files",
        )  # fmt: skip
        add = gr.Button("Add", variant="primary", elem_id="nq-admin-add")
        chosen = gr.Dropdown([], multiselect=True, label="Articles to remove", value=[])
        remove = gr.Button("Remove", variant="stop")
        resync = gr.Button("Sync with the corpus folder")
        result = gr.Textbox(label="Result", lines=6, interactive=False, elem_id="nq-admin-result")

        def current():
            """Status and removal choices as they are now (built per page load, not at start)."""
            index = live.index
            return admin_status(index), gr.Dropdown(choices=article_choices(index), value=[])

        def after(messages):
            return "\n".join(messages), *current(), None

        outputs = [result, status, chosen, files]
        add.click(lambda paths: after(admin_add(live, settings, paths)), files, outputs,
                  api_visibility="private")  # fmt: skip
        remove.click(lambda ids: after(admin_remove(live, settings, ids)), chosen, outputs,
                     api_visibility="private")  # fmt: skip
        resync.click(lambda: after(admin_sync(live, settings)), None, outputs,
                     api_visibility="private")  # fmt: skip
        admin.load(current, None, [status, chosen], api_visibility="private")
    admin.queue(max_size=8, default_concurrency_limit=1)  # one writer at a time anyway
    return admin


def login_page(message: str = "") -> str:
    notice = f"<p class='notice'>{html.escape(message)}</p>" if message else ""
    body = (
        f"<h1>{TITLE} admin</h1>{notice}"
        "<form method='post' action='/admin/login'>"
        "<input type='hidden' name='username' value='admin'>"
        "<label>Password <input type='password' name='password' autofocus required "
        "autocomplete='current-password'></label> <button type='submit'>Log in</button></form>"
    )
    return _page("Log in", body)


def create_app(index: Index, settings: Settings):
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    check_admin_password(settings.admin_password)
    import anyio
    import gradio as gr
    from fastapi import FastAPI, Request
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse

    app = FastAPI(title="newsqa", docs_url=None, redoc_url=None, openapi_url=None)
    origins = [*settings.own_origins(), *settings.allowed_origins]
    # Our CORSMiddleware makes Gradio skip its own (which echoes origins): the allow-list rules.
    app.add_middleware(
        CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"], allow_credentials=False,
    )  # fmt: skip
    ancestors = " ".join(["'self'", *settings.own_origins(), *settings.frame_ancestors])
    gate = AnswerGate()
    live = LiveIndex(index)
    sessions, logins = AdminSessions(), LoginGuard()
    secure_cookie = (settings.public_url or "").startswith("https://")
    upload_limit = MAX_UPLOAD_FILES * MAX_FILE_BYTES + 64 * 1024

    def refuse(status: int, message: str, **headers) -> JSONResponse:
        return JSONResponse({"error": message}, status, headers=headers or None)

    @app.middleware("http")
    async def guard(request, call_next):
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
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    api_threads = anyio.CapacityLimiter(gate.capacity)  # never more: the gate refuses first

    @app.get("/widget", include_in_schema=False)
    def widget_slash():
        return RedirectResponse("/widget/", 307)  # src=".../widget" must not be a broken frame

    @app.get("/admin", include_in_schema=False)
    def admin_slash():
        return RedirectResponse("/admin/", 307)

    @app.get("/api/ask")
    async def api_ask(request: Request):
        params = request.query_params
        q, k, mode = params.get("q", ""), params.get("k", "5"), params.get("mode", "hybrid")
        where = {key: params.get(key) for key in ("source", "since", "until")}
        return await answer_request(q, k, mode, where)

    @app.post("/api/ask")
    async def api_ask_post(request: Request):
        """The same answer for a JSON body {"q": ..., "k": 5, "mode": "hybrid"}."""
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
                too_long = isinstance(q, str) and len(q) > MAX_QUESTION_CHARS
                return refuse(413 if too_long else 400, str(err))
            finally:
                gate.finish()

        try:
            return await anyio.to_thread.run_sync(answer, limiter=api_threads)
        except BaseException:
            if not started:  # cancelled before the thread ran: the place in line goes back
                gate.cancel()
            raise

    @app.get("/article/{doc_id}", response_class=HTMLResponse)
    def article(doc_id: str, start: str | None = None, end: str | None = None):
        status, page = render_article(live.index, doc_id, start, end)
        return HTMLResponse(page, status_code=status)

    web_component = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"

    @app.get("/gradio.js")
    def gradio_js():
        return FileResponse(web_component, media_type="text/javascript")

    @app.get("/admin/login", response_class=HTMLResponse)
    def admin_login_form():
        if not settings.admin_password:
            return refuse(404, "there is no admin page (NEWSQA_ADMIN_PASSWORD is unset)")
        return HTMLResponse(login_page())

    @app.post("/admin/login")
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

    @app.get("/admin/logout")
    def admin_logout(request: Request):
        sessions.end(request.cookies.get(ADMIN_COOKIE))
        response = RedirectResponse("/admin/login", 303)
        response.delete_cookie(ADMIN_COOKIE, path="/admin")
        return response

    common = {
        "server_name": settings.host, "server_port": settings.port, "max_file_size": "1mb",
        "enable_monitoring": False, "ssr_mode": False, "css": CSS, "footer_links": ["api"],
        "show_error": True,
    }  # fmt: skip
    base = settings.public_url or ""

    def root(path: str) -> dict:
        """Gradio's own links from the configured address, not from X-Forwarded-Host."""
        return {"root_path": settings.public_url + path} if settings.public_url else {}

    gr.mount_gradio_app(
        app, build_widget(live, gate, settings.link_base()), path="/widget", **common,
        **root("/widget"),
    )  # fmt: skip
    if settings.admin_password:  # no password configured: no admin page at all
        admin = build_admin(live, settings)
        gr.mount_gradio_app(
            app, admin, path="/admin", **{**common, "max_file_size": MAX_FILE_BYTES},
            **root("/admin"),
        )  # fmt: skip
    gr.mount_gradio_app(app, build_page(live, gate, base), path="/", **common, **root(""))
    app.state.live = live
    app.state.gate = gate
    app.state.settings = settings
    return app


def serve(settings: Settings) -> None:
    import uvicorn

    check_admin_password(settings.admin_password)  # before minutes of loading, not after
    index = open_index(settings, log=print)
    ask(index, "warm up", k=1)  # load the model before the first user waits for it
    app = create_app(index, settings)
    print(f"newsqa: serving on http://{settings.host}:{settings.port}", flush=True)
    # Open event streams (Gradio heartbeats) would hold a graceful shutdown open for ever.
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_level="warning",
        timeout_graceful_shutdown=3,
    )  # fmt: skip


if __name__ == "__main__":
    serve(Settings.from_env())
