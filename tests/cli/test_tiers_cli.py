"""``weerbaar tiers`` on the demo profile: proposals with how sure they are and what
would change them, their history over the rounds, and a cycle's own rules loaded from
a file, all or nothing."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from weerbaar.cli.main import app
from weerbaar.services.audit import recent_entries
from weerbaar.services.records import list_records
from weerbaar.storage.db import Database

DEFAULT_RULES = Path(__file__).parents[2] / "src/weerbaar/data/tiering/default.yaml"
THEMES = 13


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _written(db: Database) -> tuple[int, int]:
    """The cycle rules stored, and the length of the audit trail."""
    return (
        len(list_records(db, entity_name="tier_rules")),
        len(recent_entries(db, limit=100_000)),
    )


def test_propose_says_how_sure_and_what_would_change_it(
    runner: CliRunner, demo_register: Database
) -> None:
    out = run(runner, "tiers", "propose")
    themes = list_records(demo_register, entity_name="themes")
    assert len(themes) == THEMES
    for theme in themes:
        assert theme.key in out, theme.key
    assert "1000 draws, seed 2019" in out
    assert re.search(r"\b\d{1,3} %", out)
    assert out.count("What would change it:") >= 10
    assert re.search(r"\d+ of 13 decisions agree with the proposal\.", out)


def test_propose_as_json(runner: CliRunner, demo_register: Database) -> None:
    answer = json.loads(run(runner, "tiers", "propose", "--format", "json"))
    assert (answer["draws"], answer["seed"], answer["round"]) == (1000, 2019, "gra-2019")
    assert len(answer["themes"]) == THEMES
    for theme in answer["themes"]:
        where = theme["theme"]
        shares = theme["shares"]
        assert math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9), where
        assert 0 < theme["certainty"] <= 1, where
        assert theme["certainty"] == shares[theme["proposed_tier"]], where
        assert theme["draws"] == 1000, where
        for change in theme["counterfactuals"]:
            assert change["tier"] != theme["proposed_tier"], where
            assert change["metric"] in change["text"], where
    assert sum(bool(t["counterfactuals"]) for t in answer["themes"]) >= 10
    assert sum(answer["counts"].values()) == THEMES
    one = json.loads(
        run(runner, "tiers", "propose", "--theme", "natural-disasters", "--format", "json")
    )
    assert [t["theme"] for t in one["themes"]] == ["natural-disasters"]


def test_draws_must_be_positive(runner: CliRunner, demo_register: Database) -> None:
    out = run(runner, "tiers", "propose", "--draws", "0", code=2)
    assert "--draws" in out


def test_history_names_the_rounds(runner: CliRunner, demo_register: Database) -> None:
    out = run(runner, "tiers", "history")
    assert "gra-2019" in out
    assert "natural-disasters" in out
    rounds = json.loads(run(runner, "tiers", "history", "--format", "json"))
    assert [r["round"] for r in rounds] == ["gra-2019"]
    assert len(rounds[0]["proposals"]) == THEMES


def _default_rules() -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_RULES.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _circular() -> dict[str, Any]:
    data = _default_rules()
    data["conditions"] = {
        **data["conditions"],
        "loop-one": "all(lead >= 1, loop-two)",
        "loop-two": "any(partners >= 1, loop-one)",
    }
    return data


def _with_rule(when: object, **extra: object) -> dict[str, Any]:
    data = _default_rules()
    rule = {
        "key": "odd-rule",
        "tier": "strengthened",
        "question": 1,
        "when": when,
        "reason": "for the test",
        **extra,
    }
    data["rules"] = [rule, *data["rules"]]
    return data


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (_circular(), "rule 'loop-one': a circular condition: loop-one → loop-two → loop-one"),
        (
            _with_rule(["risk_quantile >= 0.75", "measures == 0"], match="any"),
            "rule 'odd-rule': metric risk_quantile is no longer weighed; use impact_class, "
            "likelihood_class or risk_class",
        ),
        (_with_rule("all()"), "rule 'odd-rule': all() has no condition in it"),
        (_with_rule("any(budget >= 5, lead >= 1)"), "rule 'odd-rule': unknown metric 'budget'"),
    ],
    ids=["circular", "retired-metric", "empty-all", "unknown-metric"],
)
def test_a_rule_file_that_cannot_be_used_writes_nothing(
    runner: CliRunner,
    demo_register: Database,
    tmp_path: Path,
    data: dict[str, object],
    said: str,
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    before = _written(demo_register)
    out = run(runner, "tiers", "rules", "--load", str(path), code=3)
    assert said in " ".join(out.split())
    assert _written(demo_register) == before


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'a: &a ["x", "x"]\nb: [*a, *a]\n', "an alias (*a)"),
        (b"\xff\xfe not text", "cannot read the rule set"),
        (b"- just\n- a list\n", "expected a rule set"),
    ],
    ids=["alias", "not-utf8", "not-a-rule-set"],
)
def test_a_file_that_is_no_rule_set_writes_nothing(
    runner: CliRunner, demo_register: Database, tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(content)
    before = _written(demo_register)
    out = run(runner, "tiers", "rules", "--load", str(path), code=7)
    assert said in " ".join(out.split())
    assert _written(demo_register) == before


def test_a_rule_file_gives_the_cycle_its_rules_once(
    runner: CliRunner, demo_register: Database, tmp_path: Path
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(DEFAULT_RULES.read_text("utf-8"), "utf-8")
    rules, entries = _written(demo_register)
    assert rules == 0
    out = run(runner, "tiers", "rules", "--load", str(path))
    assert "nss-2019 has its own 4 rules now" in out
    assert _written(demo_register)[0] == 4
    assert _written(demo_register)[1] > entries
    shown = yaml.safe_load(run(runner, "tiers", "rules"))
    assert shown["key"] == "nss-2019"
    # A record carries no named conditions: they are written out in each rule.
    assert "conditions" not in shown
    when = {r["key"]: r["when"] for r in shown["rules"]}
    assert when == {
        "no-national-attention": "not(any(risk_class >= 6, impact_class >= 4))",
        "no-comprehensive-approach": (
            "not(all(lead >= 1, chain_links >= 3, partners >= 1, not(gaps_open > 0)))"
        ),
        "approach-falls-behind": (
            "any(threat_level_raised >= 1, any(threat_level >= substantial, "
            "threat_level >= very_high, threat_level >= high_threat, "
            "threat_level >= heavy_measures, threat_level >= critical), risk_trend > 0.3, "
            "signals_growing >= 1, measures_stalled >= 0.5)"
        ),
        "approach-works": "any(risk_class >= 6, impact_class >= 4)",
    }
    before = _written(demo_register)
    refused = run(runner, "tiers", "rules", "--load", str(path), code=3)
    assert "already has its own rules" in refused
    assert _written(demo_register) == before
    answer = json.loads(run(runner, "tiers", "propose", "--format", "json"))
    assert answer["rules_from_cycle"] and answer["rules"] == "nss-2019"
