"""The method's reference data: facts from method/NRA.md section 12."""

from weerbaar.reference.alerting import level_scales
from weerbaar.reference.method import editions
from weerbaar.reference.signals import detection_settings


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
