"""One registry of environment variables, and README's configuration table lists them all."""

import ast
from pathlib import Path

import pytest

from retrieval.config import ENVIRONMENT, env

ROOT = Path(__file__).resolve().parent.parent


def test_readme_lists_every_registered_variable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in ENVIRONMENT if f"`{name}`" not in table]
    assert not missing, f"README's configuration table lacks {missing}"


def test_no_module_reads_the_environment_but_config():
    offenders = []
    for path in [ROOT / "app.py", *sorted((ROOT / "retrieval").rglob("*.py"))]:
        if path.name == "config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            reads = isinstance(node, ast.Call) and ast.unparse(node.func) in (
                "os.environ.get", "os.getenv", "os.environ.setdefault")  # fmt: skip
            if reads or (isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ"
                         and isinstance(node.ctx, ast.Load)):  # fmt: skip
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders


def test_an_unregistered_variable_is_refused():
    with pytest.raises(KeyError, match="register it"):
        env("NEWSQA_NOT_A_SETTING")


def test_readme_says_what_the_first_install_fetches_and_the_cpu_path():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "What the first install fetches" in readme and "PIP_EXTRA_INDEX_URL" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    # pip reads its PIP_* variables itself: the Makefile must not override them.
    assert "PIP_INDEX_URL" not in makefile and "PIP_EXTRA_INDEX_URL" not in makefile
    assert "torch==2.13.0" in makefile  # pinned, installed first
    host = "download." + "pytorch.org"  # named nowhere in the repository, this line included
    skip = {".venv", ".git", "index", "test-artifacts", "node_modules"}
    files = [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.parts)
             and p.suffix in {".md", ".py", ".toml", ".cfg", ""}]  # fmt: skip
    assert not [p for p in files if host in p.read_text(errors="ignore")]
