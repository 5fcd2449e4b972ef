"""A synthetic, seeded set of diagram points: about 65 scenarios in 13 themes."""

from __future__ import annotations

import random

from weerbaar.reports.diagram import DiagramPoint, impact_position

THEMES = (
    "Klimaat- en natuurrampen",
    "Infectieziekten",
    "Zware ongevallen",
    "Polarisatie, extremisme en terrorisme",
    "Ongewenste inmenging en beïnvloeding democratische rechtsstaat",
    "Internationale en militaire dreigingen",
    "Economische dreigingen",
    "Cyberdreigingen",
    "Bedreiging vitale infrastructuur",
    "CBRN",
    "Ondermijning",
    "Caribisch Nederland",
    "Energievoorziening",
)
WORDS = (
    "Dike breach",
    "Pandemic",
    "Power failure",
    "Cyber attack",
    "Heat wave",
    "Drought",
    "Storm",
    "Chemical spill",
    "Nuclear incident",
    "Oil supply",
    "Espionage",
    "Disinformation",
    "Riots",
    "Lone actor",
    "Port closure",
    "Bank run",
    "Wildfire",
    "Earthquake",
    "Solar storm",
    "Zoonosis",
    "Rail accident",
    "Drinking water",
    "Gas shortage",
    "Ransomware",
    "Hybrid attack",
    "Supply chain",
    "Hurricane",
)
PLACES = ("Lek", "North", "ports", "grid", "severe", "mild", "Schiphol", "delta", "local", "")


def points(
    count: int = 65, *, seed: int = 7, ranges: bool = True, prefix: str = "S"
) -> list[DiagramPoint]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        theme = THEMES[i % len(THEMES)]
        likelihood = rng.choice((1, 1.5, 2, 2.5, 3, 3, 3.5, 3.5, 4, 4.5, 5))
        value = 3 ** rng.gauss(1.9, 0.8)
        impact = impact_position(value)
        assert impact is not None
        impact = min(max(impact, 0.7), 5.3)
        label = f"{rng.choice(WORDS)} {rng.choice(PLACES)}".strip()
        impact_range = likelihood_range = None
        if ranges and i % 3 != 2:
            impact_range = (impact - rng.uniform(0.2, 0.9), impact + rng.uniform(0.2, 0.9))
            likelihood_range = (likelihood - rng.choice((0.5, 1.0)), likelihood + 0.5)
        out.append(
            DiagramPoint(
                key=f"{prefix}{i + 1:02d}",
                label=label,
                theme=theme,
                impact=impact,
                likelihood=likelihood,
                impact_range=impact_range,
                likelihood_range=likelihood_range,
                new=i % 11 == 4,
                hover={"Owner": f"Ministry {i % 5}", "Scores": f"{i % 7} criteria scored"},
            )
        )
    return out


def previous_round(
    current: list[DiagramPoint], *, seed: int = 3, gone: int = 4
) -> list[DiagramPoint]:
    """An earlier round: most scenarios a little elsewhere, the last few of ``current``
    missing (so they are new), and ``gone`` scenarios that are no longer assessed."""
    rng = random.Random(seed)
    out = []
    for p in current[:-3]:
        out.append(
            DiagramPoint(
                key=p.key,
                label=p.label,
                theme=p.theme,
                impact=min(max(p.impact + rng.choice((-0.6, -0.3, 0.0, 0.0, 0.4)), 0.7), 5.3),
                likelihood=min(
                    max(p.likelihood + rng.choice((-1.0, -0.5, 0.0, 0.0, 0.0, 0.5)), 1), 5
                ),
            )
        )
    for i in range(gone):
        out.append(
            DiagramPoint(
                key=f"OLD{i + 1}",
                label=f"Retired scenario {i + 1}",
                theme=THEMES[i],
                impact=1.5 + i,
                likelihood=1.5 + i,
            )
        )
    return out
