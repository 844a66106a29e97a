"""Answers from a publisher's articles, or a date range's, only: filtered inside retrieval."""

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient

from retrieval import Settings, ask, build_index
from retrieval.config import NewsqaError
from retrieval.filters import make_filter, matching_articles, published_day


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("filters")
    corpus = root / "corpus"
    corpus.mkdir()
    rows = [
        {"title": "Port strike begins", "text": "Dockworkers walked out at every port on Tuesday.",
         "source": "Harbour Daily", "published": "2024-10-01"},
        {"title": "Port strike ends", "text": "Dockworkers returned to every port on Friday.",
         "source": "Reuters", "published": "2024-10-04"},
        {"title": "Port strike review", "text": "Dockworkers looked back on the port strike.",
         "source": "Reuters", "published": "06:00 PM, Tuesday, January 28, 2025"},
        {"title": "Undated", "text": "Dockworkers and ports, with no date at all.",
         "source": "Blog"},
    ]  # fmt: skip
    (corpus / "export.json").write_text(json.dumps(rows), encoding="utf-8")
    return build_index(Settings(corpus_dir=corpus, index_dir=root / "index"))


def titles(index, answer):
    return {index.documents[h.doc_id].title for h in answer.hits}


def test_source_and_dates_keep_only_matching_articles(dated_index):
    only_reuters = matching_articles(dated_index, make_filter(source="reuters"))
    answer = ask(dated_index, "What happened to the dockworkers?", k=5, doc_ids=only_reuters)
    assert titles(dated_index, answer) == {"Port strike ends", "Port strike review"}
    in_october = matching_articles(dated_index, make_filter(since="2024-10-02", until="2024-12-31"))
    answer = ask(dated_index, "What happened to the dockworkers?", k=5, doc_ids=in_october)
    assert titles(dated_index, answer) == {"Port strike ends"}  # the undated one is left out
    assert published_day("26-FEB-1987 15:01:01.79") == date(1987, 2, 26)
    assert published_day("no date here") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [({"since": "yesterday"}, "YYYY-MM-DD"), ({"since": "2024-02-30"}, "not a day"),
     ({"since": "2024-05-01", "until": "2024-01-01"}, "is after"), ({"source": 5}, "text")],
)  # fmt: skip
def test_bad_filters_say_what_to_write(args, message):
    with pytest.raises(NewsqaError, match=message):
        make_filter(**args)


def test_a_filter_nothing_matches_says_so(dated_index):
    with pytest.raises(NewsqaError, match="no indexed article matches source Nowhere Times"):
        matching_articles(dated_index, make_filter(source="Nowhere Times"))


def test_the_api_filters_by_source_and_date(dated_index):
    from retrieval.web import create_app

    settings = Settings(corpus_dir=dated_index.settings.corpus_dir,
                        index_dir=dated_index.settings.index_dir)  # fmt: skip
    with TestClient(create_app(dated_index, settings)) as client:
        got = client.get("/api/ask", params={"q": "dockworkers", "source": "harbour"}).json()
        assert {h["title"] for h in got["hits"]} == {"Port strike begins"}
        posted = client.post("/api/ask", json={"q": "dockworkers", "until": "2024-10-02"})
        assert {h["title"] for h in posted.json()["hits"]} == {"Port strike begins"}
        bad = client.get("/api/ask", params={"q": "dockworkers", "since": "last week"})
        assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["error"]


def test_the_chat_filters_by_source_and_date_within_the_chosen_articles(dated_index):
    from retrieval.web.chat import chat_turn

    def cards_for(where, chosen=None):
        _, history, _, cards = chat_turn(dated_index, "What happened to the dockworkers?", [],
                                         None, 5, "hybrid", chosen, where=where)  # fmt: skip
        return history[-1]["content"], cards

    _, cards = cards_for({"source": "Reuters", "since": "", "until": ""})  # blank boxes: no date
    assert "Port strike ends" in cards and "Port strike review" in cards
    assert "Port strike begins" not in cards and "Undated" not in cards
    _, cards = cards_for({"source": "", "since": "2024-10-02", "until": "2024-12-31"})
    assert "Port strike ends" in cards and "Port strike review" not in cards
    begins = next(d.doc_id for d in dated_index.documents.values() if d.title.endswith("begins"))
    reply, _ = cards_for({"source": "Reuters"}, chosen=[begins])
    assert "none of the chosen articles passes the source and date filter" in reply
    reply, _ = cards_for({"since": "last week"})
    assert "YYYY\\-MM\\-DD" in reply  # said in the chat (Markdown-escaped), the chat goes on
