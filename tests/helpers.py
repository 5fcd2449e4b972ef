"""Small registers built through the services, for tests that need some records."""

from __future__ import annotations

from weerbaar.services.context import Context
from weerbaar.services.records import create_record

SMALL_REGISTER: list[tuple[str, dict[str, object]]] = [
    (
        "organisations",
        {
            "key": "min-jenv",
            "name": "Ministerie van Justitie en Veiligheid",
            "kind": "ministry",
            "abbreviation": "JenV",
            "country": "NL",
        },
    ),
    (
        "organisations",
        {
            "key": "nctv",
            "name": "Nationaal Coördinator Terrorismebestrijding en Veiligheid",
            "kind": "agency",
            "parent": "min-jenv",
        },
    ),
    (
        "cycles",
        {
            "key": "nss-2019",
            "name": "NVS 2019–2022",
            "starts_on": "2019-06-01",
            "ends_on": "2022-12-31",
        },
    ),
    (
        "themes",
        {
            "key": "terrorism",
            "name": "Terrorisme en extremisme",
            "name_en": "Terrorism and extremism",
            "tier": "strengthened",
            "lead": "min-jenv",
        },
    ),
    ("threats", {"key": "jihadism", "theme": "terrorism", "name": "Jihadistisch terrorisme"}),
    (
        "actors",
        {
            "key": "lone-actor",
            "name": "Lone actor",
            "kind": "non_state",
            "intent": "high",
            "capability": "low",
        },
    ),
    (
        "scenarios",
        {
            "key": "attack-station",
            "title": "Attack on a railway station",
            "kind": "threat",
            "theme": "terrorism",
            "threat": "jihadism",
            "narrative": "A lone actor attacks travellers at rush hour.",
            "actors": "lone-actor",
        },
    ),
]


def seed_small_register(ctx: Context) -> None:
    for entity_name, raw in SMALL_REGISTER:
        create_record(ctx, entity_name=entity_name, raw=raw)
