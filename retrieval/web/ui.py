"""The Gradio pages: the chat (with sources and an article viewer) and the embeddable widget."""

from __future__ import annotations

from ..answer import MAX_K
from ..config import MODES, NewsqaError
from ..live import LiveIndex
from ..records import Index
from ..serving import AnswerGate
from .chat import TYPED_LIMIT, api_answer, chat_turn, describe, log_refusal
from .render import VIEWER, render_sources

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


def build_page(live: LiveIndex, gate: AnswerGate, base: str):
    import gradio as gr

    with gr.Blocks(title=f"{TITLE}: cited answers from the news") as page:
        gr.Markdown(f"# {TITLE}\n{TAGLINE}", elem_id="nq-header")
        conversation = gr.State(None)
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
                gr.Markdown("### Article")
                gr.HTML(
                    f'<iframe id="nq-viewer-frame" name="{VIEWER}" title="Article viewer" '
                    'src="about:blank"></iframe>',
                    elem_id="nq-viewer",
                )

        def on_ask(message, past, state, k_value, mode_value, doc_filter, *dates):
            where = dict(zip(("source", "since", "until"), dates, strict=True))
            cleared, shown, state, cards = chat_turn(
                live.index, message, past, state, k_value, mode_value, doc_filter,
                base=base, gate=gate, where=where,
            )  # fmt: skip
            return cleared, shown, shown, state, cards

        inputs = [box, history, conversation, k, mode, only, source, since, until]
        outputs = [box, chat, history, conversation, sources]
        limit = {"concurrency_id": "answer", "concurrency_limit": gate.capacity}
        box.submit(on_ask, inputs, outputs, api_visibility="private", **limit)
        send.click(on_ask, inputs, outputs, api_visibility="private", **limit)

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
            on_ask, [box, history, conversation], [box, chat, history, conversation],
            api_visibility="private", concurrency_id="answer", concurrency_limit=gate.capacity,
        )  # fmt: skip
    widget.queue(max_size=QUEUE_SIZE, default_concurrency_limit=gate.capacity)
    return widget
