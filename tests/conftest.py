"""Shared fixtures: the real model and the seed-corpus index are built once per test session."""

import os
import shutil
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"  # tests never reach for a model hub
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import pytest  # noqa: E402

from retrieval import Settings, build_index  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
SEED_CORPUS = PROJECT / "corpus"
ZHANG_SOURCE = "corpus/china-wants-us-to-yield-to-russia-nato.txt"


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory):
    """The ONNX query encoder is exported once per test session, into the session's tmp."""
    os.environ["NEWSQA_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory) -> Settings:
    return Settings.from_env(
        corpus_dir=SEED_CORPUS, index_dir=tmp_path_factory.mktemp("seed") / "index"
    )


@pytest.fixture(scope="session")
def seed_index(seed_settings):
    return build_index(seed_settings)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the seed corpus, for tests that change articles."""
    target = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
