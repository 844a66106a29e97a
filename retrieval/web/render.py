"""What the reader sees, from an Answer: the chat bubble (Markdown), source cards and pages
(HTML, from the Jinja templates in templates/). Pure functions: no request, no index writes.

Article text is data everywhere: Markdown specials are backslash-escaped, HTML is escaped by
Jinja's autoescape, and the only markup added is <mark> around cited spans.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from ..contract import Answer, QuoteRef, Span
from ..records import Index

HERE = Path(__file__).resolve().parent
VIEWER = "nq-viewer"  # name of the viewer iframe that source links open in


@cache
def _templates():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )  # fmt: skip


@cache
def static_text(name: str) -> str:
    """A file of static/ (the stylesheets), read once."""
    return (HERE / "static" / name).read_text(encoding="utf-8")


def render_template(template: str, **values) -> str:
    return _templates().get_template(template).render(**values)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-!|~<>])")


def escape_md(text: str) -> str:
    """Article text is data: in a Markdown bubble it shows as text, never as markup or HTML."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.unescape(html.escape(text, quote=False)))


def article_url(base: str, doc_id: str, span: Span | None = None) -> str:
    query = f"?{urlencode({'start': span.start, 'end': span.end})}" if span else ""
    return f"{base}/article/{doc_id}{query}#cited"


def render_reply(
    answer: Answer, base: str, standalone: str | None, inline: bool, index: Index | None = None
) -> str:
    """The chat bubble: the cited answer, then (widget) one line per source: its headline,
    publisher and date (from `index`), linked to the cited span."""
    lines = []
    if standalone:
        lines.append(f"*Understood as:* “{escape_md(standalone)}”\n")
    by_rank = {hit.rank: hit for hit in answer.hits}
    # One entry per distinct text: a quote that two articles carry (wire copy) is shown once,
    # followed by each of its citations.
    cited: dict[tuple[str, bool], list[str]] = {}
    for part in answer.parts:  # citations come from the structure, never from the text
        hit = by_rank.get(part.citation)
        link = (
            f"[\\[{hit.rank}\\]]({article_url(base, hit.doc_id, hit.focus)})"
            if hit
            else f"\\[{part.citation}\\]"
        )
        cited.setdefault((part.text, part.quote), []).append(link)
    pieces = [escape_md(answer.lead)] if answer.lead else []
    for (text, quote), links in cited.items():
        shown = f"“{escape_md(text)}”" if quote else escape_md(text)
        pieces.append(f"{shown} {' '.join(links)}")
    lines.append(" ".join(pieces) or "No passage matches this question.")
    if inline and answer.hits:
        lines.append("")
        documents = index.documents if index is not None else {}
        for hit in answer.hits:
            label = " (mentions)" if hit.match == "mention" else ""
            url = article_url(base, hit.doc_id, hit.focus)
            doc = documents.get(hit.doc_id)
            by = byline(doc.meta) if doc is not None else {}
            said = " · ".join(escape_md(v) for v in (by.get("publisher"), by.get("date")) if v)
            lines.append(f"{hit.rank}. [{escape_md(hit.title)}]({url}){label}"
                         + (f" — {said}" if said else ""))  # fmt: skip
    return "\n".join(lines)


def plain_answer(answer: Answer, base: str, index: Index | None = None) -> str:
    """The answer as plain text to copy: the cited text, then its numbered sources with links
    (the original article's when known, else the cited span on this site)."""
    lines = [answer.answer, ""]
    documents = index.documents if index is not None else {}
    for hit in answer.hits:
        doc = documents.get(hit.doc_id)
        by = byline(doc.meta) if doc is not None else {}
        said = ", ".join(v for v in (by.get("publisher"), by.get("date")) if v)
        link = by.get("url") or article_url(base, hit.doc_id, hit.focus)
        lines.append(f"[{hit.rank}] {hit.title}" + (f" ({said})" if said else "") + f" {link}")
    return "\n".join(lines).strip()


def marked(text: str, offset: int, marks: list[Span], first_id: str | None = None) -> str:
    """HTML of text[...] with the marked spans (document offsets) in <mark>, all escaped; the
    first mark gets id=first_id (the anchor links scroll to)."""
    from markupsafe import Markup

    out, cursor = [], 0
    for mark in sorted(marks, key=lambda m: m.start):
        start, end = max(mark.start - offset, cursor), min(mark.end - offset, len(text))
        if start >= end:
            continue
        opening = f'<mark id="{first_id}">' if first_id and not out else "<mark>"
        out += [html.escape(text[cursor:start]), f"{opening}{html.escape(text[start:end])}</mark>"]
        cursor = end
    out.append(html.escape(text[cursor:]))
    return Markup("".join(out))


def byline(meta: dict) -> dict:
    """What a reader knows an article by: publisher, day and the original's link (http(s) only:
    a URL from an article is data, and `javascript:` must never become a link)."""
    from ..filters import published_day

    day = published_day(meta.get("published"))
    url = meta.get("url") or ""
    return {
        "publisher": meta.get("publisher") or "",
        "date": f"{day.day} {day:%b %Y}" if day else (meta.get("published") or ""),
        "url": url if re.match(r"https?://[^\s\"'<>]+$", url) else "",
    }


def sources_panel(turns, base: str, index: Index | None = None) -> str:
    """Every kept answer's own sources, newest first: the latest open, each earlier one under
    its question, so that [n] of an earlier answer still has its source n."""
    if not turns:
        return render_sources(None, base)
    latest, *earlier = turns
    parts = [render_sources(latest.answer, base, index, empty="No sources for this answer.")]
    for number, turn in enumerate(earlier, start=1):
        cards = render_sources(turn.answer, base, index, prefix=f"{number}-",
                               empty="No sources for this answer.")  # fmt: skip
        parts.append(render_template("earlier_sources.html", question=turn.question, cards=cards))
    from markupsafe import Markup

    return "".join(Markup(part) for part in parts)


def render_sources(
    answer: Answer | None, base: str, index: Index | None = None, prefix: str = "",
    empty: str = "Sources for the answer appear here.",
) -> str:  # fmt: skip
    """One card per cited passage, as news: headline, publisher and date, the speaker's quotes,
    the passage with its answering sentence marked, links; file, span and score under
    "details". `index` supplies each article's publisher, date and original link."""
    hits = answer.hits if answer is not None else []
    documents = index.documents if index is not None else {}
    quotes_by_rank: dict[int, list[QuoteRef]] = {}
    for quote in answer.quotes if answer is not None else []:
        if quote.citation:
            quotes_by_rank.setdefault(quote.citation, []).append(quote)
    cards = [
        {
            "hit": hit,
            "link": article_url(base, hit.doc_id, hit.focus),
            "kind": {"quote": "quote", "mention": "mentions the speaker"}.get(hit.match, ""),
            "quotes": quotes_by_rank.get(hit.rank, []),
            "passage": marked(hit.text, hit.start, hit.highlights),
            "byline": byline(documents[hit.doc_id].meta if hit.doc_id in documents else {}),
        }
        for hit in hits
    ]
    return render_template("sources.html", cards=cards, viewer=VIEWER, prefix=prefix, empty=empty)


def render_article(
    index: Index, doc_id: str, start: str | None, end: str | None, base: str = ""
) -> tuple[int, str]:
    """(status, HTML page) of a whole article with the cited span highlighted."""
    css = static_text("article.css")
    doc = index.documents.get(doc_id)
    if doc is None:
        return 404, render_template("missing_article.html", title="Article not found", css=css,
                            doc_id=doc_id)  # fmt: skip
    span = None
    try:
        s, e = int(start), int(end)  # type: ignore[arg-type]
        if 0 <= s < e <= len(doc.text):
            span = Span(s, e)
    except (TypeError, ValueError):
        pass
    refused = span is None and (start is not None or end is not None)
    text = marked(doc.text, 0, [span] if span else [], first_id="cited")
    return 200, render_template("article.html", title=doc.title, css=css, doc=doc,
                                byline=byline(doc.meta), span_refused=refused, text=text,
                                chat=f"{base}/")  # fmt: skip


def login_page(message: str = "") -> str:
    return render_template(
        "login.html", title="Log in", css=static_text("article.css"), message=message
    )
