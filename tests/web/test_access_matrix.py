"""Need-to-know, exhaustively: every role × clearance × organisation against every
classification × sharing of a record, on every read path (services, API, pages) and
for writes.

One register holds a scenario per (level, sharing, where the marking sits): either on
the scenario itself, or on its theme, which a scenario requires and so must inherit.
One account exists per (role, clearance, organisation). Each test takes one account
and walks every record, collecting every disagreement with the rule as written here
(independently of :mod:`weerbaar.domain.access`), so a failure lists all of them.

Every scenario carries its key in its title and narrative, so a hidden record's key
appearing anywhere in an answer is a leak, whatever the answer's shape.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import make_token, open_session, settings_for, trail_config
from tests.web.conftest import PASSWORD, copy_database
from weerbaar.domain.access import Subject
from weerbaar.errors import ForbiddenError, NotFoundError, ValidationError
from weerbaar.reference.access import roles
from weerbaar.services import accounts
from weerbaar.services.assessment import assess_round
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.records import (
    create_record,
    delete_record,
    get_record,
    list_records,
    update_record,
)
from weerbaar.services.search import search
from weerbaar.services.transfer import export_register
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app
from weerbaar.web.auth import SESSION_COOKIE

LEVELS = ("public", "dep-v", "stg-c", "stg-g")  # lowest first
ROLES = ("viewer", "analyst", "ministry-officer", "coordinator", "administrator")
SCENARIO_WRITERS = frozenset({"analyst", "coordinator", "administrator"})
OWNER, OTHER, THIRD = "aivd", "mivd", "nctv"

# How a record is shared, as (owned_by, shared_with); users belong to OWNER or OTHER.
SHARINGS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "not-shared": (OWNER, ()),
    "shared-with-other": (OWNER, (OTHER,)),
    "shared-with-third": (OWNER, (THIRD,)),  # sharing with someone else grants nothing
    "no-owner": (None, ()),
}
CARRIERS = ("scenario", "theme")  # which record carries the marking
SEARCH_WORD = "matrix"


@dataclass(frozen=True, slots=True)
class Case:
    """One scenario of the matrix and the marking that decides whether it is seen."""

    key: str
    theme: str
    level: str
    sharing: str
    carrier: str

    @property
    def owned_by(self) -> str | None:
        return SHARINGS[self.sharing][0]

    @property
    def shared_with(self) -> tuple[str, ...]:
        return SHARINGS[self.sharing][1]

    @property
    def title(self) -> str:
        return f"Matrix scenario {self.key}"


@dataclass(frozen=True, slots=True)
class Account:
    role: str
    clearance: str
    organisation: str

    @property
    def username(self) -> str:
        return f"{self.role}-{self.clearance}-{self.organisation}"

    @property
    def subject(self) -> Subject:
        return Subject(self.username, roles()[self.role], self.organisation, self.clearance)

    @property
    def relation(self) -> str:
        return "owner-org" if self.organisation == OWNER else "other-org"


CASES = tuple(
    Case(
        key=f"s{i:02d}-{level}-{sharing}-on-{carrier}",
        theme=f"t{i:02d}-{level}-{sharing}" if carrier == "theme" else "matrix-open",
        level=level,
        sharing=sharing,
        carrier=carrier,
    )
    for i, (carrier, level, sharing) in enumerate(itertools.product(CARRIERS, LEVELS, SHARINGS))
)
ACCOUNTS = tuple(
    Account(role, clearance, org)
    for role, clearance, org in itertools.product(ROLES, LEVELS, (OWNER, OTHER))
)
CASES_BY_KEY = {c.key: c for c in CASES}
MISSING = "s99-missing"  # no such scenario: a refusal must look exactly like this one


def may_see(account: Account, case: Case) -> bool:
    """The need-to-know rule, restated: cleared for the level, and the record is the
    user's organisation's, shared with it, or nobody's."""
    if LEVELS.index(account.clearance) < LEVELS.index(case.level):
        return False
    return (
        case.owned_by is None
        or case.owned_by == account.organisation
        or account.organisation in case.shared_with
    )


def may_create(account: Account, case: Case) -> bool:
    """A writer creates only what they could read afterwards, owned by their own
    organisation or by nobody (an administrator: by any organisation)."""
    owned = case.owned_by in (None, account.organisation) or account.role == "administrator"
    return account.role in SCENARIO_WRITERS and may_see(account, case) and owned


def visible_keys(account: Account) -> set[str]:
    return {c.key for c in CASES if may_see(account, c)}


def hidden_keys(account: Account) -> set[str]:
    return {c.key for c in CASES if not may_see(account, c)}


def hidden_themes(account: Account) -> set[str]:
    return {c.theme for c in CASES if c.carrier == "theme" and not may_see(account, c)}


def marking(level: str, sharing: str) -> dict[str, object]:
    owned_by, shared_with = SHARINGS[sharing]
    return {"classification": level, "owned_by": owned_by or "", "shared_with": list(shared_with)}


def leaks(text: str, account: Account) -> list[str]:
    """Hidden scenario and theme keys that appear in ``text``."""
    return sorted(k for k in hidden_keys(account) | hidden_themes(account) if k in text)


def theme_leaks(text: str, account: Account) -> list[str]:
    return sorted(k for k in hidden_themes(account) if k in text)


def test_the_matrix_covers_every_combination() -> None:
    # Guests (external experts) see only their sessions' scenarios: tests/services/test_sessions.py.
    assert set(ROLES) == {key for key, role in roles().items() if not role.guest}
    assert {r for r in roles() if roles()[r].may_write("scenarios")} == SCENARIO_WRITERS
    seen = {
        (a.role, a.clearance, a.relation, c.level, c.sharing, c.carrier)
        for a in ACCOUNTS
        for c in CASES
    }
    assert len(seen) == len(ROLES) * len(LEVELS) * 2 * len(LEVELS) * len(SHARINGS) * 2
    # Both outcomes occur for every role, so no role passes by seeing all or nothing.
    for role in ROLES:
        outcomes = {may_see(a, c) for a in ACCOUNTS if a.role == role for c in CASES}
        assert outcomes == {True, False}


# ---------------------------------------------------------------- the register


def _build(db: Database) -> None:
    operator = Context(db=db, actor="test:setup")

    def add(entity_name: str, raw: dict[str, object]) -> None:
        create_record(operator, entity_name=entity_name, raw=raw)

    for org in (OWNER, OTHER, THIRD):
        add("organisations", {"key": org, "name": org.upper(), "kind": "agency"})
    add(
        "cycles",
        {"key": "nss", "name": "Matrix cycle", "starts_on": "2019-01-01", "ends_on": "2022-12-31"},
    )
    add(
        "rounds",
        {
            "key": "r-1",
            "cycle": "nss",
            "name": "Matrix round",
            "held_on": "2019-03-01",
            "edition": "gra-2019",
            "status": "open",
        },
    )
    add(
        "themes",
        {"key": "matrix-open", "name": "Open", "name_en": "Open", "tier": "strengthened"},
    )
    for case in CASES:
        if case.carrier == "theme":
            add(
                "themes",
                {
                    "key": case.theme,
                    "name": f"Matrix theme {case.theme}",
                    "name_en": f"Matrix theme {case.theme}",
                    "tier": "strengthened",
                    **marking(case.level, case.sharing),
                },
            )
        scenario_marking = marking(case.level, case.sharing) if case.carrier == "scenario" else {}
        add(
            "scenarios",
            {
                "key": case.key,
                "title": case.title,
                "kind": "hazard",
                "theme": case.theme,
                "narrative": f"Matrix narrative for {case.key}.",
                **scenario_marking,
            },
        )
        # Scores carry no marking of their own: they are hidden with their scenario.
        add(
            "impact_scores",
            {"round": "r-1", "scenario": case.key, "criterion": "1.2", "expected": "B"},
        )
        add("likelihood_scores", {"round": "r-1", "scenario": case.key, "expected": "C"})
    # A public record that refers to every scenario: what it shows must be redacted.
    add(
        "measures",
        {
            "key": "matrix-measure",
            "title": "Matrix measure",
            "kind": "generic",
            "status": "planned",
            "owner": THIRD,
            "scenarios": [c.key for c in CASES],
        },
    )


@pytest.fixture(scope="module")
def register_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("matrix-template") / "register.db"
    db = Database(f"sqlite:///{path}", trail=trail_config())
    db.upgrade()
    _build(db)
    db.dispose()
    return path


@pytest.fixture(scope="module")
def matrix_db(
    register_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The register for the read checks, with one account per combination."""
    path = tmp_path_factory.mktemp("matrix-read") / "register.db"
    db = Database(copy_database(register_template, path), trail=trail_config())
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


@pytest.fixture
def write_db(register_template: Path, tmp_path: Path) -> Iterator[Database]:
    db = Database(copy_database(register_template, tmp_path / "register.db"), trail=trail_config())
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def matrix_app(matrix_db: Database) -> FastAPI:
    return create_app(settings_for(matrix_db), db=matrix_db)


@pytest.fixture
def api(matrix_app: FastAPI, matrix_db: Database, account: Account) -> Iterator[TestClient]:
    token = make_token(Context(db=matrix_db, actor="test:setup"), account.username, "matrix")
    with TestClient(
        matrix_app, follow_redirects=False, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield client


@pytest.fixture
def browser(matrix_app: FastAPI, matrix_db: Database, account: Account) -> Iterator[TestClient]:
    user = accounts.get_user(matrix_db, account.username)
    secret, _csrf = open_session(matrix_db, user)
    with TestClient(matrix_app, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, secret)
        yield client


@pytest.fixture(params=ACCOUNTS, ids=lambda a: a.username)
def account(request: pytest.FixtureRequest) -> Account:
    found: Account = request.param
    return found


def _report(account: Account, problems: list[str]) -> str:
    return f"{account.username}: {len(problems)} disagreement(s) with need-to-know:\n  " + (
        "\n  ".join(problems)
    )


def _compare(what: str, got: set[str], expected: set[str]) -> list[str]:
    problems = []
    if got - expected:
        problems.append(f"{what} shows what it must not: {sorted(got - expected)}")
    if expected - got:
        problems.append(f"{what} leaves out what it must show: {sorted(expected - got)}")
    return problems


# ---------------------------------------------------------------- services


def test_services_show_exactly_what_need_to_know_allows(
    matrix_db: Database, account: Account
) -> None:
    subject = account.subject
    expected = visible_keys(account)
    problems: list[str] = []

    for case in CASES:
        try:
            found = get_record(matrix_db, entity_name="scenarios", key=case.key, subject=subject)
        except NotFoundError:
            if may_see(account, case):
                problems.append(f"get_record refused visible {case.key}")
        else:
            if not may_see(account, case):
                problems.append(f"get_record returned hidden {case.key}")
            elif found.record.theme != case.theme:
                problems.append(f"get_record redacted the theme of visible {case.key}")

    listed = list_records(matrix_db, entity_name="scenarios", subject=subject)
    problems += _compare("list_records(scenarios)", {r.key for r in listed}, expected)
    scores = list_records(matrix_db, entity_name="impact_scores", subject=subject)
    problems += _compare("list_records(impact_scores)", {s.scenario for s in scores}, expected)

    hits = search(matrix_db, SEARCH_WORD, subject=subject)
    problems += _compare("search", {h.key for h in hits if h.entity == "scenarios"}, expected)

    exported = export_register(matrix_db, subject=subject)
    problems += _compare("export_register", {r["key"] for r in exported["scenarios"]}, expected)
    (measure,) = exported["measures"]
    problems += _compare("the measure's scenario references", set(measure["scenarios"]), expected)
    problems += [f"export_register leaks {k}" for k in leaks(json.dumps(exported), account)]

    assessed = assess_round(matrix_db, subject=subject)
    problems += _compare("assess_round", {r.scenario.key for r in assessed.results}, expected)
    problems += _compare(
        "assess_round's unscored and incomplete",
        set(assessed.unscored) | set(assessed.incomplete),
        set(),
    )

    entries = recent_entries(matrix_db, limit=10_000, subject=subject)
    problems += _compare(
        "recent_entries(scenarios)",
        {e.key for e in entries if e.entity == "scenarios"},
        expected,
    )
    trail = json.dumps([[e.entity, e.key, e.before, e.after] for e in entries])
    problems += [f"recent_entries leaks {k}" for k in leaks(trail, account)]

    assert not problems, _report(account, problems)


# ---------------------------------------------------------------- API


def _api_items(
    client: TestClient, path: str, problems: list[str]
) -> tuple[list[dict[str, Any]], set[int]]:
    """Every item of a paged list, following ``next``; and the ``total`` each page gave."""
    items: list[dict[str, Any]] = []
    totals: set[int] = set()
    url: str | None = f"{path}?per_page=100"
    for _ in range(50):
        if url is None:
            break
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"GET {url}: {response.status_code}")
            break
        body = response.json()
        items += body["items"]
        totals.add(body["total"])
        following = body.get("next")
        if following is None:
            url = None
        elif isinstance(following, int):
            url = f"{path}?per_page=100&page={following}"
        else:
            url = str(following)
    return items, totals


def _keys_in(text: str) -> set[str]:
    return {k for k in CASES_BY_KEY if k in text}


def _same_refusal(refused: str, key: str, missing: str) -> bool:
    return refused.replace(key, "<key>") == missing.replace(MISSING, "<key>")


def test_api_shows_exactly_what_need_to_know_allows(api: TestClient, account: Account) -> None:
    expected = visible_keys(account)
    problems: list[str] = []

    missing = api.get(f"/api/v1/scenarios/{MISSING}")
    assert missing.status_code == 404, f"GET a missing scenario: {missing.status_code}"
    for case in CASES:
        response = api.get(f"/api/v1/scenarios/{case.key}")
        if may_see(account, case):
            if response.status_code != 200:
                problems.append(f"GET {case.key}: {response.status_code}, expected 200")
            elif response.json().get("key") != case.key:
                problems.append(f"GET {case.key}: answered with another record")
        elif response.status_code != 404:
            problems.append(f"GET hidden {case.key}: {response.status_code}, expected 404")
        elif not _same_refusal(response.text, case.key, missing.text):
            problems.append(f"GET hidden {case.key}: refusal differs from a missing record's")

    items, totals = _api_items(api, "/api/v1/scenarios", problems)
    problems += _compare("GET /api/v1/scenarios", {i["key"] for i in items}, expected)
    if totals != {len(expected)}:
        problems.append(f"GET /api/v1/scenarios: total {totals}, expected {len(expected)}")

    on_open_theme = {k for k in expected if CASES_BY_KEY[k].theme == "matrix-open"}
    for path, wanted in (
        (f"/api/v1/search?q={SEARCH_WORD}", expected),
        ("/api/v1/export", expected),
        ("/api/v1/assessment", expected),
        ("/api/v1/scenarios?theme=matrix-open&per_page=100", on_open_theme),
    ):
        response = api.get(path)
        if response.status_code != 200:
            problems.append(f"GET {path}: {response.status_code}")
            continue
        problems += _compare(f"GET {path}", _keys_in(response.text), wanted)
        problems += [f"GET {path} leaks theme {k}" for k in theme_leaks(response.text, account)]

    audit = api.get("/api/v1/audit")
    if audit.status_code != 200:
        problems.append(f"GET /api/v1/audit: {audit.status_code}")
    problems += [f"GET /api/v1/audit leaks {k}" for k in leaks(audit.text, account)]

    assert not problems, _report(account, problems)


def public_keys() -> set[str]:
    """What a citizen reads, and so the public edition of the risk profile: public
    records of no organisation."""
    return {c.key for c in CASES if c.level == LEVELS[0] and c.owned_by is None}


def test_the_risk_profile_shows_exactly_what_need_to_know_allows(
    api: TestClient, account: Account
) -> None:
    """The classified edition up to the account's clearance holds every scenario it may
    see and no other; the public edition (whatever the clearance) only what a citizen
    reads."""
    problems: list[str] = []
    editions = {account.clearance: visible_keys(account), LEVELS[0]: public_keys()}
    for level, expected in editions.items():
        response = api.post(
            "/api/v1/reports/profile", json={"classification": level, "format": "md"}
        )
        if response.status_code != 200:
            problems.append(f"profile {level}: {response.status_code} {response.text}")
            continue
        problems += _compare(f"profile {level}", _keys_in(response.text), expected)
        hidden = {c.theme for c in CASES if c.carrier == "theme" and c.key not in expected}
        problems += [f"profile {level} leaks theme {k}" for k in hidden if k in response.text]
    assert not problems, _report(account, problems)


# ---------------------------------------------------------------- pages


def test_pages_show_exactly_what_need_to_know_allows(browser: TestClient, account: Account) -> None:
    expected = visible_keys(account)
    problems: list[str] = []

    missing = browser.get(f"/scenarios/{MISSING}")
    assert missing.status_code == 404, f"GET a missing scenario's page: {missing.status_code}"
    for case in CASES:
        response = browser.get(f"/scenarios/{case.key}")
        if may_see(account, case):
            if response.status_code != 200:
                problems.append(f"page {case.key}: {response.status_code}, expected 200")
            elif case.title not in response.text:
                problems.append(f"page {case.key}: does not show its title")
        elif response.status_code != 404:
            problems.append(f"page of hidden {case.key}: {response.status_code}, expected 404")
        elif case.title in response.text or leaks(response.text.replace(case.key, ""), account):
            problems.append(f"the refusal of {case.key} shows hidden records")
        elif not _same_refusal(response.text, case.key, missing.text):
            problems.append(f"page of hidden {case.key}: refusal differs from a missing one's")

    # Every matrix scenario is scored and referred to by the measure, so each of
    # these shows every visible one.
    for path in (
        "/",
        "/scenarios",
        f"/search?q={SEARCH_WORD}",
        "/scenarios/export.csv",
        "/measures/matrix-measure",
    ):
        response = browser.get(path)
        if response.status_code != 200:
            problems.append(f"GET {path}: {response.status_code}")
            continue
        problems += _compare(f"GET {path}", _keys_in(response.text), expected)
        problems += [f"GET {path} leaks theme {k}" for k in theme_leaks(response.text, account)]

    audit = browser.get("/audit")
    if audit.status_code != 200:
        problems.append(f"GET /audit: {audit.status_code}")
    problems += [f"GET /audit leaks {k}" for k in leaks(audit.text, account)]

    assert not problems, _report(account, problems)


# ---------------------------------------------------------------- writes


def test_writes_need_the_role_and_sight_of_the_record_before_and_after(
    write_db: Database, account: Account
) -> None:
    ctx = Context(db=write_db, actor=f"test:{account.username}", subject=account.subject)
    writer = account.role in SCENARIO_WRITERS
    problems: list[str] = []

    for case in CASES:
        try:
            update_record(
                ctx,
                entity_name="scenarios",
                key=case.key,
                changes={"narrative": f"Matrix narrative for {case.key}, edited."},
            )
        except NotFoundError:
            outcome = "not found"
        except ForbiddenError:
            outcome = "forbidden"
        else:
            outcome = "saved"
        wanted = "not found" if not may_see(account, case) else "saved" if writer else "forbidden"
        if outcome != wanted:
            problems.append(f"edit {case.key}: {outcome}, expected {wanted}")

    for level, sharing in itertools.product(LEVELS, SHARINGS):
        key = f"new-{level}-{sharing}"
        raw = {
            "key": key,
            "title": "New matrix scenario",
            "kind": "hazard",
            "theme": "matrix-open",
            "narrative": "Added by the matrix.",
            **marking(level, sharing),
        }
        target = Case(key, "matrix-open", level, sharing, "scenario")
        wanted = "saved" if may_create(account, target) else "forbidden"
        try:
            create_record(ctx, entity_name="scenarios", raw=raw)
        except ForbiddenError:
            outcome = "forbidden"
        else:
            outcome = "saved"
            delete_record(ctx, entity_name="scenarios", key=key)
        if outcome != wanted:
            problems.append(f"create {key}: {outcome}, expected {wanted}")

    assert not problems, _report(account, problems)


def test_nobody_moves_a_record_out_of_their_own_sight(write_db: Database) -> None:
    ctx = Context(
        db=write_db,
        actor="test:coordinator",
        subject=Account("coordinator", "stg-c", OWNER).subject,
    )
    key = CASES[0].key  # public, owned by OWNER, on the scenario itself
    for changes in ({"classification": "stg-g"}, {"owned_by": OTHER}):
        with pytest.raises(ForbiddenError):
            update_record(ctx, entity_name="scenarios", key=key, changes=changes)
    assert get_record(write_db, entity_name="scenarios", key=key).version == 1


def test_a_hidden_record_cannot_be_referenced(write_db: Database) -> None:
    """Referring to a hidden theme must fail as referring to a missing one does:
    otherwise a write would move the scenario out of its editor's sight, and the
    answer would tell that the hidden theme exists."""
    account = Account("coordinator", "stg-c", OWNER)
    ctx = Context(db=write_db, actor="test:coordinator", subject=account.subject)
    key = CASES[0].key
    hidden = next(c.theme for c in CASES if c.carrier == "theme" and not may_see(account, c))

    def refusal(theme: str) -> list[str]:
        with pytest.raises(ValidationError) as caught:
            update_record(ctx, entity_name="scenarios", key=key, changes={"theme": theme})
        return [str(i).replace(theme, "<theme>") for i in caught.value.issues]

    assert refusal(hidden) == refusal("t99-missing")
    assert get_record(write_db, entity_name="scenarios", key=key).version == 1


def test_api_writes_need_the_role_and_sight_of_the_record(
    write_db: Database, account: Account
) -> None:
    operator = Context(db=write_db, actor="test:setup")
    accounts.add_user(
        operator,
        username=account.username,
        password=PASSWORD,
        role=account.role,
        organisation=account.organisation,
        clearance=account.clearance,
    )
    token = make_token(operator, account.username, "matrix")
    writer = account.role in SCENARIO_WRITERS
    problems: list[str] = []
    with TestClient(
        create_app(settings_for(write_db), db=write_db),
        follow_redirects=False,
        headers={"Authorization": f"Bearer {token}"},
    ) as api:
        for case in CASES:
            # What the editor sends back is what they read; a hidden record they can
            # only guess, and the guess must be refused exactly like a missing one.
            shown = api.get(f"/api/v1/scenarios/{case.key}")
            if shown.status_code == 200:
                body = {**shown.json(), "narrative": f"Edited through the API: {case.key}."}
                etag = shown.headers.get("etag", "")
            else:
                body = {"key": case.key, "title": case.title, "narrative": "A guess."}
                etag = '"1"'
            response = api.put(
                f"/api/v1/scenarios/{case.key}", json=body, headers={"If-Match": etag}
            )
            wanted = 404 if not may_see(account, case) else 200 if writer else 403
            if response.status_code != wanted:
                problems.append(
                    f"PUT {case.key}: {response.status_code}, expected {wanted} {response.text}"
                )

        for level, sharing in itertools.product(LEVELS, SHARINGS):
            key = f"new-{level}-{sharing}"
            target = Case(key, "matrix-open", level, sharing, "scenario")
            response = api.post(
                "/api/v1/scenarios",
                json={
                    "key": key,
                    "title": "New matrix scenario",
                    "kind": "hazard",
                    "theme": "matrix-open",
                    "narrative": "Added through the API.",
                    **marking(level, sharing),
                },
            )
            allowed = may_create(account, target)
            if (response.status_code in (200, 201)) != allowed or (
                not allowed and response.status_code != 403
            ):
                problems.append(
                    f"POST {key}: {response.status_code}, expected {201 if allowed else 403}"
                )
            if response.status_code < 300:
                delete_record(operator, entity_name="scenarios", key=key)

    assert not problems, _report(account, problems)
