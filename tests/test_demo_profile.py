"""The shipped demo profile: complete enough to work with, and honest about itself."""

from collections import Counter

from weerbaar.services.demo import demo_data


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
