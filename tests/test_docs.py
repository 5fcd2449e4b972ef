"""The README documents what the command line offers."""

from pathlib import Path

from weerbaar.cli.main import app
from weerbaar.domain.register import ENTITIES

README = (Path(__file__).parents[1] / "README.md").read_text("utf-8")


def test_every_command_is_in_the_readme() -> None:
    names = [c.name for c in app.registered_commands if c.name] + [
        g.name for g in app.registered_groups if g.name
    ]
    missing = [n for n in names if f"weerbaar {n}" not in README and f"`{n}`" not in README]
    assert missing == []


def test_every_entity_is_in_the_readme_and_the_format_doc() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "register-format.md").read_text("utf-8")
    for spec in ENTITIES:
        assert f"`{spec.singular.replace(' ', '-')}`" in README
        assert f"### {spec.name}" in doc
        for field in spec.field_names:
            assert f"| {field}" in doc, f"{spec.name}.{field}"
