"""Rules → proposals → decision → concretisation → measure → milestone → progress,
with the ``weerbaar`` command on the demo profile."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from weerbaar.cli.main import app

THEME = "natural-disasters"


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.usefixtures("demo_register")
def test_from_rules_to_progress(runner: CliRunner, tmp_path: Path) -> None:
    answer = json.loads(run(runner, "tiers", "propose", "--format", "json"))
    proposals = {p["theme"]: p for p in answer["themes"]}
    assert proposals[THEME]["current_tier"] == "continued_focus"
    # Its impact calls for national attention, and a capability gap that no measure
    # closes means there is no comprehensive approach yet.
    assert proposals[THEME]["proposed_tier"] == "strengthened"
    assert proposals[THEME]["rule"] == "no-comprehensive-approach"
    assert "gaps_open 1 > 0: met" in [r.strip() for r in proposals[THEME]["reasons"]]
    assert "rule no-comprehensive-approach" in run(runner, "tiers", "propose", "--theme", THEME)

    decide = (
        "tiers",
        "decide",
        THEME,
        "--tier",
        "continued_focus",
        "--by",
        "Council",
        "--rationale",
        "(1) Delta Programme. (2) Yes.",
        "--on",
        "2026-11-01",
    )
    refused = run(runner, *decide, code=3)
    assert "say why the decision differs" in refused
    out = run(runner, *decide, "--deviation", "Flood defences are on schedule.")
    assert "against the proposal (strengthened)" in out
    decision = out.split()[1].rstrip(":")
    shown = run(runner, "decision", "show", decision)
    assert "Flood defences are on schedule." in shown and "no-comprehensive-approach" in shown

    run(
        runner,
        "measure",
        "add",
        "m-floods-evacuation",
        "--title",
        "Evacuation plans",
        "--kind",
        "theme_specific",
        "--status",
        "in_progress",
        "--owner",
        "min-ienw",
        "--theme",
        THEME,
        "--starts-on",
        "2025-01-01",
    )
    run(
        runner,
        "concretisation",
        "add",
        "conc-floods-ienw",
        "--theme",
        THEME,
        "--ministry",
        "min-ienw",
        "--cycle",
        "nss-2019",
        "--decision",
        decision,
        "--status",
        "concretised",
        "--goals",
        "Legal flood standards by 2050.",
        "--measures",
        "m-floods-evacuation",
    )
    early = run(
        runner,
        "milestone",
        "add",
        "ms-early",
        "--title",
        "Too early",
        "--measure",
        "m-floods-evacuation",
        "--due-on",
        "2024-12-31",
        code=3,
    )
    assert "before its measure 'm-floods-evacuation' starts on 2025-01-01" in early
    run(
        runner,
        "milestone",
        "add",
        "ms-floods-plans",
        "--title",
        "Plans adopted",
        "--measure",
        "m-floods-evacuation",
        "--due-on",
        "2025-06-30",
    )

    report = json.loads(
        run(
            runner,
            "report",
            "progress",
            "--ministry",
            "min-ienw",
            "--today",
            "2026-11-29",
            "--format",
            "json",
        )
    )
    text = json.dumps(report)
    assert "ms-floods-plans" in text and "conc-floods-ienw" in text
    assert "ms-early" not in text


@pytest.mark.usefixtures("demo_register")
def test_edited_rules_in_a_dry_run(runner: CliRunner, tmp_path: Path) -> None:
    rules = yaml.safe_load(run(runner, "tiers", "rules"))
    assert rules["rules"][0]["key"] == "no-national-attention"
    assert rules["rules"][0]["when"] == "not(national-attention)"
    before = json.loads(run(runner, "tiers", "dry-run", "--format", "json"))
    assert {c["theme"] for c in before} >= {THEME}
    rules["rules"][0]["when"] = "risk_class > 99"  # never holds
    edited = tmp_path / "rules.yaml"
    edited.write_text(yaml.safe_dump(rules), "utf-8")
    changes = json.loads(
        run(runner, "tiers", "dry-run", "--rules", str(edited), "--format", "json")
    )
    # With no theme set aside for want of national attention, every theme without a
    # comprehensive approach (too few links of the chain, or a gap left open) is
    # strengthened; those already at it do not change.
    strengthened = (
        "cbrn",
        "emerging-technologies",
        "infectious-diseases",
        "multilateral-order",
        "natural-disasters",
        "severe-accidents",
    )
    assert {c["theme"]: (c["proposed"], c["rule"]) for c in changes} == dict.fromkeys(
        strengthened, ("strengthened", "no-comprehensive-approach")
    )
    rules["rules"][0]["when"] = "risk_class >= high"
    edited.write_text(yaml.safe_dump(rules), "utf-8")
    bad = run(runner, "tiers", "dry-run", "--rules", str(edited), code=3)
    assert "rule 'no-national-attention': risk_class needs a number" in bad

    run(runner, "tiers", "rules", "--copy-default")
    assert "already has its own rules" in run(runner, "tiers", "rules", "--copy-default", code=3)
    run(
        runner,
        "tier-rule",
        "edit",
        "nss-2019/no-comprehensive-approach",
        "--conditions",
        "risk_class > 99",
    )
    out = json.loads(run(runner, "tiers", "propose", "--format", "json"))
    assert out["rules_from_cycle"]
    # Nothing left says the approach falls short, so the focus is kept.
    found = {p["theme"]: p for p in out["themes"]}[THEME]
    assert (found["proposed_tier"], found["rule"]) == ("continued_focus", "approach-works")
