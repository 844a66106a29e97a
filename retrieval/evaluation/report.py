"""Reports of an evaluation: the terminal text, Markdown, a chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config import NewsqaError
from .datasets import NEGATIVE
from .metrics import METRIC_NAMES
from .run import EvalReport, EvalResult

_HEADERS = {"recall@3": "rec@3", "recall@10": "rec@10"}


def _rank(value) -> str:
    return "-" if value is None else str(value)


def format_table(results: Sequence[EvalResult]) -> str:
    """Markdown table: one row per mode (overall), then one per mode and question type."""
    names = list(METRIC_NAMES)
    lines = ["| mode | type | n | " + " | ".join(names) + " |", "|---" * (len(names) + 3) + "|"]
    for r in results:
        groups = [("all", r.metrics, _count(r))]
        if len(r.by_kind) > 1:
            groups += [(kind, m, _count(r, kind)) for kind, m in r.by_kind.items()]
        for kind, metrics, n in groups:
            values = " | ".join(f"{metrics[m]:.3f}" if metrics else "-" for m in names)
            lines.append(f"| {r.mode} | {kind} | {n} | {values} |")
    return "\n".join(lines)


def _count(result: EvalResult, kind: str | None = None) -> int:
    return sum(
        1 for p in result.per_question
        if p["kind"] != NEGATIVE and (kind is None or p["kind"] == kind)
    )  # fmt: skip


def _problems(report: EvalReport) -> list[tuple[dict, list[tuple[str, dict]]]]:
    """Questions that are not at rank 1 (or, negative, not refused) in some mode."""
    by_id: dict[str, tuple[dict, list]] = {}
    for r in report.results:
        for p in r.per_question:
            bad = not p["correct"] if p["kind"] == NEGATIVE else p["rank"] != 1
            entry = by_id.setdefault(p["id"], (p, []))
            if bad:
                entry[1].append((r.mode, p))
    return [entry for entry in by_id.values() if entry[1]]


def _outcome(p: dict) -> str:
    if p["kind"] == NEGATIVE:
        return "refused" if p["correct"] else "answered"
    return _rank(p["rank"])


def format_text(report: EvalReport) -> str:
    """The terminal report: metrics per mode and type, negatives, and what went wrong."""
    modes = [r.mode for r in report.results]
    lines = [f"newsqa eval {report.dataset} ({report.format}; model {report.model})"]
    lines += [f"  {note}" for note in report.notes]
    if report.extraction:
        lines += ["", "quote extraction", f"  {'match':<24}{'P':>7}{'R':>7}{'F1':>7}"]
        for name, label in (("exact", "exact span"), ("overlap", "overlap >= 0.5"),
                            ("attributed", "exact span + speaker")):  # fmt: skip
            p, r, f = report.extraction[name]
            lines.append(f"  {label:<24}{p:7.3f}{r:7.3f}{f:7.3f}")
        for name in ("speaker_accuracy", "kind_accuracy", "attribution_accuracy"):
            label = name.replace("_", " ") + " (matched)"
            lines.append(f"  {label:<31}{report.extraction[name]:7.3f}")
        who = report.extraction.get("who_said_what")
        if who:
            lines.append(
                f"  speaker precision {who['speaker_precision']:.3f} ({who['correct']}/"
                f"{who['attributed']} quotes given a speaker are theirs), direct-quote recall "
                f"{who['direct_recall']:.3f} ({who['direct_found']}/{who['direct_gold']})"
            )
            for m in who["misattributions"]:
                where = f"{m['source']}:{m['start']}"
                lines.append(f"    misattributed {where}: given to {m['given_to']!r}, "
                             f"{m['why']} ({m['really']!r}): “{m['text']}”")  # fmt: skip
    if report.speaker_quotes:
        s = report.speaker_quotes
        lines.append(
            f'  "What did X say?" quotes returned (hybrid+quotes): P {s["precision"]:.3f} '
            f"R {s['recall']:.3f} F1 {s['f1']:.3f} ({s['returned']} returned, {s['gold']} gold)"
        )
    headers = [_HEADERS.get(m, m) for m in METRIC_NAMES]
    widths = [max(6, len(h)) for h in headers]
    lines += ["", f"{'mode':<14}{'type':<12}{'n':>4}  "
              + " ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]  # fmt: skip
    for r in report.results:
        groups = [("all", r.metrics, _count(r))]
        if len(r.by_kind) > 1:
            groups += [(kind, m, _count(r, kind)) for kind, m in r.by_kind.items()]
        for i, (kind, metrics, n) in enumerate(groups):
            cells = [
                (f"{metrics[m]:.3f}" if metrics else "-").rjust(w)
                for m, w in zip(METRIC_NAMES, widths, strict=True)
            ]
            mode = r.mode if i == 0 else ""
            lines.append(f"{mode:<14}{kind:<12}{n:>4}  " + " ".join(cells))
    if any(r.answer_chars for r in report.results):
        lines += [
            "",
            "answer length (median characters, answered questions): "
            + ", ".join(f"{r.mode} {r.answer_chars:.0f}" for r in report.results if r.answer_chars),
        ]
    if any(r.answer_hit is not None for r in report.results):
        lines += [
            "answer sentences hold the gold span: "
            + ", ".join(
                f"{r.mode} {r.answer_hit:.3f}" for r in report.results if r.answer_hit is not None
            )
        ]
    if any(r.negative for r in report.results):
        lines += ["", "negative questions (right when the answer says nothing matches)"]
        for r in report.results:
            neg = r.negative
            lines.append(f"  {r.mode:<14}{neg['correct']}/{neg['n']} refused  {neg['rate']:.3f}")
    problems = _problems(report)
    if problems:
        lines += ["", f"questions not at rank 1 in some mode (rank per mode: {', '.join(modes)}; "
                  "- = not in the top 10)"]  # fmt: skip
        width = max(len(first["id"]) for first, _ in problems) + 2
        for first, bad in problems:
            outcome = {r.mode: next(p for p in r.per_question if p["id"] == first["id"])
                       for r in report.results}  # fmt: skip
            ranks = " ".join(f"{_outcome(outcome[m]):>8}" for m in modes)
            lines.append(f"  {first['id']:<{width}}{first['kind']:<11}{ranks}  {first['question']}")
            for mode, p in bad:
                got = p["retrieved"][0] if p["retrieved"] else None
                shown = f"[1] {got['label']} “{got['text']}”" if got else "nothing"
                lines.append(f"      {mode}: got {shown}")
    lines += ["", "time: " + ", ".join(f"{r.mode} {r.seconds:.1f}s" for r in report.results)]
    return "\n".join(lines)


def format_markdown(report: EvalReport, chart: str | None = None) -> str:
    """The --report markdown: tables, the chart, and every question's rank per mode."""
    modes = [r.mode for r in report.results]
    lines = [f"# Retrieval evaluation: `{report.dataset}`", ""]
    lines += [f"- format: {report.format}; model `{report.model}`; cutoff {report.k}"]
    lines += [f"- {note}" for note in report.notes]
    lines += ["", "## Metrics per mode and question type", "", format_table(report.results)]
    if chart:
        lines += ["", f"![metrics per mode]({chart})"]
    if any(r.negative for r in report.results):
        lines += ["", "## Negative questions", "",
                  "Right when the answer says nothing matches (`found` is false).", "",
                  "| mode | refused | n | rate |", "|---|---|---|---|"]  # fmt: skip
        for r in report.results:
            neg = r.negative
            lines.append(f"| {r.mode} | {neg['correct']} | {neg['n']} | {neg['rate']:.3f} |")
    if report.extraction:
        lines += ["", "## Quote extraction", "", "| match | P | R | F1 |", "|---|---|---|---|"]
        for name in ("exact", "overlap", "attributed"):
            p, r, f = report.extraction[name]
            lines.append(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} |")
        accuracy = report.extraction["speaker_accuracy"]
        lines += ["", f"Speaker accuracy (matched quotes): {accuracy:.3f}"]
        who = report.extraction.get("who_said_what")
        if who:
            lines += [
                "",
                f"Speaker precision {who['speaker_precision']:.3f} "
                f"({who['correct']}/{who['attributed']}), direct-quote recall "
                f"{who['direct_recall']:.3f} ({who['direct_found']}/{who['direct_gold']})",
                "",
            ]
            lines += ["| misattributed | given to | really | why |", "|---|---|---|---|"]
            lines += [f"| {m['source']}:{m['start']} “{m['text']}” | {m['given_to']} | "
                      f"{m['really']} | {m['why']} |" for m in who["misattributions"]]  # fmt: skip
    if report.speaker_quotes:
        s = report.speaker_quotes
        lines += [f'"What did X say?" quotes returned: P {s["precision"]:.3f}, '
                  f'R {s["recall"]:.3f}, F1 {s["f1"]:.3f}']  # fmt: skip
    lines += ["", "## Per question", "", "Rank of the first relevant result (- = not in the top "
              f"{report.k}; negative questions: refused or answered), and the top result when a "
              "mode misses rank 1.", "",
              "| id | type | question | " + " | ".join(modes) + " |",
              "|---" * (len(modes) + 3) + "|"]  # fmt: skip
    per_mode = {r.mode: {p["id"]: p for p in r.per_question} for r in report.results}
    for p in report.results[0].per_question:
        cells = []
        for mode in modes:
            q = per_mode[mode][p["id"]]
            cell = _outcome(q)
            bad = not q["correct"] if q["kind"] == NEGATIVE else q["rank"] != 1
            if bad and q["retrieved"]:
                cell += f" (got {q['retrieved'][0]['label']})"
            cells.append(cell)
        question = p["question"].replace("|", "\\|")
        lines.append(f"| {p['id']} | {p['kind']} | {question} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot_metrics(report: EvalReport, path: Path) -> Path:
    """Grouped bar chart: each metric (and the negative refusal rate) per mode, as a PNG."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise NewsqaError("the chart needs matplotlib: .venv/bin/pip install matplotlib") from None
    groups = [m for m in METRIC_NAMES if any(r.metrics for r in report.results)]
    values = {r.mode: [r.metrics.get(m, 0.0) for m in groups] for r in report.results}
    if any(r.negative for r in report.results):
        groups.append("negatives refused")
        for r in report.results:
            values[r.mode].append(r.negative["rate"] if r.negative else 0.0)
    panels = 2 if report.extraction else 1
    figure = Figure(figsize=(11, 4.2 * panels), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(panels, 1, squeeze=False)[:, 0]
    width = 0.8 / max(len(values), 1)
    for i, (mode, heights) in enumerate(values.items()):
        xs = [g + (i - (len(values) - 1) / 2) * width for g in range(len(groups))]
        axes[0].bar(xs, heights, width, label=mode)
    axes[0].set_xticks(range(len(groups)), groups)
    axes[0].set_ylim(0, 1.05)
    axes[0].set_title(f"retrieval on {report.dataset}")
    axes[0].legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(values))
    if report.extraction:
        names = ("exact", "overlap", "attributed")
        for i, label in enumerate(("precision", "recall", "F1")):
            xs = [g + (i - 1) * 0.27 for g in range(len(names))]
            axes[1].bar(xs, [report.extraction[n][i] for n in names], 0.27, label=label)
        axes[1].set_xticks(range(len(names)), names)
        axes[1].set_ylim(0, 1.05)
        axes[1].set_title("quote extraction")
        axes[1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    figure.tight_layout()
    figure.savefig(path, format="png")
    return path


def write_report(report: EvalReport, folder: Path) -> list[Path]:
    """report.md and metrics.png in folder (created if needed)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise NewsqaError(f"cannot create the report folder {folder}: {err.strerror}") from err
    chart = plot_metrics(report, folder / "metrics.png")
    markdown = folder / "report.md"
    markdown.write_text(format_markdown(report, chart.name), encoding="utf-8")
    return [markdown, chart]
