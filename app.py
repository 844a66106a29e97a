"""The newsqa chat app: a thin Gradio front end over `retrieval` (no retrieval logic here).

Run with `make run` or `newsqa serve [--host H] [--port P]`; importing this module serves nothing.
"""

from __future__ import annotations

import html
import os
import re

from retrieval import Answer, Index, NewsqaError, Settings, ask, open_index

TITLE = "newsqa"
TAGLINE = "Ask the news articles a question; every answer cites the exact passage it comes from."
EXAMPLES = [
    "What did Zhang Jun say?",
    "How many troops has Russia amassed near Ukraine?",
    "What did Wang Yi tell Blinken?",
]


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-!|~])")


def escape(text: str) -> str:
    """Article text is data: shown as text, never as HTML or Markdown."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=True))


def render_reply(answer: Answer) -> str:
    """The chat bubble: the cited answer, then one line per numbered source."""
    lines = [escape(answer.answer) if answer.hits else escape(answer.answer or "No results.")]
    if answer.hits:
        lines += ["", "**Sources**"]
    for hit in answer.hits:
        sentence = next(
            (hit.text[m["start"] - hit.start : m["end"] - hit.start] for m in hit.highlights),
            hit.text,
        )
        lines.append(
            f"{hit.rank}. *{escape(hit.title)}* ({escape(hit.source)}, "
            f"characters {hit.start}-{hit.end})\n    > {escape(sentence)}"
        )
    return "\n".join(lines)


def respond(index: Index, message: str, history: list[dict], k: int = 5, mode: str = "hybrid"):
    history = list(history or [])
    history.append({"role": "user", "content": message})
    try:
        reply = render_reply(ask(index, message, k=int(k), mode=mode))
    except NewsqaError as err:
        reply = f"⚠️ {escape(str(err))}"
    history.append({"role": "assistant", "content": reply})
    return "", history


def build_app(index: Index):
    import gradio as gr

    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(f"# {TITLE}\n{TAGLINE}")
        chat = gr.Chatbot(label="Answers", height=520, sanitize_html=True)
        box = gr.Textbox(placeholder="What did Zhang Jun say?", show_label=False, max_length=2000)
        with gr.Row():
            k = gr.Slider(1, 10, value=5, step=1, label="Passages (k)")
            mode = gr.Radio(["hybrid", "dense", "lexical"], value="hybrid", label="Retrieval")
        gr.Examples(EXAMPLES, inputs=box)

        def on_submit(message, history, k_value, mode_value):
            return respond(index, message, history, k_value, mode_value)

        box.submit(on_submit, [box, chat, k, mode], [box, chat], api_name="chat")
    return demo


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    index = open_index(settings, log=print)
    ask(index, "warm up", k=1)  # load the model before the first user waits for it
    demo = build_app(index)
    demo.queue(max_size=64, default_concurrency_limit=2)
    print(f"newsqa: serving on http://{host}:{port}", flush=True)
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        enable_monitoring=False,
        max_file_size="10mb",
        show_error=False,
    )


if __name__ == "__main__":
    serve(Settings.from_env())
