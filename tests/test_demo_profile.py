"""The shipped demo profile: complete enough to work with, and honest about itself."""

from collections import Counter

from weerbaar.domain.sessions import SessionStatus
from weerbaar.services.context import Context
from weerbaar.services.demo import demo_data
from weerbaar.storage.db import Database


def test_demo_is_marked_illustrative_with_a_source() -> None:
    data = demo_data()
    assert isinstance(data, dict)
    assert data["illustrative"] is True
    assert "2019" in data["source"]


def test_demo_covers_the_seven_strengthened_issues_and_more() -> None:
    data = demo_data()
    assert isinstance(data, dict)
    tiers = Counter(t["tier"] for t in data["themes"])
    assert tiers["strengthened"] == 7
    assert tiers["continued_focus"] >= 4
    per_theme = Counter(s["theme"] for s in data["scenarios"])
    assert len(data["scenarios"]) >= 40
    assert all(per_theme[t["key"]] >= 2 for t in data["themes"])
    kinds = {o["kind"] for o in data["organisations"]}
    assert {
        "ministry",
        "agency",
        "municipality",
        "safety_region",
        "business",
        "international_body",
    } <= kinds
    assert len(data["cycles"]) == 1 and len(data["rounds"]) == 1
    assert all(m.get("owner") for m in data["measures"])


def test_demo_carries_a_concluded_session_with_minutes(demo_register: Database) -> None:
    from weerbaar.reports.minutes import minutes_markdown
    from weerbaar.services import sessions
    from weerbaar.services.demo import load_demo
    from weerbaar.services.sign_off import status_board

    (made,) = sessions.list_sessions(demo_register, subject=None)
    assert made.status is SessionStatus.CONCLUDED and len(made.participants) == 3
    text = minutes_markdown(sessions.minutes(demo_register, subject=None, session=made.key))
    assert "2 classes ⚑" in text and "Royal Netherlands Marechaussee" in text
    # An expert's own reasoning stays out of the minutes.
    assert "Goedkope drones zijn overal te koop." not in text
    board = status_board(demo_register, None, made.round)
    waiting = {row.scenario.key: row.status for row in board.rows if row.status != "draft"}
    assert waiting == {"drone-airport-disruption": "reviewed"}
    # Loading the demo again plays nothing twice.
    load_demo(Context(db=demo_register, actor="test:demo"))
    assert len(sessions.list_sessions(demo_register, subject=None)) == 1
