"""One chat message or API call, answered: the part the page, the widget and /api/ask share.

Links start with `base` (the configured public URL or ""), never with request headers: a forged
Host or X-Forwarded-Proto must not shape them.
"""

from __future__ import annotations

import math
import sys

from ..answer import ask
from ..config import INGEST, LIST, MAX_QUESTION_CHARS, MODES, REBUILD, NewsqaError, with_remedy
from ..filters import make_filter, matching_articles
from ..followup import Conversation
from ..records import Index
from ..speakers import resolve_speaker, speaker_candidates
from .render import escape_md, render_reply, sources_panel

# The box takes more than the limit, so that an over-long question reaches the server and is
# refused with the API's message instead of being cut to 2,000 characters and answered.
TYPED_LIMIT = 4 * MAX_QUESTION_CHARS


def chat_turn(
    index: Index, message, history, conversation: Conversation | None, k, mode, doc_filter,
    base: str = "", inline: bool = False, gate=None, where: dict | None = None,
):  # fmt: skip
    """Answer one chat message, resolving follow-ups against the conversation so far.
    doc_filter (article ids) and where ({"source", "since", "until"}) narrow the articles.

    Returns ("", history, conversation, sources HTML): the box cleared, the history with this
    exchange added, the conversation with this turn added (unchanged when refused), and the
    sources of every kept answer (this one first). An empty box changes nothing.
    """
    history, conversation = list(history or []), conversation or Conversation()
    gate = gate or _UNGATED
    if isinstance(message, str) and not message.strip():
        return "", history, conversation, sources_panel(conversation.answered, base, index)
    try:
        if not isinstance(message, str):
            raise NewsqaError("the question must be text")
        asked, shown, seen = conversation.understand(message, _is_person(index))
        if asked.clarify:  # nobody to refer to: ask back, answer nothing
            history += [
                {"role": "user", "content": escape_md(message)},
                {"role": "assistant", "content": escape_md(asked.clarify)},
            ]
            return "", history, conversation, sources_panel(conversation.answered, base, index)
        scope = _scope(index, doc_filter, where or {})
        answer = gate.run(
            lambda: ask(
                index, asked.question, k=whole_k(k), mode=mode, doc_ids=scope,
                exclude_quotes=shown, exclude_passages=seen,
            )
        )  # fmt: skip
    except NewsqaError as err:
        history += [
            {"role": "user", "content": escape_md(message if isinstance(message, str) else "")},
            {"role": "assistant", "content": f"⚠️ {escape_md(describe(err))}"},
        ]
        return "", history, conversation, sources_panel(conversation.answered, base, index)
    reply = render_reply(answer, base, asked.question if asked.changed else None, inline, index)
    history += [
        {"role": "user", "content": escape_md(message)},
        {"role": "assistant", "content": reply},
    ]
    conversation = conversation.remember(asked, answer)
    return "", history, conversation, sources_panel(conversation.answered, base, index)


def _is_person(index: Index):
    """Is a name someone quoted in these articles? ("and Wang Yi?" then asks what he said.)"""

    def is_person(name: str) -> bool:
        named = [resolve_speaker(name, index.speakers), *speaker_candidates(name, index.speakers)]
        return any(index.quotes_by_speaker.get(n) for n in named if n)

    return is_person


# The library names the step that fixes an error; a reader cannot run it, so say who can.
REMEDIES = {
    INGEST: "the index needs an update: run `newsqa ingest`, or Sync on the admin page",
    REBUILD: "the index must be rebuilt: run `newsqa ingest --rebuild`",
    LIST: "the article filter of the chat page lists what is indexed",
}


def describe(err: NewsqaError) -> str:
    """The error as the web says it: what is wrong, then who or what fixes it."""
    return with_remedy(err, REMEDIES)


def _scope(index: Index, doc_filter, where: dict) -> list[str] | None:
    """The article ids to answer from (None: all): the chosen articles that pass the filter."""
    wanted = make_filter(*(where.get(key) or None for key in ("source", "since", "until")))
    chosen = list(doc_filter or [])
    if not wanted:
        return chosen or None
    kept = matching_articles(index, wanted)
    if not chosen:
        return kept
    passing = set(kept)
    both = [doc_id for doc_id in chosen if doc_id in passing]
    if not both:
        raise NewsqaError("none of the chosen articles passes the source and date filter")
    return both


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
