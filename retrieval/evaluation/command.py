"""`newsqa eval DATASET`: the command-line front of the evaluation package."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..config import NewsqaError, Settings
from .baseline import DEFAULT_TOLERANCE, compare_to_baseline, read_baseline, write_baseline
from .datasets import detect_format
from .report import format_text, write_report
from .run import EVAL_MODES, evaluate_beir, evaluate_questions, evaluate_quote_gold


def parse_modes(value: str | None) -> tuple[str, ...]:
    if not value:
        return EVAL_MODES
    modes = tuple(m.strip() for m in value.split(",") if m.strip())
    unknown = [m for m in modes if m not in EVAL_MODES]
    if unknown or not modes:
        raise NewsqaError(
            f"unknown mode {', '.join(unknown) or repr(value)}: choose from {', '.join(EVAL_MODES)}"
        )
    return modes


def run_eval_cli(args, settings: Settings) -> int:
    """`newsqa eval DATASET`: print the table (or --json), write --report/--write-baseline, and
    with --baseline exit 1 when a metric dropped by more than --tolerance."""

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    path = Path(args.dataset)
    modes = parse_modes(getattr(args, "modes", None))
    tolerance = getattr(args, "tolerance", DEFAULT_TOLERANCE)
    if not 0 <= tolerance < 1:
        raise NewsqaError(f"--tolerance must be from 0 to 1, got {tolerance}")
    baseline_path = getattr(args, "baseline", None)
    baseline = read_baseline(Path(baseline_path)) if baseline_path else None
    kind = detect_format(path)
    if kind == "beir":
        keep = Path(args.index).expanduser().resolve() if getattr(args, "index", None) else None
        report = evaluate_beir(path, settings, getattr(args, "split", "test"), modes, keep, log)
    elif kind == "quotes":
        report = evaluate_quote_gold(path, settings, modes, log)
    else:
        from .. import open_index

        report = evaluate_questions(path, open_index(settings, log=log), modes)
    if getattr(args, "json", False):
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(format_text(report))
    if getattr(args, "report", None):
        written = write_report(report, Path(args.report))
        log("report: " + ", ".join(str(p) for p in written))
    if getattr(args, "write_baseline", None):
        log(f"baseline written to {write_baseline(report, Path(args.write_baseline))}")
    if baseline is None:
        return 0
    regression = compare_to_baseline(report, baseline, tolerance)
    log(f"against the baseline {baseline_path}:\n{regression.format()}")
    return 1 if regression.failed else 0
