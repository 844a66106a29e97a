"""The web app without a browser: rendering, routes, CORS, frame-ancestors, follow-ups."""

import re

import pytest
from fastapi.testclient import TestClient

from retrieval import Settings, ask, build_index, config
from retrieval.live import LiveIndex
from retrieval.web import admin, chat, create_app, render

ALLOWED = "http://embed.test:8000"
ADMIN_PASSWORD = "correct horse battery"


def one_article_index(tmp_path, text: str):
    """An index over a corpus of one article (in tmp_path)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "article.txt").write_text(text, encoding="utf-8")
    return build_index(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"))


@pytest.fixture(scope="module")
def client(seed_index, seed_settings):
    settings = Settings(
        corpus_dir=seed_settings.corpus_dir, index_dir=seed_settings.index_dir,
        port=7999, allowed_origins=(ALLOWED,), frame_ancestors=(ALLOWED,),
    )  # fmt: skip
    with TestClient(create_app(seed_index, settings)) as test_client:
        yield test_client


def test_api_ask_returns_the_cli_json(client, seed_index):
    response = client.get("/api/ask", params={"q": "What did Zhang Jun say?", "k": 3})
    assert response.status_code == 200
    assert response.json() == ask(seed_index, "What did Zhang Jun say?", k=3).to_dict()


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"q": "  "}, 400, "question is empty"),
        ({"q": "x" * 2001}, 413, "the limit is 2,000"),
        ({"q": "Zhang", "k": 0}, 400, "k must be a whole number"),
        ({"q": "Zhang", "mode": "fuzzy"}, 400, "mode must be one of"),
    ],
)
def test_api_ask_refuses_bad_input_clearly(client, params, status, message):
    response = client.get("/api/ask", params=params)
    assert response.status_code == status and message in response.json()["error"]


def test_cors_allow_list(client):
    own = client.get("/api/ask?q=Zhang", headers={"Origin": "http://127.0.0.1:7999"})
    assert own.headers["access-control-allow-origin"] == "http://127.0.0.1:7999"
    allowed = client.get("/api/ask?q=Zhang", headers={"Origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-credentials" not in allowed.headers
    evil = client.get("/api/ask?q=Zhang", headers={"Origin": "http://evil.test"})
    assert "access-control-allow-origin" not in evil.headers
    preflight = client.options(
        "/widget/gradio_api/queue/join",
        headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize("path", ["/", "/widget/", "/article/1b74875d88f92d0d", "/api/ask?q=x"])
def test_frame_ancestors_on_every_response(client, path):
    policy = client.get(path).headers["content-security-policy"]
    assert policy == (
        "frame-ancestors 'self' http://127.0.0.1:7999 http://localhost:7999 " + ALLOWED
    )


def test_article_route_highlights_the_span(client):
    page = client.get("/article/1b74875d88f92d0d", params={"start": 2129, "end": 2177})
    assert page.status_code == 200
    assert '<mark id="cited">The Beijing Winter Olympics is around the corner</mark>' in page.text
    assert "scrollIntoView" in page.text


def test_article_route_bad_input(client):
    missing = client.get("/article/0000000000000000")
    assert missing.status_code == 404 and "No article with id" in missing.text
    outside = client.get("/article/1b74875d88f92d0d", params={"start": 5, "end": 999999})
    assert outside.status_code == 200 and "not inside this article" in outside.text
    assert "<mark" not in outside.text
    junk = client.get("/article/1b74875d88f92d0d", params={"start": "x<script>", "end": "1"})
    assert junk.status_code == 200 and "<script>" not in junk.text.split("</article>")[0]


def test_web_component_script_is_served_locally(client):
    script = client.get("/gradio.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    asset = script.text.split('"./')[1].split('"')[0]
    assert client.get("/" + asset).status_code == 200


def test_hostile_article_is_escaped_everywhere(tmp_path):
    index = one_article_index(
        tmp_path,
        "Hostile page\n\nThe spokesman said <script>alert('x')</script> and "
        '<img src=x onerror="alert(1)"> plus [a link](javascript:alert(1)) about the summit.',
    )
    answer = ask(index, "What was said about the summit?", quotes=False)
    reply = render.render_reply(answer, "http://app", None, inline=True)
    cards = render.render_sources(answer, "http://app")
    status, page = render.render_article(index, answer.hits[0].doc_id, None, None)
    for rendered in (cards, page):  # HTML: entities
        assert "<script>alert" not in rendered and "<img" not in rendered
    # Markdown: every <, [, ( of the article is backslash-escaped (the browser test shows it).
    assert not re.search(r"(?<!\\)<(script|img)", reply)
    assert "](javascript" not in reply
    assert "&lt;script&gt;" in cards and "&lt;img" in page


def test_citations_link_to_the_cited_span(seed_index):
    answer = ask(seed_index, "How many troops has Russia amassed?", k=2)
    reply = render.render_reply(answer, "http://app", None, inline=False)
    hit = answer.hits[0]
    mark = hit.highlights[0]
    url = f"http://app/article/{hit.doc_id}?start={mark.start}&end={mark.end}#cited"
    assert f"[\\[1\\]]({url})" in reply


def test_chat_follow_ups_are_rewritten_and_shown(seed_index):
    _, history, turns, cards = chat.chat_turn(
        seed_index, "What did Zhang Jun say?", [], [], 5, "hybrid", None
    )
    assert 'id="nq-source-1"' in cards and "Zhang Jun" in cards
    _, history, turns, cards = chat.chat_turn(
        seed_index, "and Wang Yi?", history, turns, 5, "hybrid", None
    )
    assert "Understood as:" in history[-1]["content"]
    assert "What did Wang Yi say?" in history[-1]["content"]
    latest = cards.split('<details class="nq-earlier">')[0]  # the earlier answer's sources follow
    assert "Wang Yi" in latest and "Zhang Jun" not in latest
    _, history, turns, _ = chat.chat_turn(
        seed_index, "what else did he say?", history, turns, 5, "hybrid", None
    )
    # Every Wang Yi quote was already shown (k=5 holds them all): say so, show none again.
    assert "No further quotes attributed to Wang Yi" in history[-1]["content"]


def test_chat_article_filter_and_errors(seed_index):
    only = "2f14b1fa75eddc95"
    _, history, _, cards = chat.chat_turn(
        seed_index, "What did Wang Yi say?", [], [], 5, "hybrid", [only]
    )
    assert "china-backs-russia-security-concerns.txt" in cards
    assert "china-wants-us" not in cards
    _, history, _, cards = chat.chat_turn(seed_index, "   ", [], None, 5, "hybrid", None)
    assert history == [] and "Sources for the answer appear here" in cards  # no empty bubble


@pytest.fixture
def admin_app(corpus_copy, tmp_path):
    settings = Settings(
        corpus_dir=corpus_copy, index_dir=tmp_path / "index", port=7998,
        admin_password=ADMIN_PASSWORD,
    )  # fmt: skip
    index = build_index(settings)
    with TestClient(create_app(index, settings)) as test_client:
        yield test_client, settings


def test_admin_page_needs_the_password(admin_app, client):
    test_client, settings = admin_app
    assert ADMIN_PASSWORD not in repr(settings)
    assert test_client.get("/admin/config").status_code == 401
    page = test_client.get("/admin/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/admin/login"
    wrong = test_client.post("/admin/login", data={"username": "admin", "password": "nope"})
    assert wrong.status_code == 401 and "wrong password" in wrong.text
    right = test_client.post(
        "/admin/login", data={"password": ADMIN_PASSWORD}, follow_redirects=False
    )
    assert right.status_code == 303
    assert test_client.get("/admin/config").status_code == 200
    # Without NEWSQA_ADMIN_PASSWORD there is no admin page at all.
    assert client.get("/admin/config").status_code != 200
    assert client.get("/admin/login").status_code == 404


def test_admin_uploads_and_removals_reach_the_answers_at_once(admin_app, tmp_path):
    test_client, settings = admin_app
    live = test_client.app.state.live
    upload = tmp_path / "kremlin.md"
    upload.write_text("---\ntitle: Kremlin denial\n---\nThe Kremlin denied the report on Friday.")
    refused = tmp_path / "virus.exe"
    refused.write_bytes(b"MZ\x00\x00")
    stages = []
    messages = admin.admin_add(live, settings, [str(upload), str(refused)],
                               progress=lambda *report: stages.append(report))  # fmt: skip
    assert messages[0].startswith("kremlin.md: added")
    shown = {stage for stage, _, _ in stages}  # the admin page's progress bar hears each stage
    assert {"kremlin.md (1 of 2): load", "kremlin.md (1 of 2): embed"} <= shown, shown
    assert ("kremlin.md (1 of 2): write", 1, 1) in stages
    assert messages[1].startswith("virus.exe: not added") and "not an article type" in messages[1]
    hits = test_client.get("/api/ask", params={"q": "What did the Kremlin deny?"}).json()["hits"]
    assert hits[0]["title"] == "Kremlin denial"

    doc_id = hits[0]["doc_id"]
    assert admin.admin_remove(live, settings, [doc_id])[0].startswith("removed")
    hits = test_client.get("/api/ask", params={"q": "What did the Kremlin deny?"}).json()["hits"]
    assert all(h["doc_id"] != doc_id for h in hits)
    assert (settings.corpus_dir / ".removed" / "kremlin.md").exists()
    assert admin.admin_remove(live, settings, [])[0] == "Choose the articles to remove first."


def test_running_app_picks_up_generations_written_by_other_processes(corpus_copy, tmp_path):
    from retrieval import add_paths

    settings = Settings(corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    live = LiveIndex(build_index(settings))
    first = live.index.generation
    article = tmp_path / "late.txt"
    article.write_text("Late news\n\nThe ferry resumed service to the island on Sunday morning.")
    add_paths(settings, [article])  # as `newsqa add` from another process would
    live.RECHECK_SECONDS = 0.0
    assert live.index.generation != first
    assert "Late news" in {d.title for d in live.index.documents.values()}


def test_citations_come_from_the_answer_parts_not_from_brackets_in_articles(tmp_path):
    index = one_article_index(
        tmp_path,
        "Flood report\n\nThe study found a sharp rise [2] in river levels across the valley "
        "after the storm, according to the survey published on Monday by the water board.",
    )
    answer = ask(index, "What did the study find about river levels?", quotes=False)
    assert answer.parts and all(p.citation == 1 for p in answer.parts)
    reply = render.render_reply(answer, "http://app", None, inline=False)
    assert reply.count("](http://app/article/") == 1  # the article's own "[2]" is no link
    assert "rise \\[2\\] in river" in reply


@pytest.mark.parametrize(
    "question",
    ["What did Zhang Jun say?", "How many troops has Russia amassed?", "What did Putin say?",
     "What does Beijing claim about Taiwan?", "What is the capital of France?"],
)  # fmt: skip
def test_answer_text_is_exactly_lead_plus_cited_parts(seed_index, question):
    from retrieval.contract import compose

    answer = ask(seed_index, question)
    assert answer.answer == compose(answer.lead, answer.parts)
    for part in answer.parts:
        assert part.text in answer.hits[part.citation - 1].text


def test_post_api_ask_gives_the_same_answer_and_errors_in_one_shape(client):
    got = client.get("/api/ask", params={"q": "What did Zhang Jun say?", "k": 3}).json()
    posted = client.post("/api/ask", json={"q": "What did Zhang Jun say?", "k": 3})
    assert posted.status_code == 200 and posted.json() == got
    upper = client.post("/api/ask", json={"question": "Olympic truce", "mode": "LEXICAL"})
    assert upper.status_code == 200 and upper.json()["mode"] == "lexical"
    for body, status in [(b"not json", 400), (b"[1, 2]", 400), (b'{"q": "x", "k": "abc"}', 400),
                         (b'{"q": 5}', 400), (b"x" * 20_000, 413)]:  # fmt: skip
        bad = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
        assert bad.status_code == status and set(bad.json()) == {"error"}, (body[:20], bad.text)
    too_long = client.post("/api/ask", json={"q": "x" * 3000})
    assert too_long.status_code == 413 and "2,000" in too_long.json()["error"]


def test_widget_and_admin_without_a_slash_redirect(client, admin_app):
    widget = client.get("/widget", follow_redirects=False)
    assert widget.status_code == 307 and widget.headers["location"] == "/widget/"
    test_client, _ = admin_app
    admin = test_client.get("/admin", follow_redirects=False)  # not logged in: the login page
    assert admin.status_code == 303 and admin.headers["location"] == "/admin/login"
    login = test_client.post("/admin/login", data={"password": ADMIN_PASSWORD},
                             follow_redirects=False)  # fmt: skip
    assert login.status_code in (302, 303), login.text
    logged_in = test_client.get("/admin", follow_redirects=False)
    assert logged_in.status_code == 307 and logged_in.headers["location"] == "/admin/"


def test_an_over_long_chat_question_is_refused_with_the_apis_message(seed_index):
    from retrieval.web import chat

    _, history, turns, _ = chat.chat_turn(seed_index, "x" * 3000, [], [], 5, "hybrid", None)
    assert "the limit is 2,000" in history[-1]["content"] and not turns.turns
    assert chat.TYPED_LIMIT > config.MAX_QUESTION_CHARS  # the box lets it reach the server


def test_openapi_describes_the_answer_the_api_returns(client):
    document = client.get("/api/openapi.json").json()
    assert set(document["paths"]) == {"/api/ask"}  # pages, admin and Gradio are not the API
    get, post = document["paths"]["/api/ask"]["get"], document["paths"]["/api/ask"]["post"]
    assert [p["name"] for p in get["parameters"]] == ["q", "k", "mode", "source", "since", "until"]
    assert set(post["requestBody"]["content"]["application/json"]["schema"]["properties"]) >= {
        "q", "k", "mode", "source"}  # fmt: skip
    assert {"200", "400", "413", "503"} <= set(get["responses"])
    schemas = document["components"]["schemas"]
    answer = client.get("/api/ask", params={"q": "What did Zhang Jun say?", "k": 2}).json()
    # The schema is derived from the typed contract: its fields are what the API returns.
    assert list(schemas["Answer"]["properties"]) == list(answer)
    assert list(schemas["Hit"]["properties"]) == list(answer["hits"][0])
    assert list(schemas["QuoteRef"]["properties"]) == list(answer["quotes"][0])
    assert schemas["Error"]["required"] == ["error"]
    page = client.get("/api/docs")
    assert page.status_code == 200 and "GET /api/ask" in page.text and "POST /api/ask" in page.text
    assert "curl" in page.text and "http://127.0.0.1:7999/api/ask" in page.text


def test_source_cards_read_as_news_with_internals_behind_details(tmp_path):
    import json

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [
        {"title": "Port strike ends", "text": "Dockworkers returned to every port on Friday, "
         "the union said.", "source": "Harbour Daily", "published": "2024-10-04T09:30:00Z",
         "url": "https://news.example/port-strike-ends"},
        {"title": "Port rumour", "text": "Dockworkers may strike again at the port, a blog says.",
         "source": "A Blog", "url": "javascript:alert(1)"},
    ]  # fmt: skip
    (corpus / "feed.json").write_text(json.dumps(rows), encoding="utf-8")
    index = build_index(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"))
    answer = ask(index, "When did the dockworkers return to the port?", k=2, quotes=False)
    cards = render.render_sources(answer, "http://app", index)
    first = cards.split('id="nq-source-2"')[0]
    assert "Port strike ends</a>" in first and "Harbour Daily · 4 Oct 2024" in first
    assert 'href="https://news.example/port-strike-ends"' in first and "original article" in first
    # File, span and score are there for who wants them, behind a disclosure.
    details = first.split('<details class="nq-details">')[1]
    assert "feed.json" in details and "characters" in details and "score" in details
    assert "javascript:" not in cards  # an article's URL is data: only http(s) becomes a link
    status, page = render.render_article(index, answer.hits[0].doc_id, None, None, "http://app")
    assert status == 200 and "Harbour Daily · 4 Oct 2024" in page
    assert 'href="https://news.example/port-strike-ends"' in page
    assert 'href="http://app/"' in page and "the chat" in page  # a way back


def test_each_answer_keeps_its_sources_and_a_clarification_keeps_them_all(seed_index):
    _, history, conversation, cards = chat.chat_turn(
        seed_index, "What did Zhang Jun say?", [], None, 5, "hybrid", None
    )
    _, history, conversation, cards = chat.chat_turn(
        seed_index, "How many troops has Russia amassed?", history, conversation, 5, "hybrid", None
    )
    latest, earlier = cards.split('<details class="nq-earlier">')
    assert 'id="nq-source-1"' in latest and "106,000 troops" in latest
    assert "Sources of an earlier answer: What did Zhang Jun say?" in earlier
    assert 'id="nq-source-1-1"' in earlier and "Zhang Jun" in earlier  # its [1] is still there
    _, history, same, kept = chat.chat_turn(
        seed_index, "  ", history, conversation, 5, "hybrid", None
    )  # an empty box: nothing happens
    assert same is conversation and kept == cards and len(history) == 4
    _, history, same, kept = chat.chat_turn(
        seed_index, "tell me more", history, conversation, 5, "hybrid", None
    )
    assert "Understood as:" in history[-1]["content"]
    assert "How many troops has Russia amassed" in history[-1]["content"]
    assert len(same.turns) == 3


def test_a_first_question_about_him_asks_who(seed_index):
    _, history, conversation, cards = chat.chat_turn(
        seed_index, "what else did he say?", [], None, 5, "hybrid", None
    )
    assert history[-1]["content"].startswith("Who do you mean?") and not conversation.turns


def test_a_quote_two_articles_carry_is_shown_once_with_both_citations():
    from retrieval.contract import Hit, Part, answer_of

    hits = [Hit(n, 1.0, f"d{n}", f"Copy {n}", f"s{n}.txt", 0, 20, "“We will win,” he said.")
            for n in (1, 2)]  # fmt: skip
    parts = [Part("We will win,", 1, quote=True), Part("We will win,", 2, quote=True)]
    reply = render.render_reply(answer_of("q?", "hybrid", "Kim said:", hits, True, parts),
                                "http://app", None, inline=False)  # fmt: skip
    assert reply.count("We will win") == 1
    assert "/article/d1?" in reply and "/article/d2?" in reply


def test_every_gradio_queue_polls_slowly_when_idle(client, admin_app):
    # Gradio's default 1 ms idle poll woke the event loop ~1,100 times a second per mounted
    # app, each wakeup taking the GIL from the threads answering (idle server CPU 6.9% -> 1.9%).
    from starlette.routing import Mount

    from retrieval.web.server import GRADIO_IDLE_POLL_S, GRADIO_PROGRESS_POLL_S

    apps = ((client, {"/widget", ""}), (admin_app[0], {"/widget", "/admin", ""}))
    for test_client, pages in apps:
        mounts = {r.path: r.app for r in test_client.app.routes if isinstance(r, Mount)}
        assert pages <= set(mounts)
        for path in pages:
            queue = mounts[path].blocks._queue
            assert queue.sleep_when_free >= GRADIO_IDLE_POLL_S, path
            assert queue.progress_update_sleep_when_free >= GRADIO_PROGRESS_POLL_S, path


def test_serve_warms_up_only_the_encoder_the_app_answers_with(
    seed_index, seed_settings, monkeypatch
):
    # The warm-up question once loaded the index's own (spinning) ONNX session beside the app's
    # batching one: a second session never used again (server RSS 575-590 -> 456 MB).
    import uvicorn

    from retrieval import encoders
    from retrieval.web import server

    real, asked = encoders.load_query_encoder, []

    def recording(model, spinning=True):
        asked.append(spinning)
        return real(model, spinning=spinning)

    monkeypatch.setattr(encoders, "load_query_encoder", recording)
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    server.serve(seed_settings)
    assert True not in asked
