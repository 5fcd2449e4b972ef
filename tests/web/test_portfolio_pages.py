"""The portfolio, progress and public summary pages: they render on the demo register,
their filters work, a reader outside a classified measure's need-to-know sees it
nowhere, and the public summary is served signed out and shows public records only."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.web.conftest import MakeUser, SignedIn, SignIn
from weerbaar.domain.register import ENTITIES
from weerbaar.services.portfolio import portfolio_view
from weerbaar.services.progress import progress
from weerbaar.services.records import list_records
from weerbaar.storage.db import Database

# A measure classified dep-v, owned by Defence and shared with BZ, Fin and the NCTV,
# and one of its milestones (the same marking).
SECRET_MEASURE = "m-nato-capability-targets"
SECRET_TITLE = "Meeting the NATO capability targets and the Defence Investment Pledge"
SECRET_MILESTONE = "Defence spending reaches 2 % of GDP"
UNCOVERED = "snow-black-ice"
UNCOVERED_TITLE = "Prolonged snowfall and black ice"
DRAFTING = "conc-polarisation-bzk"  # still drafting: not yet concretised

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def coordinator(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("coord", role="coordinator", organisation="nctv", clearance="stg-g"))


@pytest.fixture
def outsider(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    """A viewer of a municipality, cleared for public records only."""
    return sign_in(
        make_user("outsider", role="viewer", organisation="gem-amsterdam", clearance="public")
    )


def _section(page: str, heading_id: str) -> str:
    """The HTML from the element with ``heading_id`` to the next ``<h3`` or section end."""
    start = page.index(f'id="{heading_id}"')
    ends = [i for i in (page.find("<h3", start), page.find("</section>", start)) if i != -1]
    return page[start : min(ends)]


def test_the_portfolio_page_shows_the_matrix_coverage_effort_and_gaps(
    coordinator: SignedIn, demo_db: Database
) -> None:
    view = portfolio_view(demo_db, subject=coordinator.user.subject())
    assert UNCOVERED in {c.scenario.key for c in view.portfolio.uncovered}
    page = coordinator.client.get("/portfolio")
    assert page.status_code == 200
    text = page.text
    assert "<caption>Covering measures per scenario and ministry" in text
    # One row per scenario, its coverage marked in words as well as colour.
    assert text.count('<tr id="scenario-') == len(view.portfolio.coverage)
    row = text[text.index(f'id="scenario-{UNCOVERED}"') :]
    row = row[: row.index("</tr>")]
    assert "No measures" in row and "coverage-none" in row
    # Every column is a ministry, with a header cell of scope col.
    for key in view.portfolio.ministries:
        assert f'<th scope="col"><a href="/organisations/{key}">' in text
    # Cells link to the measures.
    assert f'href="/measures/{SECRET_MEASURE}"' in text
    assert SECRET_TITLE in text  # the NCTV shares the measure
    assert UNCOVERED_TITLE in _section(text, "uncovered")
    for row_ in view.portfolio.only_stalled:
        shown = row_.scenario.title_en or row_.scenario.title
        assert html.escape(shown) in _section(text, "only-stalled")
    for measure in view.portfolio.unlinked:
        assert f'href="/measures/{measure.key}"' in _section(text, "unlinked")
    assert "<caption>Effort per ministry</caption>" in text
    assert "<caption>Effort per theme</caption>" in text
    # The heatmap: figure data in a JSON script element, plotly from this site, an image
    # for browsers without JavaScript; and the downloads.
    assert '<script type="application/json" id="portfolio-data">' in text
    assert '<script src="/static-lib/plotly.min.js?v=' in text
    assert '<img src="/portfolio.png"' in text
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="/portfolio/export.{fmt}"' in text
    # Every filter is labelled.
    for name in ("theme", "ministry"):
        assert f'<label for="filter-{name}">' in text


def test_the_heatmap_json_cannot_end_its_script_element(coordinator: SignedIn) -> None:
    text = coordinator.client.get("/portfolio").text
    data = text[text.index('id="portfolio-data">') :]
    data = data[len('id="portfolio-data">') : data.index("</script>")]
    assert "<" not in data
    spec = json.loads(data)
    assert spec["figure"]["data"][0]["type"] == "heatmap"


def test_the_portfolio_filters_by_theme_and_ministry(
    coordinator: SignedIn, demo_db: Database
) -> None:
    client = coordinator.client
    military = client.get("/portfolio?theme=military-threats")
    assert military.status_code == 200
    assert 'id="scenario-article-5-escalation"' in military.text
    assert f'id="scenario-{UNCOVERED}"' not in military.text
    assert '<option value="military-threats" selected>' in military.text
    jenv = client.get("/portfolio?ministry=JenV")  # by abbreviation, as people type it
    assert jenv.status_code == 200
    view = portfolio_view(demo_db, ministry="min-jenv", subject=coordinator.user.subject())
    assert view.portfolio.ministries == ("min-jenv",)
    assert '<th scope="col"><a href="/organisations/min-jenv">' in jenv.text
    assert '<th scope="col"><a href="/organisations/min-def">' not in jenv.text
    assert 'href="/portfolio/export.csv?ministry=min-jenv"' in jenv.text
    # "any" arrives empty: no filter.
    assert client.get("/portfolio?theme=&ministry=").status_code == 200
    assert client.get("/portfolio?theme=no-such-theme").status_code == 404
    assert client.get("/portfolio?ministry=nobody").status_code == 404


def test_the_portfolio_exports_have_their_content_types(
    coordinator: SignedIn, demo_db: Database
) -> None:
    client = coordinator.client
    view = portfolio_view(demo_db, subject=coordinator.user.subject())
    csv_answer = client.get("/portfolio/export.csv")
    assert csv_answer.status_code == 200
    assert csv_answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="portfolio.csv"' in csv_answer.headers["content-disposition"]
    lines = csv_answer.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("rank,scenario,title,theme,state,measures,")
    assert len(lines) == 1 + len(view.portfolio.coverage)
    assert any(line.split(",")[1] == UNCOVERED and ",none," in line for line in lines)
    xlsx = client.get("/portfolio/export.xlsx")
    assert xlsx.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.max_row == 1 + len(view.portfolio.coverage)
    answer = client.get("/portfolio/export.json")
    assert answer.headers["content-type"] == "application/json"
    data = answer.json()
    assert [r["scenario"] for r in data["rows"]] == [
        c.scenario.key for c in view.portfolio.coverage
    ]
    assert UNCOVERED in data["uncovered"]
    png = client.get("/portfolio.png?theme=military-threats")
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert client.get("/portfolio/export.pdf").status_code == 404


def test_the_progress_page_shows_milestones_records_and_changes(
    coordinator: SignedIn, demo_db: Database
) -> None:
    report = progress(demo_db, subject=coordinator.user.subject()).report
    page = coordinator.client.get("/progress")
    assert page.status_code == 200
    text = page.text
    for state in ("late", "due", "done", "later"):
        assert f'id="milestones-{state}"' in text
    for item in report.milestones:
        assert f'href="/milestones/{item.milestone.key}"' in text
    assert SECRET_MILESTONE in text  # shared with the NCTV
    row = text[text.index(f'<span class="hint">{DRAFTING}</span>') :]
    row = row[: row.index("</tr>")]
    assert "Not yet concretised" in row
    assert text.count("Not yet concretised") == sum(
        1 for c in report.concretisations if c.not_yet_concretised
    )
    assert "Changes since" in text
    assert '<label for="filter-since">' in text


def test_the_progress_filters_and_the_since_date(coordinator: SignedIn, demo_db: Database) -> None:
    client = coordinator.client
    szw = client.get("/progress?ministry=min-szw")
    assert szw.status_code == 200
    report = progress(demo_db, ministry="min-szw", subject=coordinator.user.subject()).report
    shown = set(re.findall(r'href="/milestones/([a-z0-9-]+)"', szw.text))
    assert shown == {m.milestone.key for m in report.milestones}
    assert DRAFTING not in szw.text  # a BZK record
    polarisation = client.get("/progress?theme=polarisation")
    assert DRAFTING in polarisation.text
    since = client.get("/progress?since=2020-01-01")
    assert since.status_code == 200
    assert "Changes since 2020-01-01" in since.text
    old = progress(demo_db, since=dt.date(2020, 1, 1), subject=coordinator.user.subject())
    assert old.report.changes.done
    changes = since.text[since.text.index('id="changes-heading"') :]
    for item in old.report.changes.done:
        assert html.escape(item.milestone.title_en or item.milestone.title) in changes
    bad = client.get("/progress?since=yesterday")
    assert bad.status_code == 422
    assert "is not a date" in bad.text
    assert client.get("/progress?theme=no-such-theme").status_code == 404


def test_an_outsider_sees_the_classified_measure_nowhere(outsider: SignedIn) -> None:
    client = outsider.client
    for url in ("/portfolio", "/portfolio?theme=military-threats", "/progress"):
        page = client.get(url)
        assert page.status_code == 200
        assert SECRET_TITLE not in page.text
        assert SECRET_MEASURE not in page.text
        assert SECRET_MILESTONE not in page.text
    for fmt in ("csv", "json"):
        download = client.get(f"/portfolio/export.{fmt}")
        assert download.status_code == 200
        assert SECRET_TITLE not in download.content.decode("utf-8-sig")
        assert SECRET_MEASURE not in download.content.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(client.get("/portfolio/export.xlsx").content)).active
    assert sheet is not None
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row}
    assert not any(SECRET_TITLE in c or SECRET_MEASURE in c for c in cells)


def _non_public_labels(db: Database) -> set[str]:
    labels = set()
    for spec in ENTITIES:
        for record in list_records(db, entity_name=spec.name):
            if getattr(record, "classification", "public") == "public":
                continue
            for field in ("title", "title_en", "name", "name_en"):
                value = getattr(record, field, None)
                if isinstance(value, str) and value.strip():
                    labels.add(value)
    return labels


def test_the_public_summary_is_served_signed_out_with_public_records_only(
    app: FastAPI, demo_db: Database
) -> None:
    hidden = _non_public_labels(demo_db)
    assert SECRET_TITLE in hidden and SECRET_MILESTONE in hidden
    with TestClient(app, follow_redirects=False) as anonymous:
        page = anonymous.get("/public")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "How the Netherlands prepares for risks and threats" in page.text
        assert "Sign out" not in page.text  # no signed-in navigation
        assert 'href="/public.md"' in page.text and 'href="/public.json"' in page.text
        markdown = anonymous.get("/public.md")
        assert markdown.status_code == 200
        assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
        data = anonymous.get("/public.json")
        assert data.status_code == 200
        assert data.headers["content-type"] == "application/json"
        assert data.json()["tiers"]
        texts = (page.text, html.unescape(page.text), markdown.text, data.text)
        for label in hidden:
            for text in texts:
                assert label not in text, label
        # Only these routes skip signing in.
        for url in ("/portfolio", "/progress", "/portfolio.png", "/portfolio/export.csv"):
            answer = anonymous.get(url)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/login")


def test_signed_in_readers_get_the_same_public_summary(coordinator: SignedIn, app: FastAPI) -> None:
    with TestClient(app) as anonymous:
        assert coordinator.client.get("/public.json").json() == anonymous.get("/public.json").json()


def test_the_navigation_links_the_new_pages(coordinator: SignedIn) -> None:
    nav = coordinator.client.get("/progress").text
    for href in ("/portfolio", "/progress", "/public"):
        assert f'<a href="{href}">' in nav
