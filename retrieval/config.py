"""Settings: one frozen dataclass, read from the environment in one place (never at import)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

# The project root (where pyproject.toml lives). Article sources are reported relative to it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MODES = ("hybrid", "dense", "lexical")

# Questions longer than this are refused: nobody types 2,000 characters, and the encoder would
# silently truncate them anyway (MiniLM reads 256 tokens).
MAX_QUESTION_CHARS = 2000


# The steps that fix a NewsqaError, named by the library and worded by each front end
# (cli.REMEDIES: the command to run; the web says who can run it).
INGEST = "ingest"  # build the index, or bring it up to date with the articles
REBUILD = "rebuild"  # rebuild the index from the articles, from scratch
LIST = "list"  # see which articles are indexed, and their ids


def with_remedy(problem, wording: dict[str, str]) -> str:
    """An error or logged Notice as a front end says it: what is wrong, then that front's
    words for the step that fixes it (`wording`: remedy -> text), when the library named one."""
    remedy = getattr(problem, "remedy", None)
    return f"{problem}; {wording[remedy]}" if remedy in wording else str(problem)


class NewsqaError(Exception):
    """A failure the user can fix; the message says what is wrong, `remedy` (INGEST, REBUILD,
    LIST or None) which step fixes it. Shown without a traceback."""

    def __init__(self, message: str = "", remedy: str | None = None):
        super().__init__(message)
        self.remedy = remedy


class QuestionTooLong(NewsqaError):
    """The question is over MAX_QUESTION_CHARS (the web API answers 413, not 400)."""


class Notice(str):
    """A line the library logs (through its `log` callback), with the step that would act on
    it (`remedy`, as for NewsqaError); a plain str to callbacks that ignore it."""

    remedy: str | None = None

    def __new__(cls, text: str, remedy: str | None = None):
        line = super().__new__(cls, text)
        line.remedy = remedy
        return line


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # as documented; "" = unset
    doc: str


# Every environment variable the project reads, in one registry; `env(name)` is the only reader
# and tests/test_config.py checks that README's configuration table lists each one.
ENVIRONMENT = {v.name: v for v in (
    Variable("NEWSQA_CORPUS", "corpus/", "articles folder"),
    Variable("NEWSQA_INDEX", "index/", "index folder"),
    Variable("NEWSQA_STORE", "", "where the index lives: unset = NEWSQA_INDEX; a Milvus URL"),
    Variable("NEWSQA_MILVUS_TOKEN", "", "token (user:password) of a Milvus server"),
    Variable("NEWSQA_MODEL", DEFAULT_MODEL, "embedding model (hub id or local folder, offline)"),
    Variable("NEWSQA_ALLOWED_ORIGINS", "", "origins allowed to call the API (CORS)"),
    Variable("NEWSQA_FRAME_ANCESTORS", "", "origins allowed to embed the app in an iframe"),
    Variable("NEWSQA_ADMIN_PASSWORD", "", "password of the /admin page (>= 12 characters)"),
    Variable("NEWSQA_PUBLIC_URL", "", "the address readers use, for links in answers"),
    Variable("NEWSQA_EXACT_SEARCH", "", "1: search every vector exactly even where IVF is used"),
    Variable("NEWSQA_ENCODER", "", "torch: encode questions with sentence-transformers, not ONNX"),
    Variable("NEWSQA_CACHE", "~/.cache/newsqa", "where the ONNX export of the model is kept"),
    Variable("NEWSQA_CRASH_AT", "", "tests only: the writer kills itself at the N-th checkpoint"),
    Variable("HF_HUB_OFFLINE", "1", "set by newsqa: models never download at run time"),
    Variable("XDG_CACHE_HOME", "~/.cache", "the cache root NEWSQA_CACHE defaults under"),
)}  # fmt: skip


def env(name: str) -> str | None:
    """The value of a registered environment variable (None when unset)."""
    if name not in ENVIRONMENT:
        raise KeyError(f"{name} is not in config.ENVIRONMENT; register it there")
    return os.environ.get(name)


def stay_offline() -> None:
    """Models load from local files only (the one place HF_HUB_OFFLINE is set)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@dataclass(frozen=True, repr=False)
class Settings:
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    # None: the embedded store in index_dir; milvus:///abs/path.db or http://host:19530: Milvus
    # (backend.open_store). index_dir still holds the writer lock and the query encoder's files.
    store: str | None = None
    model: str = DEFAULT_MODEL
    # Passages: paragraphs, split further by langchain only when longer than max_chars.
    # Paragraphs shorter than min_chars (headlines, one-liners, a wire story's one-sentence
    # paragraphs) are joined to the next one, up to max_chars. 400 measured best on the
    # real-news dev set (hit@1 0.486 at 120, 0.568 at 300, 0.608 at 400; see README).
    max_passage_chars: int = 1000
    passage_overlap_chars: int = 100
    min_passage_chars: int = 400
    # How many candidates each retriever fetches before fusion, as a multiple of k (at least 50).
    candidate_factor: int = 5
    # The web app. Origins are scheme://host[:port]; the app's own origin is always allowed.
    host: str = "127.0.0.1"
    port: int = 7860
    allowed_origins: tuple[str, ...] = ()  # may call the API / load the widget cross-site (CORS)
    frame_ancestors: tuple[str, ...] = ()  # may embed the app in an iframe (CSP frame-ancestors)
    admin_password: str | None = None  # enables /admin: add and remove articles (>= 12 chars)
    # Where readers reach the app (https://news.example.org/qa): links in answers are built from
    # it, never from request headers. Unset: relative links (the widget: the app's own address).
    public_url: str | None = None
    # Search every vector exactly even where the index chose IVF (slower; for comparisons).
    exact_search: bool = False

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Defaults, then NEWSQA_* environment variables, then explicit overrides (CLI flags)."""
        found = {
            "corpus_dir": env("NEWSQA_CORPUS"),
            "index_dir": env("NEWSQA_INDEX"),
            "store": env("NEWSQA_STORE"),
            "model": env("NEWSQA_MODEL"),
            "allowed_origins": _origins(env("NEWSQA_ALLOWED_ORIGINS")),
            "frame_ancestors": _origins(env("NEWSQA_FRAME_ANCESTORS")),
            "admin_password": env("NEWSQA_ADMIN_PASSWORD"),
            "public_url": env("NEWSQA_PUBLIC_URL"),
            "exact_search": (env("NEWSQA_EXACT_SEARCH") or "").lower() in ("1", "true"),
        }
        values = {k: v for k, v in found.items() if v}
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("corpus_dir", "index_dir"):
            if key in values:
                values[key] = Path(values[key]).expanduser().resolve()
        if "public_url" in values:
            values["public_url"] = checked_public_url(values["public_url"])
        return replace(cls(), **values)

    def __repr__(self) -> str:  # never print the admin password
        shown = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "admin_password"}
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    def own_origins(self) -> tuple[str, ...]:
        """The app's own origin and its localhost names: allowed by default."""
        names = {self.host, "127.0.0.1", "localhost"} - {"0.0.0.0", "::"}
        return tuple(sorted(f"http://{name}:{self.port}" for name in names))

    def link_base(self) -> str:
        """Absolute base for links that leave the app's own pages (the web component lives in
        someone else's page): the public URL, else the address the app is bound to."""
        if self.public_url:
            return self.public_url
        if self.host in ("0.0.0.0", "::", ""):
            return ""
        return f"http://{self.host}:{self.port}"

    def chunking(self) -> dict:
        """The settings that shape passages; a change to any of them forces a rebuild."""
        keys = ("max_passage_chars", "passage_overlap_chars", "min_passage_chars")
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in keys}


_PUBLIC_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/\-]*)?")


def checked_public_url(value: str) -> str:
    """scheme://host[:port][/path] and nothing else (no quotes, queries or scripts)."""
    url = value.strip().rstrip("/")
    if not _PUBLIC_URL.fullmatch(url):
        raise NewsqaError(
            f"NEWSQA_PUBLIC_URL must look like https://news.example.org or "
            f"http://host:7860/path, got {value!r}"
        )
    return url


def _origins(value: str | None) -> tuple[str, ...]:
    """Comma- or space-separated origins, without trailing slashes."""
    if not value:
        return ()
    return tuple(o.rstrip("/") for o in value.replace(",", " ").split() if o.strip())
