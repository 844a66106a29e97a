"""newsqa: question answering over news articles with exact, checkable citations.

from retrieval import Settings, open_index, ask
index = open_index(Settings.from_env())
answer = ask(index, "What did Zhang Jun say?", k=5)   # answer.to_dict() is the JSON contract
"""

from .answer import ask
from .backend import load_index
from .config import NewsqaError, Settings
from .contract import Answer, Hit, Part, QuoteRef, Scores, Span, Speaker
from .documents import Document, load_corpus
from .passages import Passage, split_document
from .records import Index
from .update import add_paths, add_upload, build_index, open_index, remove_articles, sync

__all__ = [
    "Answer",
    "Document",
    "Hit",
    "Index",
    "NewsqaError",
    "Part",
    "Passage",
    "QuoteRef",
    "Scores",
    "Settings",
    "Span",
    "Speaker",
    "add_paths",
    "add_upload",
    "ask",
    "build_index",
    "load_corpus",
    "load_index",
    "open_index",
    "remove_articles",
    "split_document",
    "sync",
]
