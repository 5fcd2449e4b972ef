"""An update from a file changes only what the file holds: a column (or JSON/YAML
key) the file lacks leaves the field as the register has it, an empty cell (or
null) clears it, and a new record from the same file still gets the defaults."""

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.helpers import SMALL_ROUND, seed_small_register
from weerbaar import formats
from weerbaar.domain.access import Subject
from weerbaar.errors import ValidationError
from weerbaar.formats.raw import RawDocument, RawRow
from weerbaar.reference.access import roles
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, update_record
from weerbaar.services.transfer import export_register, import_register
from weerbaar.storage.db import Database

DESCRIBED = "Acts alone, radicalised online."


def actors(db: Database) -> dict[str, dict[str, object]]:
    return {a["key"]: a for a in export_register(db)["actors"]}


@pytest.fixture
def described(ctx: Context) -> Context:
    """The small register, its actor with a description and a classification."""
    seed_small_register(ctx)
    create_record(
        ctx,
        entity_name="actors",
        raw={
            "key": "state-x",
            "name": "State X",
            "kind": "state",
            "country": "XX",
            "intent": "medium",
            "capability": "high",
            "description": DESCRIBED,
            "classification": "dep-v",
        },
    )
    return ctx


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "actors"
    for row in rows:
        sheet.append(row)
    book.save(path)


def import_file(ctx: Context, path: Path) -> None:
    import_register(ctx, doc=formats.read(path))


def test_csv_without_a_column_leaves_that_field_alone(described: Context, tmp_path: Path) -> None:
    path = tmp_path / "actors.csv"
    path.write_text("key,name,kind,intent,capability\nstate-x,State X renamed,state,high,high\n")
    import_file(described, path)
    actor = actors(described.db)["state-x"]
    assert actor["name"] == "State X renamed" and actor["intent"] == "high"
    assert actor["description"] == DESCRIBED
    assert (actor["country"], actor["classification"]) == ("XX", "dep-v")


def test_csv_with_an_empty_cell_clears_that_field(described: Context, tmp_path: Path) -> None:
    path = tmp_path / "actors.csv"
    path.write_text("key,name,description\nstate-x,State X,\n")
    import_file(described, path)
    actor = actors(described.db)["state-x"]
    assert actor["description"] is None
    assert (actor["intent"], actor["capability"], actor["country"]) == ("medium", "high", "XX")


def test_a_new_record_from_a_partial_file_gets_the_defaults(
    described: Context, tmp_path: Path
) -> None:
    path = tmp_path / "actors.csv"
    path.write_text(
        "key,name,kind,intent,capability\n"
        "state-x,State X,state,medium,high\n"
        "new-actor,New actor,non_state,low,low\n"
    )
    import_file(described, path)
    found = actors(described.db)
    assert found["state-x"]["description"] == DESCRIBED
    new = found["new-actor"]
    assert (new["description"], new["country"], new["classification"]) == (None, None, "public")


def test_xlsx_without_a_column_leaves_it_and_an_empty_cell_clears_it(
    described: Context, tmp_path: Path
) -> None:
    without = tmp_path / "without.xlsx"
    write_xlsx(without, [["key", "intent"], ["state-x", "low"]])
    import_file(described, without)
    actor = actors(described.db)["state-x"]
    assert (actor["intent"], actor["description"], actor["name"]) == ("low", DESCRIBED, "State X")
    empty = tmp_path / "empty.xlsx"
    write_xlsx(empty, [["key", "description"], ["state-x", None]])
    import_file(described, empty)
    assert actors(described.db)["state-x"]["description"] is None


def test_json_missing_key_leaves_it_and_null_clears_it(described: Context, tmp_path: Path) -> None:
    path = tmp_path / "register.json"
    doc = {"format": "weerbaar-register", "format_version": 1}
    path.write_text(json.dumps({**doc, "actors": [{"key": "state-x", "capability": "low"}]}))
    import_file(described, path)
    actor = actors(described.db)["state-x"]
    assert (actor["capability"], actor["description"]) == ("low", DESCRIBED)
    path.write_text(json.dumps({**doc, "actors": [{"key": "state-x", "country": None}]}))
    import_file(described, path)
    actor = actors(described.db)["state-x"]
    assert (actor["country"], actor["description"]) == (None, DESCRIBED)


def test_yaml_missing_key_leaves_it(described: Context, tmp_path: Path) -> None:
    path = tmp_path / "register.yaml"
    path.write_text(
        "format: weerbaar-register\nformat_version: 1\nactors:\n- key: state-x\n  name: Renamed\n"
    )
    import_file(described, path)
    actor = actors(described.db)["state-x"]
    assert (actor["name"], actor["description"]) == ("Renamed", DESCRIBED)


def test_records_keyed_by_their_fields_update_partially_too(ctx: Context, tmp_path: Path) -> None:
    seed_small_register(ctx)
    for entity_name, raw in SMALL_ROUND:
        create_record(ctx, entity_name=entity_name, raw=raw)
    path = tmp_path / "impact_scores.csv"
    path.write_text("round,scenario,criterion,note\nr-2019,lek-dike,2.1,Checked again\n")
    summary = import_register(ctx, doc=formats.read(path))
    assert summary.updated == {**summary.updated, "impact_scores": 1}
    (score,) = [
        s for s in export_register(ctx.db)["impact_scores"] if s["key"] == "r-2019/lek-dike/2.1"
    ]
    assert score["note"] == "Checked again"
    assert (score["quantity"], score["quantity_low"], score["quantity_high"]) == (400, 200, 900)


def test_a_partial_file_that_changes_nothing_writes_nothing(
    described: Context, tmp_path: Path
) -> None:
    path = tmp_path / "actors.csv"
    path.write_text("key,intent\nstate-x,medium\n")
    summary = import_register(described, doc=formats.read(path))
    assert summary.written == 0 and summary.unchanged["actors"] == 1


def test_a_partial_row_over_a_hidden_record_is_not_completed_from_it(
    ctx: Context, db: Database
) -> None:
    seed_small_register(ctx)
    create_record(
        ctx, entity_name="organisations", raw={"key": "aivd", "name": "AIVD", "kind": "agency"}
    )
    hidden = {"classification": "dep-v", "owned_by": "aivd"}
    update_record(ctx, entity_name="scenarios", key="attack-station", changes=hidden)
    outsider = Subject("analyst-nctv", roles()["analyst"], "nctv", "stg-g")
    row = RawRow("scenarios.csv line 2", {"key": "attack-station", "title": "Renamed"})
    with pytest.raises(ValidationError) as refused:
        import_register(
            Context(db=db, actor="test:nctv", subject=outsider),
            doc=RawDocument({"scenarios": [row]}),
        )
    # Only what the row itself lacks is listed: nothing of the stored record is used.
    assert sorted(str(issue) for issue in refused.value.issues) == [
        "scenarios.csv line 2, column 'kind': missing value (required)",
        "scenarios.csv line 2, column 'narrative': missing value (required)",
        "scenarios.csv line 2, column 'theme': missing value (required)",
    ]
    assert export_register(db)["scenarios"][0]["title"] == "Attack on a railway station"
