"""The reference data: facts from method/NRA.md section 12, every area's files load,
each names its source, and a damaged file is a clear error naming it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from weerbaar.errors import ConfigError
from weerbaar.reference import _loader
from weerbaar.reference.access import classification_levels, roles
from weerbaar.reference.alerting import level_scales, threat_level_names
from weerbaar.reference.capabilities import capability_scale
from weerbaar.reference.cascade import cascade_impact_rules
from weerbaar.reference.method import editions, profiles, scales_sets
from weerbaar.reference.public import self_help
from weerbaar.reference.signals import (
    classifier_settings,
    detection_settings,
    labelled_signals,
    semantic_settings,
    theme_descriptions,
)
from weerbaar.reference.tiering import default_tier_rules
from weerbaar.reference.validation import rule_reference

DATA = Path(str(resources.files("weerbaar.data")))

LOADERS: tuple[Callable[[], Any], ...] = (
    classification_levels,
    roles,
    level_scales,
    threat_level_names,
    capability_scale,
    cascade_impact_rules,
    editions,
    profiles,
    scales_sets,
    classifier_settings,
    detection_settings,
    labelled_signals,
    semantic_settings,
    theme_descriptions,
    default_tier_rules,
    rule_reference,
    self_help,
)


def test_criteria_counts_per_edition() -> None:
    counts = {key: len(e.criteria) for key, e in editions().items()}
    assert counts == {
        "nrb-2008": 10,
        "gra-2019": 16,
        "rbra-2022": 18,
        "weerbaar-2022-calibrated": 18,
    }


def test_interests_five_then_six() -> None:
    assert len(editions()["nrb-2008"].interests) == 5
    for key in ("gra-2019", "rbra-2022"):
        interests = editions()[key].interests
        assert len(interests) == 6
        assert interests[5].name_en == "International legal order and stability"


def test_new_criteria_by_edition() -> None:
    codes = {key: {c.code for c in e.criteria} for key, e in editions().items()}
    assert "1.4" in codes["rbra-2022"] and "6.5" in codes["rbra-2022"]
    assert "1.4" not in codes["gra-2019"] and "6.5" not in codes["gra-2019"]
    assert {"1.3", "3.2"} <= codes["gra-2019"]
    assert not {"1.3", "3.2"} & codes["nrb-2008"]


def test_every_criterion_belongs_to_an_interest_of_its_edition() -> None:
    for edition in editions().values():
        interests = {i.code for i in edition.interests}
        assert {c.interest_code for c in edition.criteria} == interests


def test_threat_level_scales() -> None:
    scales = level_scales()
    dtn = scales["dtn"]
    assert dtn.range == (1, 5)
    assert (dtn.levels[2].name, dtn.levels[2].name_en) == ("Aanzienlijk", "Significant")
    atb = scales["atb"]
    assert [lv.name for lv in atb.levels] == [
        "Basisniveau",
        "Lichte dreiging",
        "Matige dreiging",
        "Hoge dreiging",
    ]


def test_the_detection_settings_load() -> None:
    settings = detection_settings()
    assert settings.h > 0 and settings.baseline_periods >= settings.min_baseline_periods


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_every_area_loads(loader: Callable[[], Any]) -> None:
    assert loader()


def test_every_data_file_names_its_source() -> None:
    files = [p for p in DATA.rglob("*.yaml") if "labelled" not in p.parts]
    assert len(files) > 20
    for path in files:
        data = yaml.safe_load(path.read_text("utf-8"))
        assert isinstance(data, dict) and str(data.get("source", "")).strip(), path


@pytest.fixture
def damaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], None]:
    """A copy of the data the loaders read instead; ``damage(path, text)`` appends the
    text to that file of the copy."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)

    class _Copy:
        @staticmethod
        def files(package: str) -> Path:
            assert package == "weerbaar.data"
            return copy

    monkeypatch.setattr(_loader, "resources", _Copy)

    def damage(path: str, text: str) -> None:
        with (copy / path).open("a", encoding="utf-8") as out:
            out.write(text)

    return damage


def test_a_damaged_file_is_an_error_naming_it(damaged: Callable[[str, str], None]) -> None:
    damaged("access/classifications.yaml", "unexpected: 1\n")
    # The cached loaders keep the shipped data; the functions behind them read the copy.
    with pytest.raises(ConfigError, match=re.escape("weerbaar/data/access/classifications.yaml")):
        classification_levels.__wrapped__()
    damaged("signals/detection.yaml", "period_days: 0\n")  # a repeated key: the last wins
    with pytest.raises(ConfigError, match=re.escape("weerbaar/data/signals/detection.yaml")):
        detection_settings.__wrapped__()


def test_the_reference_data_loads_without_the_engines_heavy_libraries() -> None:
    names = ", ".join(f.__module__ for f in LOADERS)
    code = (
        f"import importlib, sys\n"
        f"for name in {names!r}.split(', '):\n"
        f"    importlib.import_module(name)\n"
        f"print(sorted(m for m in ('sklearn', 'numba', 'scipy', 'plotly', 'matplotlib')"
        f" if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
