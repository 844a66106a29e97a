"""The package's import graph, read with `ast` (nothing is imported): who imports whom, cycles,
and file sizes. Module-level and function-level (lazy) imports are listed apart.

    .venv/bin/python bench/import_graph.py            # retrieval/ and app.py
    .venv/bin/python bench/import_graph.py --dot      # Graphviz, for drawing
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "retrieval"


def modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"} if (ROOT / "app.py").exists() else {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> list[str]:
    if node.level == 0:
        return [node.module or ""]
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    prefix = ".".join(base + ([node.module] if node.module else []))
    if node.module:
        return [prefix]
    return [f"{prefix}.{alias.name}" for alias in node.names]


def edges(found: dict[str, Path]) -> dict[str, dict[str, str]]:
    """module -> {imported module: "top" | "lazy"} for imports inside the project."""
    graph: dict[str, dict[str, str]] = {}
    for name, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lazy, typing_only = set(), set()
        for block in ast.walk(tree):  # `if TYPE_CHECKING:` imports never run
            if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING":
                typing_only.update(id(n) for n in ast.walk(block))
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                lazy.update(
                    id(n) for n in ast.walk(func) if isinstance(n, ast.Import | ast.ImportFrom)
                )
        out: dict[str, str] = {}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                targets = _resolve(name, node, path.name == "__init__.py")
            else:
                continue
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            for target in targets:
                while target and target not in found:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    kind = "lazy" if id(node) in lazy else "top"
                    if out.get(target) != "top":
                        out[target] = kind
        graph[name] = out
    return graph


def cycles(graph: dict[str, dict[str, str]], kinds=("top",)) -> list[list[str]]:
    """Elementary cycles through module-level imports (a small graph: plain DFS)."""
    found, seen = [], set()

    def visit(start, node, path):
        for nxt, kind in graph.get(node, {}).items():
            if kind not in kinds:
                continue
            if nxt == start:
                cycle = path[:]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    found.append(cycle + [start])
            elif nxt not in path and nxt > start:
                visit(start, nxt, path + [nxt])

    for start in sorted(graph):
        visit(start, start, [start])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dot", action="store_true")
    args = parser.parse_args()
    found = modules()
    graph = edges(found)
    if args.dot:
        print("digraph imports {")
        for a, outs in graph.items():
            for b, kind in outs.items():
                print(f'  "{a}" -> "{b}"' + (" [style=dashed]" if kind == "lazy" else ""))
        print("}")
        return
    print("| module | lines | imports (module level) | imports (lazy, in functions) |")
    print("|---|---|---|---|")
    for name, path in found.items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        top = ", ".join(sorted(n.removeprefix(PACKAGE + ".") for n, k in graph[name].items()
                               if k == "top"))  # fmt: skip
        lazy = ", ".join(sorted(n.removeprefix(PACKAGE + ".") for n, k in graph[name].items()
                                if k == "lazy"))  # fmt: skip
        print(f"| {name} | {lines} | {top} | {lazy} |")
    top_cycles = cycles(graph)
    all_cycles = cycles(graph, ("top", "lazy"))
    print(f"\nmodule-level import cycles: {len(top_cycles)}")
    for c in top_cycles:
        print("  " + " -> ".join(c))
    print(f"cycles counting lazy imports: {len(all_cycles)}")
    for c in all_cycles[:20]:
        print("  " + " -> ".join(c))


if __name__ == "__main__":
    main()
