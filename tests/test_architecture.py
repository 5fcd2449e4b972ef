"""The layering the project promises: a pure domain, edges that call inwards."""

import ast
import os
import shutil
import subprocess
import sys
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


@pytest.mark.parametrize("path", sorted((SRC / "domain").rglob("*.py")), ids=lambda p: p.name)
def test_domain_is_pure(path: Path) -> None:
    bad = {
        m
        for m in imports(path)
        if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_IN_DOMAIN)
    }
    assert bad == set()


def test_domain_reads_no_clock() -> None:
    for path in (SRC / "domain").rglob("*.py"):
        text = path.read_text("utf-8")
        assert ".now(" not in text and "today(" not in text, path.name


@pytest.mark.parametrize("layer", ["domain", "storage", "services"])
def test_inner_layers_do_not_import_the_cli(layer: str) -> None:
    for path in (SRC / layer).rglob("*.py"):
        assert not {m for m in imports(path) if m.startswith("weerbaar.cli")}, path.name


ROOT = SRC.parent.parent
PYPROJECT = ROOT / "pyproject.toml"
# import-linter's command, installed beside this interpreter (its module has no __main__).
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's import contracts on the package found first in ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(PYPROJECT), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=src,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(SRC, src / "weerbaar", ignore=shutil.ignore_patterns("__pycache__", "data"))
    return src


def test_the_layer_contracts_hold() -> None:
    result = lint_imports(SRC.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_way", "contract"),
    [
        ("domain/register_probe.py", "import weerbaar.storage.db", "Layers point one way"),
        ("cascade/probe.py", "import weerbaar.simulation.kernel", "Layers point one way"),
        ("formats/probe.py", "import weerbaar.services.records", "Layers point one way"),
        ("web/pages/probe.py", "import weerbaar.web.api.records", "Web pages and the API"),
        ("method/probe.py", "import sqlalchemy", "The pure core uses no framework"),
    ],
)
def test_a_wrong_way_import_breaks_the_build(
    package_copy: Path, module: str, wrong_way: str, contract: str
) -> None:
    probe = package_copy / "weerbaar" / module
    probe.write_text(f"{wrong_way}\n", "utf-8")
    try:
        result = lint_imports(package_copy)
    finally:
        probe.unlink()
    assert result.returncode != 0
    broken = result.stdout[result.stdout.index("Broken contracts") :]
    assert contract in broken
    assert probe.stem in broken
