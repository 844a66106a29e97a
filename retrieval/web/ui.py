"""The Gradio pages: the chat (with sources and an article viewer) and the embeddable widget."""

from ..answer import MAX_K
from ..config import MODES, NewsqaError
from ..live import LiveIndex
from ..records import Index
from ..serving import AnswerGate
from .chat import TYPED_LIMIT, api_answer, chat_turn, describe, log_refusal
from .render import VIEWER, plain_answer, render_sources, static_text

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
ARTICLE_CHOICES = 50  # the article filter lists this many matches of its search at a time


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


# Questions of the main page's chat kept in the reader's browser and asked again on reload
# (only the questions: answers come from the server, so nothing a client keeps is trusted).
SAVED_QUESTIONS = 10
VIEWER_PANEL = (
    '<div id="nq-viewer-panel" role="dialog" aria-label="Article viewer">'
    '<div class="nq-viewer-bar"><span>Article</span><button id="nq-viewer-close" type="button" '
    'aria-label="Close the article">✕</button></div>'
    f'<iframe id="nq-viewer-frame" name="{VIEWER}" title="Article viewer" src="about:blank">'
    "</iframe></div>"
)


def saved_questions(saved) -> list[str]:
    """The questions a browser kept, checked: a list of short strings, the last few only."""
    if not isinstance(saved, list):
        return []
    kept = [q for q in saved if isinstance(q, str) and q.strip() and len(q) <= TYPED_LIMIT]
    return kept[-SAVED_QUESTIONS:]


def build_page(live: LiveIndex, gate: AnswerGate, base: str):
    import gradio as gr

    with gr.Blocks(title=f"{TITLE}: cited answers from the news") as page:
        gr.Markdown(f"# {TITLE}\n{TAGLINE}", elem_id="nq-header")
        conversation = gr.State(None)
        # The conversation is kept on the server: the Chatbot is output only, so a client
        # cannot hand Gradio file references (remote URLs it would fetch) inside a history.
        history = gr.State([])
        saved = gr.BrowserState([], storage_key="newsqa-questions")
        plain = gr.Textbox(visible=False, elem_id="nq-plain")  # the last answer, to copy
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chat = gr.Chatbot(label="Answers", height=480, elem_id="nq-chat", buttons=[])
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask, e.g. What did Zhang Jun say?", show_label=False,
                        max_length=TYPED_LIMIT, scale=5, elem_id="nq-question",
                    )  # fmt: skip
                    send = gr.Button("Ask", variant="primary", scale=1, min_width=80,
                                     elem_id="nq-ask")  # fmt: skip
                with gr.Row():
                    copy = gr.Button("Copy answer", size="sm", elem_id="nq-copy")
                    clear = gr.Button("New chat", size="sm", elem_id="nq-clear")
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
                    source = gr.Textbox(
                        label="Only from (publisher, site or path)", max_length=200,
                        placeholder="e.g. Reuters", elem_id="nq-source-filter",
                    )  # fmt: skip
                    with gr.Row():
                        since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD",
                                           max_length=10, elem_id="nq-since")  # fmt: skip
                        until = gr.Textbox(label="until", placeholder="YYYY-MM-DD",
                                           max_length=10, elem_id="nq-until")  # fmt: skip
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("### Sources")
                sources = gr.HTML(render_sources(None, ""), elem_id="nq-sources")
        gr.HTML(VIEWER_PANEL, elem_id="nq-viewer")

        def last_plain(state) -> str:
            turns = state.answered if state is not None else []
            return plain_answer(turns[0].answer, base, live.index) if turns else ""

        def on_ask(message, past, state, kept, k_value, mode_value, doc_filter, *dates):
            where = dict(zip(("source", "since", "until"), dates, strict=True))
            before = state
            cleared, shown, state, cards = chat_turn(
                live.index, message, past, state, k_value, mode_value, doc_filter,
                base=base, gate=gate, where=where,
            )  # fmt: skip
            kept = saved_questions(kept)
            if state is not before and isinstance(message, str):  # answered: keep the question
                kept = saved_questions([*kept, message])
            return cleared, shown, shown, state, cards, last_plain(state), kept

        inputs = [box, history, conversation, saved, k, mode, only, source, since, until]
        outputs = [box, chat, history, conversation, sources, plain, saved]
        limit = {"concurrency_id": "answer", "concurrency_limit": gate.capacity}
        box.submit(on_ask, inputs, outputs, api_visibility="private", **limit)
        send.click(on_ask, inputs, outputs, api_visibility="private", **limit)

        def on_clear():
            return [], [], None, render_sources(None, base), "", []

        cleared = [chat, history, conversation, sources, plain, saved]
        clear.click(on_clear, None, cleared, api_visibility="private")
        chat.clear(on_clear, None, cleared, api_visibility="private")  # the chat's own trash icon
        # Plain text with numbered sources (the Chatbot's own copy gives escaped Markdown).
        copy.click(None, plain, None, js=static_text("copy.js"))

        def on_load(kept, request: gr.Request):
            """?q=... asks on load (a shared link); else the browser's kept questions again."""
            shared = request.query_params.get("q") if request is not None else None
            questions = saved_questions([shared] if shared else kept)
            if not questions:  # nothing to restore: never overwrite a question asked meanwhile
                return [gr.skip()] * 6
            past, state, cards = [], None, render_sources(None, base)
            for question in questions:
                _, past, state, cards = chat_turn(live.index, question, past, state, 5, "hybrid",
                                                  None, base=base, gate=gate)  # fmt: skip
            return past, past, state, cards, last_plain(state), questions

        page.load(on_load, saved, [chat, history, conversation, sources, plain, saved],
                  api_visibility="private", **limit)  # fmt: skip

        def ask_api(question: str, k: int = 5, mode: str = "hybrid") -> dict:
            """Answer a question about the articles; returns the newsqa answer JSON."""
            return ask_filtered(question, k, mode)

        def ask_filtered(
            question: str, k: int = 5, mode: str = "hybrid", source: str | None = None,
            since: str | None = None, until: str | None = None,
        ) -> dict:  # fmt: skip
            """The same, from a publisher's articles (source) or a date range (since, until:
            YYYY-MM-DD)."""
            try:
                return gate.run(
                    lambda: api_answer(live.index, question, k, mode, source, since, until)
                )
            except NewsqaError as err:
                log_refusal("ask", err)
                raise gr.Error(describe(err), print_exception=False) from None

        # Gradio's HTTP protocol wants every input of an endpoint: "ask" keeps its three, so
        # clients written for it go on working; the filters have their own endpoint.
        gr.api(ask_api, api_name="ask", **limit)
        gr.api(ask_filtered, api_name="ask_filtered", **limit)

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
        conversation = gr.State(None)
        history = gr.State([])  # on the server, as on the page
        # Each new answer is scrolled to its start by widget.js, not to the chat's bottom.
        chat = gr.Chatbot(label=f"{TITLE}: cited answers from the news", height=420,
                          autoscroll=False, buttons=[])  # fmt: skip
        with gr.Row():
            box = gr.Textbox(
                placeholder="What did Zhang Jun say?", show_label=False,
                max_length=TYPED_LIMIT, elem_id="nq-widget-question", scale=5,
            )  # fmt: skip
            send = gr.Button("Ask", variant="primary", scale=1, min_width=64,
                             elem_id="nq-widget-ask")  # fmt: skip
        gr.Examples(EXAMPLES[:2], inputs=box, label="Try")

        def on_ask(message, past, state):
            cleared, shown, state, _ = chat_turn(
                live.index, message, past, state, 5, "hybrid", None, base=base, inline=True,
                gate=gate,
            )  # fmt: skip
            return cleared, shown, shown, state

        for event in (box.submit, send.click):
            event(
                on_ask, [box, history, conversation], [box, chat, history, conversation],
                api_visibility="private", concurrency_id="answer",
                concurrency_limit=gate.capacity,
            )  # fmt: skip
    widget.queue(max_size=QUEUE_SIZE, default_concurrency_limit=gate.capacity)
    return widget
