"""The layering the project promises: a pure domain, edges that call inwards."""

import ast
from pathlib import Path

import pytest

import weerbaar

SRC = Path(weerbaar.__file__).parent
FORBIDDEN_IN_DOMAIN = (
    "sqlalchemy",
    "alembic",
    "typer",
    "rich",
    "openpyxl",
    "yaml",
    "weerbaar.storage",
    "weerbaar.services",
    "weerbaar.cli",
    "weerbaar.formats",
    "random",
    "time",
    "os",
    "pathlib",
)


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted((SRC / "domain").glob("*.py")), ids=lambda p: p.name)
def test_domain_is_pure(path: Path) -> None:
    bad = {
        m
        for m in imports(path)
        if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_IN_DOMAIN)
    }
    assert bad == set()


def test_domain_reads_no_clock() -> None:
    for path in (SRC / "domain").glob("*.py"):
        text = path.read_text("utf-8")
        assert ".now(" not in text and "today(" not in text, path.name


@pytest.mark.parametrize("layer", ["domain", "storage", "services"])
def test_inner_layers_do_not_import_the_cli(layer: str) -> None:
    for path in (SRC / layer).rglob("*.py"):
        assert not {m for m in imports(path) if m.startswith("weerbaar.cli")}, path.name
