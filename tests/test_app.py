"""The chat front end renders the library's answer; article text is never markup."""

import app
from retrieval import Settings, build_index


def test_reply_cites_and_lists_sources(seed_index):
    _, history = app.respond(seed_index, "What did Zhang Jun say?", [])
    assert [m["role"] for m in history] == ["user", "assistant"]
    reply = history[-1]["content"]
    assert "\\[1\\]" in reply and "Sources" in reply
    assert "1. *China wants the United States" in reply


def test_errors_become_a_helpful_message(seed_index):
    _, history = app.respond(seed_index, "   ", [])
    assert "question is empty" in history[-1]["content"]


def test_article_markup_is_shown_as_text(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "xss.txt").write_text(
        "Hostile page\n\nThe spokesman said <script>alert('x')</script> and "
        '<img src=x onerror="alert(1)"> plus [a link](javascript:alert(1)) about the summit.'
    )
    index = build_index(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"))
    _, history = app.respond(index, "What did the spokesman say about the summit?", [])
    reply = history[-1]["content"]
    assert "<script>" not in reply and "<img" not in reply
    assert "&lt;script&gt;" in reply
    assert "](javascript" not in reply


def test_app_builds_without_serving(seed_index):
    demo = app.build_app(seed_index)
    assert demo.title == "newsqa"
