"""Need-to-know in the audit trail's views, over the whole access matrix.

The register of :mod:`tests.web.test_access_matrix`, with deletions: per case, the
score of its scenario is deleted (a deleted score of a possibly hidden scenario); a
second scenario is deleted with its score, and, where the theme carries the marking,
its theme after it (deleted records whose required parent was deleted too); and under
a marked theme a third scenario is deleted while the theme lives on. Every record's
key contains its case's scenario or theme key, so the matrix's leak check finds any
of them wherever it appears.

Each account is checked on the service, the API and the page: exactly the entries of
the records it may see, no hidden key anywhere, references to deleted records read by
their last state, hidden keys answering as missing ones, and no trail sequence or
hash for anyone but administrators.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import make_token, open_session, settings_for, trail_config
from tests.web.conftest import PASSWORD, copy_database
from tests.web.test_access_matrix import (
    ACCOUNTS,
    CASES,
    OTHER,
    OWNER,
    THIRD,
    Account,
    Case,
    leaks,
    marking,
    may_see,
)
from weerbaar.services import accounts
from weerbaar.services.audit import trail_page
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, delete_record, update_record
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app
from weerbaar.web.auth import SESSION_COOKIE

ROUND = "r-1"


def score_key(scenario: str) -> str:
    return f"{ROUND}/{scenario}/1.2"


def gone(case: Case) -> str:
    """A scenario deleted with its score (and its theme, where that carries the marking)."""
    return f"{case.key}-gone"


def gone_theme(case: Case) -> str:
    return f"{case.theme}-gone"


def dropped(case: Case) -> str:
    """A scenario deleted from under its marked theme, which lives on."""
    return f"{case.key}-dropped"


def deleted_records_of(case: Case) -> list[tuple[str, str]]:
    """What the set-up deletes of ``case``, in the order it deletes them."""
    found = [
        ("impact_scores", score_key(case.key)),
        ("impact_scores", score_key(gone(case))),
        ("scenarios", gone(case)),
    ]
    if case.carrier == "theme":
        found += [
            ("themes", gone_theme(case)),
            ("impact_scores", score_key(dropped(case))),
            ("scenarios", dropped(case)),
        ]
    return found


def records_of(case: Case) -> list[tuple[str, str]]:
    """Every (entity, key) the trail holds entries of for ``case``."""
    found = [("scenarios", case.key), *deleted_records_of(case)]
    if case.carrier == "theme":
        found.append(("themes", case.theme))
    return found


CASE_OF = {record: case for case in CASES for record in records_of(case)}
MISSING = {
    "scenarios": "s99-missing",
    "themes": "t99-missing",
    "impact_scores": score_key("s99-missing"),
}


def visible_records(account: Account) -> set[tuple[str, str]]:
    return {record for record, case in CASE_OF.items() if may_see(account, case)}


def scenarios_ever_referred(account: Account) -> list[str]:
    """What the measure referred to first, as far as ``account`` may see."""
    keys = [case.key for case in CASES] + [gone(c) for c in CASES]
    keys += [dropped(c) for c in CASES if c.carrier == "theme"]
    return sorted(k for k in keys if may_see(account, CASE_OF[("scenarios", k)]))


# ---------------------------------------------------------------- the register


def _build(db: Database) -> None:
    operator = Context(db=db, actor="test:setup")

    def add(entity_name: str, raw: dict[str, object]) -> None:
        create_record(operator, entity_name=entity_name, raw=raw)

    def scenario(key: str, theme: str, scenario_marking: dict[str, object]) -> None:
        add(
            "scenarios",
            {
                "key": key,
                "title": f"Matrix scenario {key}",
                "kind": "hazard",
                "theme": theme,
                "narrative": f"Matrix narrative for {key}.",
                **scenario_marking,
            },
        )
        add("impact_scores", {"round": ROUND, "scenario": key, "criterion": "1.2", "expected": "B"})

    for org in (OWNER, OTHER, THIRD):
        add("organisations", {"key": org, "name": org.upper(), "kind": "agency"})
    add(
        "cycles",
        {"key": "nss", "name": "Matrix cycle", "starts_on": "2019-01-01", "ends_on": "2022-12-31"},
    )
    add(
        "rounds",
        {
            "key": ROUND,
            "cycle": "nss",
            "name": "Matrix round",
            "held_on": "2019-03-01",
            "edition": "gra-2019",
            "status": "open",
        },
    )
    add("themes", {"key": "matrix-open", "name": "Open", "name_en": "Open", "tier": "strengthened"})
    for case in CASES:
        on_scenario = marking(case.level, case.sharing) if case.carrier == "scenario" else {}
        gone_under = case.theme
        if case.carrier == "theme":
            gone_under = gone_theme(case)
            for theme in (case.theme, gone_under):
                add(
                    "themes",
                    {
                        "key": theme,
                        "name": f"Matrix theme {theme}",
                        "name_en": f"Matrix theme {theme}",
                        "tier": "strengthened",
                        **marking(case.level, case.sharing),
                    },
                )
            scenario(dropped(case), case.theme, {})
        scenario(case.key, case.theme, on_scenario)
        scenario(gone(case), gone_under, on_scenario)

    everything = [case.key for case in CASES] + [gone(c) for c in CASES]
    everything += [dropped(c) for c in CASES if c.carrier == "theme"]
    add(
        "measures",
        {
            "key": "matrix-measure",
            "title": "Matrix measure",
            "kind": "generic",
            "status": "planned",
            "owner": THIRD,
            "scenarios": everything,
        },
    )
    # It lets go of what is deleted next, so its create and this update name them.
    update_record(
        operator,
        entity_name="measures",
        key="matrix-measure",
        changes={"scenarios": [case.key for case in CASES]},
    )
    for case in CASES:
        for entity_name, key in deleted_records_of(case):
            delete_record(operator, entity_name=entity_name, key=key)


@pytest.fixture(scope="module")
def trail_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    template = tmp_path_factory.mktemp("audit-matrix-template") / "register.db"
    db = Database(f"sqlite:///{template}", trail=trail_config())
    db.upgrade()
    _build(db)
    db.dispose()
    path = tmp_path_factory.mktemp("audit-matrix") / "register.db"
    db = Database(copy_database(template, path), trail=trail_config())
    operator = Context(db=db, actor="test:setup")
    for account in ACCOUNTS:
        accounts.add_user(
            operator,
            username=account.username,
            password=PASSWORD,
            role=account.role,
            organisation=account.organisation,
            clearance=account.clearance,
        )
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def trail_app(trail_db: Database) -> FastAPI:
    return create_app(settings_for(trail_db), db=trail_db)


@pytest.fixture(params=ACCOUNTS, ids=lambda a: a.username)
def account(request: pytest.FixtureRequest) -> Account:
    found: Account = request.param
    return found


@pytest.fixture
def api(trail_app: FastAPI, trail_db: Database, account: Account) -> Iterator[TestClient]:
    token = make_token(Context(db=trail_db, actor="test:setup"), account.username, "t")
    with TestClient(
        trail_app, follow_redirects=False, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield client


@pytest.fixture
def browser(trail_app: FastAPI, trail_db: Database, account: Account) -> Iterator[TestClient]:
    secret, _csrf = open_session(trail_db, accounts.get_user(trail_db, account.username))
    with TestClient(trail_app, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, secret)
        yield client


def _report(account: Account, problems: list[str]) -> str:
    return f"{account.username}: {len(problems)} problem(s) in the audit trail:\n  " + (
        "\n  ".join(problems)
    )


def _compare(what: str, got: set[Any], expected: set[Any]) -> list[str]:
    problems = []
    if got - expected:
        problems.append(f"{what} shows what it must not: {sorted(got - expected)}")
    if expected - got:
        problems.append(f"{what} leaves out what it must show: {sorted(expected - got)}")
    return problems


def _expected_entries(db: Database, account: Account) -> set[tuple[str, str, str]]:
    """(action, entity, key) of every matrix record's entry the account may see."""
    every = trail_page(db, limit=100_000).entries
    wanted = visible_records(account)
    return {(e.action, e.entity, e.key) for e in every if (e.entity, e.key) in wanted}


def _api_entries(api: TestClient, problems: list[str]) -> list[dict[str, Any]]:
    """Every entry of the API's trail, following ``next``."""
    entries: list[dict[str, Any]] = []
    url: str | None = "/api/v1/audit?limit=200"
    for _ in range(100):
        if url is None:
            return entries
        response = api.get(url)
        if response.status_code != 200:
            problems.append(f"GET {url}: {response.status_code}")
            return entries
        body = response.json()
        entries += body["entries"]
        url = body.get("next")
    problems.append("GET /api/v1/audit: paging does not end")
    return entries


def _measure_refers(entries: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """What the measure's create entry (after) and update entry (before) refer to."""
    about = [e for e in entries if e["entity"] == "measures" and e["key"] == "matrix-measure"]
    created = next(e for e in about if e["action"] == "create")["after"]["scenarios"]
    updated = next(e for e in about if e["action"] == "update")["before"]["scenarios"]
    return sorted(created), sorted(updated)


# ---------------------------------------------------------------- what is shown


def test_the_service_shows_exactly_the_entries_need_to_know_allows(
    trail_db: Database, account: Account
) -> None:
    page = trail_page(trail_db, limit=100_000, subject=account.subject)
    got = {(e.action, e.entity, e.key) for e in page.entries if (e.entity, e.key) in CASE_OF}
    problems = _compare("trail_page", got, _expected_entries(trail_db, account))
    text = repr(page)
    problems += [f"trail_page leaks {k}" for k in leaks(text, account)]
    assert not problems, _report(account, problems)


def test_the_api_shows_exactly_the_entries_need_to_know_allows(
    api: TestClient, trail_db: Database, account: Account
) -> None:
    problems: list[str] = []
    entries = _api_entries(api, problems)
    got = {
        (e["action"], e["entity"], e["key"]) for e in entries if (e["entity"], e["key"]) in CASE_OF
    }
    problems += _compare("GET /api/v1/audit", got, _expected_entries(trail_db, account))
    problems += [f"GET /api/v1/audit leaks {k}" for k in leaks(repr(entries), account)]

    created, updated = _measure_refers(entries)
    wanted = scenarios_ever_referred(account)
    problems += _compare("the measure's first references", set(created), set(wanted))
    problems += _compare("the measure's references before its update", set(updated), set(wanted))

    positions = [e.get("position") for e in entries]
    if positions != list(range(1, len(entries) + 1)):
        problems.append(f"positions are not 1…{len(entries)} over the pages")
    chain = {k for e in entries for k in ("seq", "hash") if k in e}
    if account.subject.role.manages_accounts:
        if chain != {"seq", "hash"}:
            problems.append("an administrator is not shown the trail's sequence and hashes")
    elif chain:
        problems.append(f"a reader who is no administrator is shown {sorted(chain)}")
    assert not problems, _report(account, problems)


def test_the_page_shows_exactly_the_entries_need_to_know_allows(
    browser: TestClient, account: Account
) -> None:
    response = browser.get("/audit?limit=1000")
    assert response.status_code == 200
    problems = [f"GET /audit leaks {k}" for k in leaks(response.text, account)]
    for entity, key in sorted(visible_records(account)):
        if key not in response.text:
            problems.append(f"GET /audit leaves out {entity} {key}")
    numbers = [int(n) for n in re.findall(r'<p class="meta">#(\d+) ', response.text)]
    if not account.subject.role.manages_accounts and numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"GET /audit numbers entries by the trail's sequence: {numbers[:5]}…")
    assert not problems, _report(account, problems)


# ---------------------------------------------------------------- hidden as missing

# Role changes nothing of what is seen, only whether the chain is shown: one reader
# role covers every (clearance, organisation), and the administrators who see least
# cover the other shape.
READERS = tuple(
    a
    for a in ACCOUNTS
    if a.role == "viewer" or (a.role == "administrator" and a.clearance == "public")
)


@pytest.mark.parametrize("reader", READERS, ids=lambda a: a.username)
def test_a_hidden_record_answers_as_a_missing_one(
    trail_app: FastAPI, trail_db: Database, reader: Account
) -> None:
    token = make_token(Context(db=trail_db, actor="test:setup"), reader.username, "t")
    secret, _csrf = open_session(trail_db, accounts.get_user(trail_db, reader.username))
    problems: list[str] = []
    with (
        TestClient(trail_app, headers={"Authorization": f"Bearer {token}"}) as api,
        TestClient(trail_app, follow_redirects=False) as browser,
    ):
        browser.cookies.set(SESSION_COOKIE, secret)

        def answers(entity: str, key: str) -> tuple[Any, ...]:
            query = {"entity": entity, "key": key, "limit": 1}
            by_api = api.get("/api/v1/audit", params=query)
            page = browser.get("/audit", params=query)
            return (
                by_api.status_code,
                by_api.text.replace(key, "<key>"),
                page.status_code,
                page.text.replace(key, "<key>"),
            )

        missing = {entity: answers(entity, key) for entity, key in MISSING.items()}
        for case in CASES:
            if may_see(reader, case):
                continue
            for entity, key in [("scenarios", case.key), *deleted_records_of(case)]:
                if answers(entity, key) != missing[entity]:
                    problems.append(f"{entity} {key} answers unlike a missing one")
    assert not problems, _report(reader, problems)


def test_a_visible_deleted_record_keeps_its_history(trail_db: Database) -> None:
    """The other side of the matrix: the owner sees a deleted record's whole story."""
    owner = next(a for a in ACCOUNTS if (a.clearance, a.organisation) == ("stg-g", OWNER))
    case = next(c for c in CASES if c.carrier == "theme" and c.level == "stg-g")
    page = trail_page(trail_db, entity="themes", key=gone_theme(case), subject=owner.subject)
    assert [e.action for e in page.entries] == ["delete", "create"]
    assert [e.position for e in page.entries] == [1, 2]
