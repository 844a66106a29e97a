"""The regression guard: a run's metrics and ranks saved, and a later run compared to them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..config import NewsqaError
from .datasets import NEGATIVE
from .report import _outcome
from .run import EvalReport

DEFAULT_TOLERANCE = 0.02


BASELINE_COMMAND = (
    "newsqa eval tests/eval/questions.jsonl --write-baseline tests/eval/baseline.json"
)


def baseline_of(report: EvalReport) -> dict:
    """Flat metrics ("mode/type/metric") and each question's outcome per mode, for a JSON file."""
    metrics: dict[str, float] = {}
    questions: dict[str, dict] = {}
    for r in report.results:
        for kind, values in [("all", r.metrics), *r.by_kind.items()]:
            for name, value in values.items():
                metrics[f"{r.mode}/{kind}/{name}"] = round(value, 6)
        if r.negative:
            metrics[f"{r.mode}/{NEGATIVE}/refused"] = round(r.negative["rate"], 6)
        questions[r.mode] = {p["id"]: _outcome(p) for p in r.per_question}
    if report.extraction:
        for name in ("exact", "overlap", "attributed"):
            for label, value in zip(("P", "R", "F1"), report.extraction[name], strict=True):
                metrics[f"extraction/{name}/{label}"] = round(value, 6)
        metrics["extraction/speaker/accuracy"] = round(report.extraction["speaker_accuracy"], 6)
    return {
        "dataset": report.dataset, "format": report.format, "model": report.model,
        "cutoff": report.k, "written_by": BASELINE_COMMAND if report.format == "questions"
        else f"newsqa eval {report.dataset} --write-baseline FILE",
        "metrics": metrics, "questions": questions,
    }  # fmt: skip


def write_baseline(report: EvalReport, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(baseline_of(report), indent=1, ensure_ascii=False) + "\n")
    return path


def read_baseline(path: Path) -> dict:
    try:
        baseline = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NewsqaError(f"no baseline at {path}; write one with --write-baseline") from None
    except (OSError, ValueError) as err:
        raise NewsqaError(f"cannot read the baseline {path}: {err}") from err
    if not isinstance(baseline, dict) or not isinstance(baseline.get("metrics"), dict):
        raise NewsqaError(f"{path} is not a newsqa eval baseline (no metrics)")
    return baseline


@dataclass
class Regression:
    drops: list[tuple[str, float, float]]  # (metric key, baseline, now) beyond the tolerance
    moves: list[tuple[str, str, str, str]]  # (mode, question id, baseline outcome, now)
    tolerance: float

    @property
    def failed(self) -> bool:
        return bool(self.drops)

    def format(self) -> str:
        lines = []
        if self.drops:
            lines.append(f"metrics that dropped by more than {self.tolerance}:")
            lines += [f"  {key}: {old:.3f} -> {new:.3f} ({new - old:+.3f})"
                      for key, old, new in self.drops]  # fmt: skip
        else:
            lines.append(f"no metric dropped by more than {self.tolerance}")
        if self.moves:
            lines.append("questions that moved (baseline rank -> now; - = not in the top 10):")
            lines += [f"  {mode:<14}{qid:<28}{old} -> {new}" for mode, qid, old, new in self.moves]
        return "\n".join(lines)


def compare_to_baseline(
    report: EvalReport, baseline: dict, tolerance: float = DEFAULT_TOLERANCE
) -> Regression:
    """Metrics that fell more than `tolerance` below the baseline, and every question that moved."""
    now = baseline_of(report)
    drops = [
        (key, old, now["metrics"][key])
        for key, old in baseline["metrics"].items()
        if key in now["metrics"] and now["metrics"][key] < old - tolerance - 1e-9
    ]
    moves = []
    for mode, outcomes in now["questions"].items():
        before = baseline.get("questions", {}).get(mode, {})
        for qid, outcome in outcomes.items():
            old = before.get(qid, "new")
            if old != outcome:
                moves.append((mode, qid, str(old), outcome))
        moves += [(mode, qid, str(old), "removed") for qid, old in before.items()
                  if qid not in outcomes]  # fmt: skip
    return Regression(drops, moves, tolerance)
