"""The ONNX query encoder: exported at ingest, verified against torch, used without torch."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from conftest import SEED_CORPUS

from retrieval import ask
from retrieval.encoders import MIN_COSINE, OnnxEncoder, export_dir, load_encoder, verified_export
from retrieval.evaluation import evaluate, load_questions

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
QUESTIONS = Path(__file__).parent / "eval" / "questions.jsonl"


def test_ingest_exported_and_verified_the_query_encoder(seed_index):
    folder = verified_export(MODEL)
    assert folder is not None
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["verified"] and meta["cosine_min"] >= MIN_COSINE
    assert type(seed_index.encoder).__name__ == "OnnxEncoder"


def test_same_vectors_as_torch_on_the_eval_questions(seed_index):
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines()]
    onnx = OnnxEncoder(verified_export(MODEL)).encode(questions)
    torch = load_encoder(MODEL).encode(questions)
    assert onnx.shape == torch.shape == (len(questions), 384)
    assert float((onnx * torch).sum(axis=1).min()) >= MIN_COSINE
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_eval_metrics_are_unchanged_by_the_onnx_encoder(seed_index, monkeypatch):
    questions = load_questions(QUESTIONS, seed_index)
    with_onnx = evaluate(seed_index, questions)
    monkeypatch.setattr("retrieval.encoders.load_query_encoder", load_encoder)
    assert type(seed_index.encoder).__name__ == "Encoder"
    with_torch = evaluate(seed_index, questions)
    assert [r.metrics for r in with_onnx] == [r.metrics for r in with_torch]
    assert [r.per_question for r in with_onnx] == [r.per_question for r in with_torch]


def test_asking_does_not_import_torch(seed_index, seed_settings):
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from retrieval import Settings, ask, load_index\n"
        "index = load_index(Settings(Path(sys.argv[1]), Path(sys.argv[2])))\n"
        "answer = ask(index, 'How many troops has Russia amassed?', mode='hybrid')\n"
        "loaded = [m in sys.modules for m in ('torch', 'sentence_transformers')]\n"
        "print(answer.hits[0].source, *loaded)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(SEED_CORPUS), str(seed_settings.index_dir)],
        capture_output=True, text=True, timeout=120, env=dict(os.environ, HF_HUB_OFFLINE="1"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "corpus/china-backs-russia-security-concerns.txt", "False", "False"
    ]  # fmt: skip


def test_unverified_or_disabled_exports_are_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSQA_CACHE", str(tmp_path))
    from retrieval.encoders import resolve_model

    folder = export_dir(resolve_model(MODEL))
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(json.dumps({"verified": False, "cosine_min": 0.91}))
    assert verified_export(MODEL) is None
    (folder / "model.onnx").write_bytes(b"weights")
    stat = (folder / "model.onnx").stat()
    meta = {"verified": True, "sha256": hashlib.sha256(b"weights").hexdigest(),
            "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}  # fmt: skip
    (folder / "meta.json").write_text(json.dumps(meta))
    assert verified_export(MODEL) == folder
    assert verified_export(MODEL, check_content=True) == folder
    monkeypatch.setenv("NEWSQA_ENCODER", "torch")
    assert verified_export(MODEL) is None


def test_answers_match_torch_end_to_end(seed_index, monkeypatch):
    question = "What did Zhang Jun say about Ukraine?"
    fast = ask(seed_index, question, quotes=False).to_dict()
    monkeypatch.setattr("retrieval.encoders.load_query_encoder", load_encoder)
    slow = ask(seed_index, question, quotes=False).to_dict()

    def exact(answer):  # everything but the floating-point scores
        hits = [
            {k: v for k, v in h.items() if k not in ("score", "scores")} for h in answer["hits"]
        ]
        return answer["answer"], hits

    assert exact(fast) == exact(slow)
    for a, b in zip(fast["hits"], slow["hits"], strict=True):
        assert type(a["score"]) is float and abs(a["score"] - b["score"]) < 1e-5
        assert abs(a["scores"]["dense"] - b["scores"]["dense"]) < 1e-5


def test_a_damaged_export_is_not_used(seed_index, tmp_path, monkeypatch):
    import shutil

    from retrieval.encoders import resolve_model

    good = verified_export(MODEL)  # the session's export
    assert good is not None
    monkeypatch.setenv("NEWSQA_CACHE", str(tmp_path / "copy"))
    copy = export_dir(resolve_model(MODEL))
    shutil.copytree(good, copy)
    assert verified_export(MODEL) == copy
    recorded = (copy / "model.onnx").stat()
    data = bytearray((copy / "model.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "model.onnx").write_bytes(bytes(data))
    assert verified_export(MODEL) is None  # changed since the export: torch answers instead
    # Same size and a restored mtime pass the quick check at start-up; the content check
    # (run by every ingest) still refuses the file.
    os.utime(copy / "model.onnx", ns=(recorded.st_atime_ns, recorded.st_mtime_ns))
    assert verified_export(MODEL) == copy
    assert verified_export(MODEL, check_content=True) is None
