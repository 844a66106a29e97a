"""The lexical side: the one tokenizer, BM25 search over passages, and term idf.

BM25 scores are bm25s's, precomputed at index time; `bm25.top_k` reads only a question's
postings. The same tokens match question words to sentences when answers are chosen (idf).
"""

from __future__ import annotations

import functools
import re
import threading
import weakref
from collections import OrderedDict

import numpy as np

from .bm25 import top_k
from .places import country_words

# bm25s's "en_plus" list (NLTK's) drops question words (what, did, about) that "en" keeps.
STOPWORDS = "en_plus"
# What shapes lexical tokens; recorded in the manifest so a change forces a rebuild.
LEXICAL = {"library": "bm25s", "stopwords": STOPWORDS, "stemmer": "snowball-english+irregular-v1"}


@functools.cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


# Irregular forms the Snowball stemmer leaves alone, mapped to their stems so that
# "what did X say?" matches "X said" and "who told" matches "tells" (news is mostly past tense).
IRREGULAR_STEMS = {
    "said": "say", "told": "tell", "spoke": "speak", "spoken": "speak", "thought": "think",
    "wrote": "write", "written": "write", "gave": "give", "given": "give", "met": "meet",
    "sought": "seek", "began": "begin", "begun": "begin", "won": "win", "led": "lead",
}  # fmt: skip


def _stem_words(words: list[str]) -> list[str]:
    return [
        IRREGULAR_STEMS.get(w) or s for w, s in zip(words, _stemmer().stemWords(words), strict=True)
    ]


# bm25s.tokenize's rules (scikit-learn's token pattern on lowercased text, stop words dropped
# before stemming), without its per-call progress bars and vocabulary building: tokenizing
# is done three times per question, and bm25s.tokenize cost ~0.5 ms of it. A test checks the
# output is identical.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@functools.cache
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset({"en_plus": STOPWORDS_EN_PLUS}[STOPWORDS])


def tokenize(texts: list[str]) -> list[list[str]]:
    """The one tokenizer for BM25 and for matching question words to sentences."""
    stop = _stopwords()
    words = [[w for w in _TOKEN.findall(text.lower()) if w not in stop] for text in texts]
    unique = list(dict.fromkeys(w for doc in words for w in doc))
    stem = dict(zip(unique, _stem_words(unique), strict=True))
    return [[stem[w] for w in doc] for doc in words]


_TERMS: OrderedDict[int, frozenset[str]] = OrderedDict()
_TERMS_LOCK = threading.Lock()
TERMS_CACHED = 200_000  # sentences whose terms are kept (a few tens of MB at most)


def sentence_terms(items: list[tuple[int, str]]) -> list[frozenset[str]]:
    """The terms of each (sentence id, text), tokenized once per sentence and kept: a sentence
    id names one text for good (it hashes the article's text and the offsets), so answering
    does not re-tokenize the same candidate sentences question after question."""
    with _TERMS_LOCK:
        found = [_TERMS.get(key) for key, _ in items]
    missing = [i for i, terms in enumerate(found) if terms is None]
    if missing:
        fresh = tokenize([items[i][1] for i in missing])
        with _TERMS_LOCK:
            for i, terms in zip(missing, fresh, strict=True):
                found[i] = _TERMS[items[i][0]] = frozenset(terms)
            while len(_TERMS) > TERMS_CACHED:
                _TERMS.popitem(last=False)
    return found


# ---------------------------------------------------------------- search


def lexical_search(
    index, question: str, k: int, within: set[str] | None = None
) -> list[tuple[int, float]]:
    """BM25 top k (row, score) from the index's store, only over the articles `within` when
    given; passages sharing no term with the question are not returned."""
    # Countries in any of their forms: "Kremlin" also finds "Russian" and "Moscow" (places.py).
    terms = expand_terms(tokenize([question])[0])
    if within is None:
        return index.searcher.lexical(terms, k)
    return index.searcher.lexical_within(terms, within, k)


def bm25_search(index, terms: list[str], k: int) -> list[tuple[int, float]]:
    """The embedded store's lexical search: bm25s's precomputed scores, a question's postings."""
    vocab = index.lexical.vocab_dict
    ids = [vocab[t] for t in terms if t in vocab]
    return [(row, score) for row, score in top_k(index.lexical.scores, ids, k) if score > 0]


def idf(index) -> tuple[dict[str, int], np.ndarray]:
    """Per-term inverse document frequency (term -> column, idf per column), from the store."""
    return index.searcher.idf()


def idf_of(document_frequency: np.ndarray, passages: int) -> np.ndarray:
    """bm25s's idf (Lucene's): log(1 + (n - df + 0.5) / (df + 0.5))."""
    df = np.asarray(document_frequency, dtype=np.float64)
    return np.log(1 + (passages - df + 0.5) / (df + 0.5))


_IDF: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # bm25 index -> (vocab, idf)


def bm25_idf(index) -> tuple[dict[str, int], np.ndarray]:
    """idf read off the bm25s index (df = column length); computed once per loaded index."""
    cached = _IDF.get(index.lexical)
    if cached is None:
        df = np.diff(np.asarray(index.lexical.scores["indptr"]))
        cached = (index.lexical.vocab_dict, idf_of(df, len(index.passages)))
        _IDF[index.lexical] = cached
    return cached


# ---------------------------------------------------------------- countries


@functools.cache
def _country_stems() -> dict[str, frozenset[str]]:
    """Stemmed word -> the stemmed words of its country (places.py)."""
    groups: dict[str, frozenset[str]] = {}
    for words in country_words():
        stems = frozenset(t for tokens in tokenize(words) for t in tokens)
        for stem in stems:
            groups[stem] = groups.get(stem, frozenset()) | stems
    return groups


def expand_terms(terms: list[str]) -> list[str]:
    """The terms, then every other word of each country they name (each once, in order)."""
    groups = _country_stems()
    seen = set(terms)
    extra = []
    for term in terms:
        for other in sorted(groups.get(term, ())):
            if other not in seen:
                seen.add(other)
                extra.append(other)
    return [*terms, *extra]
