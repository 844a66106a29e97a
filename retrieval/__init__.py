"""newsqa: question answering over news articles with exact, checkable citations.

from retrieval import Settings, open_index, ask
index = open_index(Settings.from_env())
answer = ask(index, "What did Zhang Jun say?", k=5)   # answer.to_dict() is the JSON contract
"""

from .answer import Answer, Hit, ask
from .config import NewsqaError, Settings
from .documents import Document, load_corpus
from .passages import Passage, split_document
from .store import Index, build_index, load_index, open_index

__all__ = [
    "Answer",
    "Document",
    "Hit",
    "Index",
    "NewsqaError",
    "Passage",
    "Settings",
    "ask",
    "build_index",
    "load_corpus",
    "load_index",
    "open_index",
    "split_document",
]
