"""Countries as news writes them: the name, the people, the capital and the seat of power.

"What did the Kremlin say?" is answered by a passage about Russia or Moscow, "Beijing's plans"
by one that says "Chinese". A question's lexical terms are widened with the other words of the
same country (`expand_terms`), so BM25 and the answer's word overlap meet the article's wording.

Each group is one country: its name, demonym and plural, capital (and a former capital that the
1987 Reuters archive uses: Bonn), and metonyms for its government (Kremlin, Elysee). Compiled from
the CIA World Factbook's "Nationality" and "Capital" fields; only single words are listed (a
two-word name such as "South Africa" would widen "south" everywhere). Measured on the real-news
dev set (tests/eval/news_qa_*_dev.jsonl): see the README's retrieval section.
"""

from __future__ import annotations

import functools

_GROUPS = """
russia russian russians moscow kremlin soviet soviets ussr
china chinese beijing
america american americans washington
britain british uk london whitehall
ukraine ukrainian ukrainians kyiv kiev
japan japanese tokyo
germany german germans berlin bonn
france french paris elysee
india indian indians delhi
pakistan pakistani pakistanis islamabad
iran iranian iranians tehran
israel israeli israelis jerusalem
italy italian italians rome
canada canadian canadians ottawa
australia australian australians canberra
korea korean koreans seoul
turkey turkish turks ankara
greece greek greeks athens
iraq iraqi iraqis baghdad
egypt egyptian egyptians cairo
brazil brazilian brazilians brasilia
mexico mexican mexicans
spain spanish madrid
netherlands dutch hague
saudi saudis riyadh
nigeria nigerian nigerians abuja
switzerland swiss bern
sweden swedish swedes stockholm
poland polish poles warsaw
philippines philippine filipino filipinos manila
indonesia indonesian indonesians jakarta
venezuela venezuelan venezuelans caracas
cuba cuban cubans havana
kenya kenyan kenyans nairobi
bangladesh bangladeshi bangladeshis dhaka
qatar qatari qataris doha
senegal senegalese dakar
uganda ugandan ugandans kampala
tanzania tanzanian tanzanians dodoma
colombia colombian colombians bogota
vietnam vietnamese hanoi
taiwan taiwanese taipei
syria syrian syrians damascus
afghanistan afghan afghans kabul
lebanon lebanese beirut
kuwait kuwaiti kuwaitis
norway norwegian norwegians oslo
denmark danish danes copenhagen
ireland irish dublin
portugal portuguese lisbon
austria austrian austrians vienna
hungary hungarian hungarians budapest
argentina argentine argentinian argentinians
chile chilean chileans santiago
peru peruvian peruvians lima
"""


@functools.cache
def _stem_groups() -> dict[str, frozenset[str]]:
    """Stemmed word -> the stemmed words of its country (the index's own tokenizer)."""
    from .store import tokenize

    groups: dict[str, frozenset[str]] = {}
    for line in _GROUPS.strip().splitlines():
        stems = frozenset(t for tokens in tokenize(line.split()) for t in tokens)
        for stem in stems:
            groups[stem] = groups.get(stem, frozenset()) | stems
    return groups


def expand_terms(terms: list[str]) -> list[str]:
    """The terms, then every other word of each country they name (each once, in order)."""
    groups = _stem_groups()
    seen = set(terms)
    extra = []
    for term in terms:
        for other in sorted(groups.get(term, ())):
            if other not in seen:
                seen.add(other)
                extra.append(other)
    return [*terms, *extra]
