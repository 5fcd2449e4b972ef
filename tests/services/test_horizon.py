"""Trends and alerts from stored signals: a known step in one theme raises "growing
since" near the step, a cluster of unthemed signals raises "possible new threat",
alerts flag scenarios for a round, corrections train the next model, and a reader
sees only what they may."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.helpers import seed_scored_round
from weerbaar.domain.access import Subject
from weerbaar.errors import ValidationError
from weerbaar.reference.access import roles
from weerbaar.services.context import Context
from weerbaar.services.horizon import detect_alerts, flag_alert, label_signal, theme_trends
from weerbaar.services.records import Create, get_record, list_records, write_together
from weerbaar.services.signal_ingest import model_spec
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

START = dt.date(2026, 8, 1)
STEP = 60  # the day the cyber signals jump from about 2 to about 8 a day


def _signal(key: str, day: int, title: str, theme: str | None, **extra: object) -> Create:
    return Create(
        "signals",
        {
            "key": key,
            "title": title,
            "published_on": START + dt.timedelta(days=day),
            "source": extra.pop("source", "nos"),
            "language": "nl",
            "theme": theme,
            **extra,
        },
    )


@pytest.fixture
def stream(ctx: Context) -> Context:
    """Ninety days of floods (steady) and cyber (a step at day 60) signals."""
    seed_scored_round(ctx)  # themes floods and terrorism, scenarios lek-dike, attack-station
    rng = np.random.default_rng(3)
    writes = [
        Create(
            "themes",
            {"key": "cyber", "name": "Cyber", "name_en": "Cyber", "tier": "continued_focus"},
        )
    ]
    for day in range(90):
        for i in range(int(rng.poisson(2.0 if day < STEP else 8.0))):
            writes.append(_signal(f"c-{day}-{i}", day, f"Cyberincident {day}/{i}", "cyber"))
        for i in range(int(rng.poisson(2.0))):
            writes.append(_signal(f"f-{day}-{i}", day, f"Hoogwater {day}/{i}", "floods"))
    write_together(ctx, writes)
    return ctx


def test_the_step_is_found_and_dated(stream: Context, db: Database) -> None:
    trends = {t.theme: t for t in theme_trends(db, until=START + dt.timedelta(days=89))}
    assert trends["floods"].growth is None
    cyber = trends["cyber"]
    assert cyber.since is not None and cyber.detected is not None
    assert abs((cyber.since - START).days - STEP) <= 3
    assert 0 <= (cyber.detected - cyber.since).days <= 7
    assert cyber.volume.sum() == len(
        list_records(db, entity_name="signals", where={"theme": "cyber"})
    )


def test_alerts_are_raised_once_and_flag_scenarios(stream: Context, db: Database) -> None:
    raised = detect_alerts(stream, until=START + dt.timedelta(days=89))
    (growing,) = [v.record for v in raised]
    assert growing.kind == "growing" and growing.theme == "cyber" and growing.status == "open"
    assert growing.signals and all(k.startswith("c-") for k in growing.signals)
    assert detect_alerts(stream, until=START + dt.timedelta(days=89)) == []  # not twice
    flagged = flag_alert(
        stream, growing.key, round_key="r-2019", scenarios=["attack-station"], note="check"
    ).record
    assert (flagged.status, flagged.round, flagged.scenarios) == (
        "flagged",
        "r-2019",
        ("attack-station",),
    )
    with pytest.raises(ValidationError, match="one of the two"):
        flag_alert(stream, growing.key, round_key="r-2019", dismiss=True)


def test_a_cluster_of_unthemed_signals_is_a_possible_new_threat(
    stream: Context, db: Database
) -> None:
    odd = [
        "Onbekende drones zwermen 's nachts boven Nederlandse zeehavens",
        "Drones zwermen opnieuw 's nachts boven zeehavens Rotterdam en Vlissingen",
        "Nachtelijke drones zwermen boven Nederlandse zeehavens, politie onderzoekt",
        "Weer onbekende drones zwermen 's nachts boven zeehavens van Amsterdam",
        "Zwermen drones boven Nederlandse zeehavens: 's nachts waargenomen",
    ]
    writes = [
        _signal(f"d-{i}", 85 + i % 5, text, None, source=f"bron-{i % 3}")
        for i, text in enumerate(odd)
    ]
    writes.append(_signal("noise", 88, "Recept voor appeltaart met kaneel", None))
    write_together(stream, writes)
    raised = [v.record for v in detect_alerts(stream, until=START + dt.timedelta(days=89))]
    (new,) = [a for a in raised if a.kind == "new"]
    assert set(new.signals) == {f"d-{i}" for i in range(5)}
    assert "Possible new threat: 5 signals from 3 sources" in new.title


def test_a_correction_is_stored_as_the_analysts_and_trained_on(
    stream: Context, db: Database
) -> None:
    label_signal(stream, "f-0-0", "cyber")
    signal = get_record(db, entity_name="signals", key="f-0-0").record
    assert (signal.theme, signal.theme_by, signal.theme_confidence) == ("cyber", "analyst", None)
    with db.transaction() as connection:
        spec = model_spec(Repository(connection))
    assert spec.examples[-1].text == signal.title and spec.examples[-1].theme == "cyber"


def test_alerts_and_trends_follow_need_to_know(stream: Context, db: Database) -> None:
    secret = [
        _signal(
            f"s-{day}-{i}",
            day,
            f"Geheim {day}/{i}",
            "floods",
            classification="stg-c",
            owned_by="nctv",
        )
        for day in range(60, 90)
        for i in range(8)
    ]
    write_together(stream, secret)
    outsider = Subject("analyst-x", roles()["analyst"], "min-jenv", "stg-g")
    seen = {
        t.theme: t for t in theme_trends(db, subject=outsider, until=START + dt.timedelta(days=89))
    }
    everything = {t.theme: t for t in theme_trends(db, until=START + dt.timedelta(days=89))}
    assert seen["floods"].growth is None and everything["floods"].growth is not None
    raised = [v.record for v in detect_alerts(stream, until=START + dt.timedelta(days=89))]
    floods = next(a for a in raised if a.theme == "floods")
    assert (floods.classification, floods.owned_by) == ("stg-c", "nctv")
    visible = list_records(db, entity_name="alerts", subject=outsider)
    assert floods.key not in {a.key for a in visible}
