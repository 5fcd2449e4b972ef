"""The signal pages: the filtered list with its counts, an analyst's theme, a file
taken in, the trends figure, alerts detected, flagged and dismissed; what a viewer
may not do, forms without CSRF, and need-to-know over all of it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.web.conftest import MakeUser, SignedIn, SignIn
from weerbaar.services.context import Context
from weerbaar.services.records import Create, get_record, list_records, write_together
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

DATA = Path(__file__).resolve().parents[1] / "data" / "signals"
START = dt.date(2026, 8, 1)
STEP = 60  # the day the cyber signals jump from about 2 to about 8 a day
DAYS = 90
EVENT = "event-flood"  # a first report told by two more visible sources
SECRET = "secret-cyber"  # stg-c, owned by the AIVD: hidden from an NCTV analyst
SECRET_REPEAT = "secret-repeat"  # a hidden repeat of EVENT
SECRET_ALERT = "secret-alert"


def _signal(key: str, day: int, title: str, theme: str | None, **extra: object) -> Create:
    return Create(
        "signals",
        {
            "key": key,
            "title": title,
            "published_on": START + dt.timedelta(days=day),
            "source": extra.pop("source", "nos"),
            "language": extra.pop("language", "nl"),
            "theme": theme,
            **extra,
        },
    )


def _without_demo_signals(db: Database) -> None:
    """The demo profile's own signals and alert out of the way, so that the counts
    below are those of the seeded signals alone (test set-up: no audit entries)."""
    with db.transaction(write=True) as connection:
        repo = Repository(connection)
        for name in ("alerts", "signals"):
            versions = repo.versions(name)
            records = repo.fetch(name)
            # Repeats before the first reports they point at.
            records.sort(key=lambda r: getattr(r, "duplicate_of", None) is None)
            for record in records:
                repo.delete(name, record.key, expected_version=versions[record.key])


def seed_signals(db: Database) -> None:
    """Ninety days of steady natural-disaster and stepping cyber signals, an event
    told three times (and once more in secret), and hidden signals and an alert."""
    _without_demo_signals(db)
    rng = np.random.default_rng(3)
    writes = []
    for day in range(DAYS):
        for i in range(int(rng.poisson(2.0 if day < STEP else 8.0))):
            writes.append(
                _signal(
                    f"c-{day}-{i}",
                    day,
                    f"Cyberincident {day}/{i}",
                    "cyber",
                    theme_by="model",
                    theme_confidence=0.43,
                )
            )
        for i in range(int(rng.poisson(2.0))):
            writes.append(_signal(f"f-{day}-{i}", day, f"Hoogwater {day}/{i}", "natural-disasters"))
    writes += [
        _signal(
            EVENT,
            DAYS - 2,
            "Dijk bij Culemborg doorgebroken",
            "natural-disasters",
            source="nos",
            summary="Evacuatie van de Betuwe",
        ),
        _signal(
            "event-flood-b",
            DAYS - 2,
            "Dike breach near Culemborg",
            "natural-disasters",
            source="reuters",
            language="en",
            duplicate_of=EVENT,
        ),
        _signal(
            "event-flood-c",
            DAYS - 1,
            "Dijkdoorbraak Culemborg",
            "natural-disasters",
            source="rtl",
            duplicate_of=EVENT,
        ),
        _signal("loose-1", DAYS - 1, "Appeltaart met kaneel", None, source="blog"),
        _signal(
            SECRET,
            DAYS - 1,
            "Geheime inlichtingen over een cyberaanval",
            "cyber",
            source="aivd-feed",
            classification="stg-c",
            owned_by="aivd",
        ),
        _signal(
            SECRET_REPEAT,
            DAYS - 1,
            "Geheim: dijk Culemborg",
            "natural-disasters",
            source="aivd-feed",
            duplicate_of=EVENT,
            classification="stg-c",
            owned_by="aivd",
        ),
    ]
    writes.append(
        Create(
            "alerts",
            {
                "key": SECRET_ALERT,
                "kind": "new",
                "title": "Geheime nieuwe dreiging",
                "since": START + dt.timedelta(days=DAYS - 1),
                "detected_on": START + dt.timedelta(days=DAYS),
                "status": "open",
                "signals": [SECRET],
                "classification": "stg-c",
                "owned_by": "aivd",
            },
        )
    )
    write_together(Context(db=db, actor="test:setup"), writes)


def visible_cyber(db: Database) -> int:
    """The cyber first reports an NCTV analyst may see: all but the secret one."""
    return len(list_records(db, entity_name="signals", where={"theme": "cyber"})) - 1


@pytest.fixture
def seeded(demo_db: Database) -> Database:
    seed_signals(demo_db)
    return demo_db


@pytest.fixture
def analyst(seeded: Database, make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("ana", role="analyst", clearance="stg-g"))


@pytest.fixture
def viewer(seeded: Database, make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("vic", role="viewer", clearance="stg-g"))


def row_of(html: str, key: str) -> str:
    found = re.search(rf'<tr id="signal-{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {key}"
    return found.group(1)


def figure_of(html: str, element: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', html, re.S)
    assert found, f"no {element} in the page"
    figure: dict[str, Any] = json.loads(found.group(1))["figure"]
    return figure


def _round(db: Database) -> str:
    rounds = list_records(db, entity_name="rounds")
    return str(sorted(rounds, key=lambda r: (r.held_on, r.key))[-1].key)


# -- the list --------------------------------------------------------------------------


def test_the_list_shows_first_reports_newest_first_with_their_sources(
    analyst: SignedIn,
) -> None:
    page = analyst.client.get("/signals")
    assert page.status_code == 200, page.text
    assert '<a href="/signals">Signals</a>' in page.text  # navigation
    row = row_of(page.text, EVENT)
    assert '<td class="reports">3</td>' in row  # itself and two visible repeats
    assert f'href="/signals/{EVENT}"' in row
    assert "event-flood-b" not in page.text  # a repeat: not a first report
    assert SECRET not in page.text and "Geheim" not in page.text
    dates = re.findall(r'<tr id="signal-[^"]+">\s*<td>([0-9-]+)</td>', page.text)
    assert len(dates) == 50 and dates == sorted(dates, reverse=True)
    assert 'rel="next"' in page.text
    cyber = row_of(page.text, f"c-{DAYS - 1}-0")
    assert "Cyber" in cyber and "model 0.43" in cyber
    assert 'action="/signals/ingest' in page.text and "label-form" in page.text


def test_the_filters_and_the_counts_follow_need_to_know(
    analyst: SignedIn, seeded: Database
) -> None:
    cyber = analyst.client.get("/signals", params={"theme": "cyber", "applied": "1", "first": "1"})
    assert cyber.status_code == 200
    count = visible_cyber(seeded)
    assert f"{count} signals" in cyber.text
    counted = re.search(r'<tr id="theme-count-cyber">.*?<td>(\d+)</td>', cyber.text, re.S)
    assert counted and int(counted.group(1)) == count
    assert "aivd-feed" not in cyber.text  # not among the sources, not in the filter

    none = analyst.client.get("/signals", params={"theme": "-"})
    assert "Appeltaart" in none.text and "1 signal." in none.text

    found = analyst.client.get(
        "/signals", params={"q": "betuwe", "source": "nos", "language": "nl", "kind": "news"}
    )
    assert "1 signal." in found.text and f'id="signal-{EVENT}"' in found.text

    every = analyst.client.get(
        "/signals",
        params={
            "applied": "1",
            "from": "2026-10-28",
            "to": "2026-10-29",
            "theme": "natural-disasters",
        },
    )
    assert 'id="signal-event-flood-b"' in every.text  # repeats too without "first only"
    assert '<span class="badge">repeat</span>' in every.text
    assert 'id="signal-secret-repeat"' not in every.text

    bad = analyst.client.get("/signals", params={"from": "yesterday", "theme": "atlantis"})
    assert bad.status_code == 422
    assert 'id="error-from"' in bad.text and 'id="error-theme"' in bad.text


def test_a_correction_makes_the_theme_the_analysts(analyst: SignedIn, seeded: Database) -> None:
    answer = analyst.client.post(
        "/signals/loose-1/label",
        data={"csrf_token": analyst.csrf_token, "theme": "cyber", "next": "/signals?theme=-"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signals?theme=-#signal-loose-1"
    signal = get_record(seeded, entity_name="signals", key="loose-1").record
    assert (signal.theme, signal.theme_by, signal.theme_confidence) == ("cyber", "analyst", None)
    page = analyst.client.get("/signals", params={"q": "appeltaart"})
    assert "analyst" in row_of(page.text, "loose-1")
    elsewhere = analyst.client.post(
        "/signals/loose-1/label",
        data={"csrf_token": analyst.csrf_token, "theme": "", "next": "https://evil.example/"},
    )
    assert elsewhere.headers["location"] == "/signals#signal-loose-1"
    assert get_record(seeded, entity_name="signals", key="loose-1").record.theme is None


def test_an_upload_stores_the_good_items_and_lists_the_rejected(
    analyst: SignedIn, seeded: Database
) -> None:
    data = (DATA / "dates.rss").read_bytes()
    page = analyst.client.post(
        "/signals/ingest",
        data={"csrf_token": analyst.csrf_token},
        files={"file": ("dates.rss", data, "application/rss+xml")},
    )
    assert page.status_code == 200, page.text
    assert 'id="ingest-report"' in page.text
    titles = {s.title for s in list_records(seeded, entity_name="signals")}
    assert "Ransomware hits port logistics" in titles
    assert "Dated far in the future" not in titles
    assert "dates.rss item 5" in page.text
    assert "publication date 2099-01-01 is in the future" in page.text
    created = re.search(r'<dd id="count-created">(\d+)</dd>', page.text)
    assert created and int(created.group(1)) >= 1

    unreadable = analyst.client.post(
        "/signals/ingest",
        data={"csrf_token": analyst.csrf_token},
        files={"file": ("notes.txt", b"just some words", "text/plain")},
    )
    assert unreadable.status_code == 422 and 'id="error-file"' in unreadable.text


def test_an_upload_over_the_limit_is_refused(analyst: SignedIn) -> None:
    big = b"<rss>" + b" " * (20 * 1024 * 1024)
    page = analyst.client.post(
        "/signals/ingest",
        data={"csrf_token": analyst.csrf_token},
        files={"file": ("big.rss", big, "application/rss+xml")},
    )
    assert page.status_code == 422
    assert "at most 20 MB" in page.text


# -- trends ----------------------------------------------------------------------------


def test_the_trends_figure_has_a_panel_per_theme_with_signals(
    analyst: SignedIn, seeded: Database
) -> None:
    page = analyst.client.get("/signals/trends")
    assert page.status_code == 200, page.text
    figure = figure_of(page.text, "signal-trends-data")
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert any(t.startswith("Cyber security") and "growing since" in t for t in titles)
    bars = [t for t in figure["data"] if t["type"] == "bar"]
    assert len(bars) == 2  # cyber and natural disasters; the other themes quiet
    cyber = next(b for b in bars if "Cyber" in b["hovertemplate"])
    # In the window (the demo's own older signals are not): the secret signal not counted.
    stepping = [s for s in list_records(seeded, entity_name="signals") if s.key.startswith("c-")]
    assert sum(cyber["y"]) == len(stepping)
    assert figure["layout"]["shapes"], "the growing stretch is not shaded"
    assert "No signals for:" in page.text
    assert "Polarisation" in page.text.split("No signals for:")[1]
    narrow = analyst.client.get(
        "/signals/trends", params={"since": "2026-08-01", "until": "2026-08-10"}
    )
    assert narrow.status_code == 200
    bad = analyst.client.get(
        "/signals/trends", params={"since": "2026-09-01", "until": "2026-08-01"}
    )
    assert bad.status_code == 422 and 'id="error-since"' in bad.text


# -- alerts ----------------------------------------------------------------------------


def test_detect_then_flag_and_dismiss(analyst: SignedIn, seeded: Database) -> None:
    listed = analyst.client.get("/signals/alerts")
    assert listed.status_code == 200
    assert "Geheime nieuwe dreiging" not in listed.text and "Detect now" in listed.text
    detected = analyst.client.post(
        "/signals/alerts/detect", data={"csrf_token": analyst.csrf_token}
    )
    assert detected.status_code == 200, detected.text
    assert 'id="raised"' in detected.text
    (alert,) = [a for a in list_records(seeded, entity_name="alerts") if a.theme == "cyber"]
    assert f'href="#alert-{alert.key}"' in detected.text
    card = detected.text.split(f'id="alert-{alert.key}"')[1].split("</article>")[0]
    assert "/signals/c-" in card and SECRET not in card
    if len(alert.signals) > 10:
        assert f"and {len(alert.signals) - 10} more" in card
    assert alert.scenarios and f"/scenarios/{alert.scenarios[0]}" in card

    again = analyst.client.post("/signals/alerts/detect", data={"csrf_token": analyst.csrf_token})
    assert "No new alert" in again.text

    round_key = _round(seeded)
    flagged = analyst.client.post(
        f"/signals/alerts/{alert.key}/flag",
        data={
            "csrf_token": analyst.csrf_token,
            "round": round_key,
            "scenarios": [alert.scenarios[0]],
            "note": "reassess",
        },
    )
    assert flagged.status_code == 303, flagged.text
    stored = get_record(seeded, entity_name="alerts", key=alert.key).record
    assert (stored.status, stored.round, stored.scenarios, stored.note) == (
        "flagged",
        round_key,
        (alert.scenarios[0],),
        "reassess",
    )
    only_flagged = analyst.client.get("/signals/alerts", params={"status": "flagged"})
    assert f'id="alert-{alert.key}"' in only_flagged.text
    no_round = analyst.client.post(
        f"/signals/alerts/{alert.key}/flag", data={"csrf_token": analyst.csrf_token}
    )
    assert no_round.status_code == 422 and f'id="error-{alert.key}"' in no_round.text

    dismissed = analyst.client.post(
        f"/signals/alerts/{alert.key}/dismiss",
        data={"csrf_token": analyst.csrf_token, "note": "seen it"},
    )
    assert dismissed.status_code == 303
    stored = get_record(seeded, entity_name="alerts", key=alert.key).record
    assert (stored.status, stored.round, stored.note) == ("dismissed", None, "seen it")


# -- who may do what -------------------------------------------------------------------


def test_forms_without_csrf_are_refused(analyst: SignedIn) -> None:
    for path, data in (
        ("/signals/loose-1/label", {"theme": "cyber"}),
        ("/signals/alerts/detect", {}),
        ("/signals/alerts/secret-alert/dismiss", {}),
    ):
        assert analyst.client.post(path, data=data).status_code == 403, path
    upload = analyst.client.post(
        "/signals/ingest", files={"file": ("dates.rss", b"<rss/>", "application/rss+xml")}
    )
    assert upload.status_code == 403


def test_a_viewer_sees_no_write_forms_and_may_not_write(viewer: SignedIn) -> None:
    page = viewer.client.get("/signals")
    assert page.status_code == 200
    assert "label-form" not in page.text and "/signals/ingest" not in page.text
    alerts = viewer.client.get("/signals/alerts")
    assert alerts.status_code == 200 and "Detect now" not in alerts.text
    token = viewer.csrf_token
    assert (
        viewer.client.post("/signals/loose-1/label", data={"csrf_token": token, "theme": "cyber"})
    ).status_code == 403
    assert (
        viewer.client.post("/signals/alerts/detect", data={"csrf_token": token})
    ).status_code == 403
    assert (
        viewer.client.post(
            "/signals/ingest",
            data={"csrf_token": token},
            files={"file": ("dates.rss", (DATA / "dates.rss").read_bytes(), "text/xml")},
        )
    ).status_code == 403
    assert (
        viewer.client.post("/signals/alerts/x/flag", data={"csrf_token": token, "round": "r"})
    ).status_code == 403


def test_the_owners_analyst_sees_the_secret_signal(
    seeded: Database, make_user: MakeUser, sign_in: SignIn
) -> None:
    insider = sign_in(make_user("ina", role="analyst", organisation="aivd", clearance="stg-c"))
    page = insider.client.get("/signals", params={"q": "Culemborg"})
    assert '<td class="reports">4</td>' in row_of(page.text, EVENT)
    alerts = insider.client.get("/signals/alerts")
    assert "Geheime nieuwe dreiging" in alerts.text
