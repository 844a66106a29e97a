"""'What did X say?' is answered from quotes attributed to X at ingest, never from similarity."""

import re

import pytest
from conftest import ZHANG_SOURCE

from retrieval import ask
from retrieval.contract import Span, Speaker
from retrieval.speakers import resolve_speaker

QUOTED = re.compile(r"“(.+?)” \[(\d+)\]")


def zhang_segments(seed_index):
    return [q for q in seed_index.quotes if q.speaker == "Zhang Jun"]


def test_all_four_zhang_jun_quotes_across_both_attributions(seed_index):
    answer = ask(seed_index, "What did Zhang Jun say?", k=5)
    assert answer.speaker == Speaker("Zhang Jun", ["Chinese Ambassador to the United Nations"])
    assert len(answer.quotes) == 4
    texts = [q.text for q in answer.quotes]
    assert texts[0].startswith("The Beijing Winter Olympics is around the corner")
    assert texts[2].startswith("It’s my strong wish")  # from "Zhang said Wednesday"
    assert {q.attribution for q in answer.quotes} == {"explicit", "alias", "continuation"}
    # Reading order (no topic), each quote cited, the citation's hit holds the quote exactly.
    assert [q.start for q in answer.quotes] == sorted(q.start for q in answer.quotes)
    for quote in answer.quotes:
        hit = answer.hits[quote.citation - 1]
        assert hit.source == ZHANG_SOURCE and hit.match == "quote"
        assert hit.start <= quote.start < quote.end <= hit.end
        assert seed_index.documents[quote.doc_id].text[quote.start : quote.end] == (quote.text)
        assert Span(quote.start, quote.end) in hit.highlights
    # The answer text is made of those quotes, each followed by its citation.
    cited = QUOTED.findall(answer.answer)
    assert [(t, int(n)) for t, n in cited] == [(q.text, q.citation) for q in answer.quotes]
    assert [h.rank for h in answer.hits] == [1, 2]


@pytest.mark.parametrize(
    "question",
    [
        "what did zhang say?",
        "What has Zhang Jun said?",
        "Zhang Jun's comments",
        "quotes from Zhang Jun",
        "What did the Chinese ambassador to the UN say?",
    ],
)
def test_speaker_question_forms(seed_index, question):
    answer = ask(seed_index, question)
    assert answer.speaker and answer.speaker.name == "Zhang Jun"
    assert len(answer.quotes) == 4


def test_topic_ranks_the_speakers_quotes(seed_index):
    answer = ask(seed_index, "What did Zhang Jun say about Ukraine?")
    assert answer.quotes[0].text.startswith("Concerning the situation in Ukraine")
    assert answer.hits[0].start <= answer.quotes[0].start < answer.hits[0].end
    lexical = ask(seed_index, "What did Zhang Jun say about Ukraine?", mode="lexical")
    assert lexical.quotes[0].text == answer.quotes[0].text


def test_role_question_resolves_to_the_person(seed_index):
    answer = ask(seed_index, "What did China's foreign minister say about military blocs?")
    assert answer.speaker.name == "Wang Yi"
    assert "military blocs" in answer.quotes[0].text
    assert all(q.speaker == "Wang Yi" for q in answer.quotes)


@pytest.mark.parametrize("who", ["Putin", "Vladimir Putin", "Xi Jinping"])
def test_mentioned_but_never_quoted_gets_no_one_elses_words(seed_index, who):
    answer = ask(seed_index, f"What did {who} say?")
    assert answer.quotes == [] and not answer.found
    assert answer.answer.startswith("No quotes attributed to")
    assert "“" not in answer.answer
    assert answer.hits and all(h.match == "mention" for h in answer.hits)
    surname = who.split()[-1]
    assert all(surname in h.text for h in answer.hits)


def test_unknown_person_is_said_plainly(seed_index):
    answer = ask(seed_index, "What did Boris Johnson say?")
    assert answer.speaker is None and answer.quotes == [] and answer.hits == []
    assert answer.answer == "No quotes attributed to Boris Johnson in these articles."


def test_routing_can_be_turned_off(seed_index):
    answer = ask(seed_index, "What did Zhang Jun say?", quotes=False)
    assert answer.speaker is None and answer.quotes == []
    assert all(h.match == "search" for h in answer.hits)


def test_no_quote_in_the_seed_corpus_goes_to_someone_who_did_not_speak(seed_index):
    speakers = {q.speaker for q in seed_index.quotes}
    assert speakers == {
        "Antony Blinken",
        "Beijing",
        "Russia",
        "Wang Yi",
        "Zhang Jun",
        "Zhao Lijian",
    }
    assert resolve_speaker("Putin", seed_index.speakers) not in speakers


def test_quotes_survive_reload(seed_index, seed_settings):
    from retrieval import load_index

    reloaded = load_index(seed_settings)
    assert reloaded.quotes == seed_index.quotes
    assert reloaded.speakers == seed_index.speakers


def test_no_quote_on_the_topic_falls_back_to_search_and_says_so(seed_index):
    answer = ask(seed_index, "What does Beijing claim about Taiwan?")
    assert answer.speaker.name == "Beijing"
    assert answer.answer.startswith("No quotes from Beijing about Taiwan in these articles.")
    assert answer.quotes == [] and answer.found
    assert "Beijing claims Taiwan" in answer.hits[0].text
    assert all(h.match == "search" for h in answer.hits)


def test_addressee_narrows_the_quotes(seed_index):
    answer = ask(seed_index, "What did Blinken tell reporters?")
    assert answer.quotes[0].text.startswith("There are important things to work with")
    assert answer.hits[0].match == "quote"


def test_topic_answers_fill_up_with_search_hits(seed_index):
    answer = ask(seed_index, "What did Wang Yi say about Taiwan?", k=4)
    assert answer.hits[0].match == "quote" and "Taiwan" in answer.quotes[0].text
    assert len(answer.hits) == 4 and [h.rank for h in answer.hits] == [1, 2, 3, 4]
    assert len({(h.doc_id, h.start) for h in answer.hits}) == 4


@pytest.mark.parametrize(
    "question",
    ["How has NATO responded to the Russian troop buildup?", "How many troops has Russia amassed?"],
)
def test_questions_about_actions_are_not_routed_to_quotes(seed_index, question):
    answer = ask(seed_index, question)
    assert answer.speaker is None and all(h.match == "search" for h in answer.hits)


def test_article_filter_also_limits_mentions(seed_index):
    only = "2f14b1fa75eddc95"  # the article where Zhang Jun is not quoted
    answer = ask(seed_index, "What did Zhang Jun say?", doc_ids=[only])
    assert answer.answer.startswith("No quotes attributed to Zhang Jun in the selected articles")
    assert all(h.doc_id == only for h in answer.hits)
