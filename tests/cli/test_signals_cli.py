"""``weerbaar signals`` end to end on real files: ingest, trends with a plot, alerts,
flag, label."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from weerbaar.cli.main import app

DATA = Path(__file__).parents[1] / "data"


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.mark.usefixtures("demo_register")
def test_ingest_trends_alerts_label(runner: CliRunner, tmp_path: Path) -> None:
    report = json.loads(
        run(runner, "signals", "ingest", str(DATA / "signals"), str(DATA / "stix" / "apt1.json"),
            "--workers", "1", "--format", "json")
    )  # fmt: skip
    assert report["created"] > 10 and report["rejected"] >= 15
    assert {"place": "undated.rss item 1", "reason": "no publication date"} in report["rejections"]
    assert "apt1" in report["actors_created"]
    shown = run(runner, "signals", "ingest", str(DATA / "signals"), "--workers", "1", "--no-alerts")
    assert "0 new" in shown and "Skipped" in shown

    plot = tmp_path / "trends.png"
    answer = run(runner, "signals", "trends", "--plot", str(plot), "--format", "json")
    trends = json.loads(answer)["themes"]
    assert {t["theme"] for t in trends} >= {"cyber", "vital-infrastructure"}
    assert sum(sum(t["volume"]) for t in trends) > 0
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert "Signals per theme" in run(runner, "signals", "trends")

    signals = json.loads(run(runner, "signal", "list", "--format", "json"))
    key = signals[0]["key"]
    assert "theme cyber (by an analyst)" in run(runner, "signals", "label", key, "cyber")
    assert (
        json.loads(run(runner, "signal", "show", key, "--format", "json"))["theme_by"] == "analyst"
    )
    # The demo's own alert; the few files taken in raise no new one.
    alerts = json.loads(run(runner, "signals", "alerts", "--detect", "--format", "json"))
    assert [a["key"] for a in alerts] == ["grow-cyber-20261102"]
    assert alerts[0]["status"] == "open" and "ics-sabotage-electricity" in alerts[0]["scenarios"]
    flagged = run(runner, "signals", "flag", "grow-cyber-20261102", "--round", "gra-2019")
    assert "flagged for gra-2019" in flagged


def test_bad_options_are_named(runner: CliRunner) -> None:
    run(runner, "init")
    out = run(runner, "signals", "ingest", "x.rss", "--kind", "pdf", code=3)
    assert "one of feed, json, csv, stix, misp" in out
    missing = "/no/such/file.rss"
    out = run(runner, "signals", "ingest", missing, "--workers", "1", "--format", "json")
    assert json.loads(out)["rejections"] == [
        {"place": missing, "reason": "no such file, folder or web address"}
    ]
    out = run(runner, "signals", "trends", "--since", "yesterday", code=3)
    assert "not a date" in out
    run(runner, "signals", "flag", "no-such-alert", "--dismiss", code=5)


def test_ingest_semantic_counts_a_dutch_and_an_english_report_once(
    runner: CliRunner, tmp_path: Path
) -> None:
    from tests.signals.test_semantic import SAME_EVENT

    archive = tmp_path / "twee-talen.jsonl"
    rows = [
        {"title": SAME_EVENT[1][0], "published": "2026-11-02", "source": "nos", "id": "1"},
        {"title": SAME_EVENT[1][1], "published": "2026-11-03", "source": "reuters", "id": "2"},
    ]
    archive.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    run(runner, "init")
    args = ["signals", "ingest", str(archive), "--workers", "1", "--format", "json"]
    report = json.loads(run(runner, *args, "--semantic", "--no-alerts"))
    assert (report["created"], report["cross_language_repeats"]) == (2, 1)
