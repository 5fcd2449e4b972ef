"""The expert session pages on the demo register: the chair plans a session, adds
experts and runs it; the experts score on the quick form under the blind rule; the
chair concludes; a reader outside need-to-know finds no such session; forms need
their CSRF token; the pages read in Dutch and in English."""

from __future__ import annotations

import html

import httpx
import pytest

from tests.web.conftest import MakeUser, SignedIn, SignIn
from weerbaar.services.context import Context
from weerbaar.services.records import get_record, update_record
from weerbaar.storage.db import Database

SCENARIO = "lek-dike-breach"  # public, unowned, scored in the demo round
ROUND = "gra-2019"
KEY = "s-dike"
SECRET_RATIONALE = "Dike ring 16 holds seven hundred thousand people"


@pytest.fixture
def chair(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("chairwoman", role="analyst"))


@pytest.fixture
def experts(make_user: MakeUser, sign_in: SignIn) -> dict[str, SignedIn]:
    return {
        "ann": sign_in(make_user("ann", role="expert")),
        "bob": sign_in(make_user("bob", role="analyst")),
    }


def _post(who: SignedIn, url: str, data: dict[str, object]) -> httpx.Response:
    answer: httpx.Response = who.client.post(url, data={"csrf_token": who.csrf_token, **data})
    return answer


def _plan(chair: SignedIn, experts: dict[str, SignedIn]) -> None:
    created = chair.client.post(
        "/sessions",
        data={
            "csrf_token": chair.csrf_token,
            "key": KEY,
            "round": ROUND,
            "title": "Dijkdoorbraak",
            "title_en": "Dike breach",
            "held_on": "2026-12-10",
            "scenarios": [SCENARIO],
            "chair": "chairwoman",
        },
    )
    assert created.status_code == 303, created.text
    assert created.headers["location"] == f"/sessions/{KEY}"
    for username in experts:
        added = chair.client.post(
            f"/sessions/{KEY}/participants",
            data={
                "csrf_token": chair.csrf_token,
                "username": username,
                "email": f"{username}@example.org",
            },
        )
        assert added.status_code == 303, added.text


def _advance(chair: SignedIn, to: str) -> None:
    answer = chair.client.post(
        f"/sessions/{KEY}/advance", data={"csrf_token": chair.csrf_token, "to": to}
    )
    assert answer.status_code == 303, answer.text


def _score(who: SignedIn, rows: dict[str, dict[str, str]]) -> httpx.Response:
    data: dict[str, str] = {"csrf_token": who.csrf_token}
    for criterion, values in rows.items():
        for name, value in values.items():
            data[f"{name}:{SCENARIO}:{criterion}"] = value
    answer: httpx.Response = who.client.post(f"/sessions/{KEY}/scores", data=data)
    return answer


@pytest.fixture
def scoring(chair: SignedIn, experts: dict[str, SignedIn]) -> dict[str, SignedIn]:
    _plan(chair, experts)
    _advance(chair, "scoring")
    return experts


def test_the_chair_plans_runs_and_concludes_a_session(
    chair: SignedIn, scoring: dict[str, SignedIn], demo_db: Database
) -> None:
    ann, bob = scoring["ann"], scoring["bob"]
    listing = chair.client.get("/sessions").text
    assert f'href="/sessions/{KEY}"' in listing and "0 of 2" in listing
    saved = _score(
        ann,
        {
            "2.1": {"value": "A", "low": "A", "high": "B", "confidence": "high"},
            "likelihood": {"value": "C"},
        },
    )
    assert saved.status_code == 303
    assert _score(bob, {"2.1": {"value": "C", "low": "B", "high": "D"}}).status_code == 303
    # The chair watches them arrive, flagged two classes apart.
    live = chair.client.get(f"/sessions/{KEY}/disagreement").text
    assert 'data-criterion="2.1" class="flagged"' in live
    page = chair.client.get(f"/sessions/{KEY}").text
    assert 'data-refresh="/sessions/s-dike/disagreement"' in page
    assert "/static/session.js" in page
    assert _post(ann, f"/sessions/{KEY}/submit", {}).status_code == 303
    assert _post(bob, f"/sessions/{KEY}/submit", {}).status_code == 303
    assert "2 of 2" in chair.client.get("/sessions").text
    _advance(chair, "discussion")
    # A second round, scored and concluded.
    _advance(chair, "scoring")
    assert _score(ann, {"2.1": {"value": "B"}}).status_code == 303
    assert _score(bob, {"2.1": {"value": "C"}}).status_code == 303
    _advance(chair, "discussion")
    form = chair.client.get(f"/sessions/{KEY}").text
    assert 'action="/sessions/s-dike/conclude"' in form
    # Without the overall rationale: refused, with what was typed kept.
    refused = _post(
        chair,
        f"/sessions/{KEY}/conclude",
        {"choice:lek-dike-breach:2.1": "own", "value:lek-dike-breach:2.1": "Chigh"},
    )
    assert refused.status_code == 422
    assert 'value="Chigh"' in refused.text and "reasoning" in refused.text
    # Setting an outcome without its value: refused in the form as well.
    missing = _post(
        chair,
        f"/sessions/{KEY}/conclude",
        {"choice:lek-dike-breach:2.1": "own", "rationale": "Agreed."},
    )
    assert missing.status_code == 422 and "Agreed." in missing.text
    done = _post(
        chair,
        f"/sessions/{KEY}/conclude",
        {
            "choice:lek-dike-breach:2.1": "own",
            "value:lek-dike-breach:2.1": "C",
            "low:lek-dike-breach:2.1": "B",
            "high:lek-dike-breach:2.1": "D",
            "rationale": "The experts converged on C after the discussion.",
        },
    )
    assert done.status_code == 303, done.text
    score = get_record(demo_db, entity_name="impact_scores", key=f"{ROUND}/{SCENARIO}/2.1")
    assert (score.record.expected, score.record.lowest, score.record.highest) == ("C", "B", "D")
    concluded = chair.client.get(f"/sessions/{KEY}").text
    assert 'id="outcome"' in concluded and "converged on C" in concluded
    assert 'href="/sessions/s-dike/minutes"' in concluded
    assert chair.client.get(f"/sessions/{KEY}/minutes").status_code == 200
    markdown = chair.client.get(f"/sessions/{KEY}/minutes.md")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "converged on C" in markdown.text


def test_an_expert_sees_none_of_the_others_scores_before_submitting(
    chair: SignedIn, scoring: dict[str, SignedIn]
) -> None:
    ann, bob = scoring["ann"], scoring["bob"]
    _score(
        bob,
        {"2.1": {"value": "E", "low": "D", "high": "E", "rationale": SECRET_RATIONALE}},
    )
    _score(ann, {"2.1": {"value": "A"}})
    for url in (f"/sessions/{KEY}", f"/sessions/{KEY}/disagreement"):
        text = html.unescape(ann.client.get(url).text)
        assert SECRET_RATIONALE not in text, url
        assert 'data-expert="bob"' not in text.split('id="experts"')[-1].split("</section>", 1)[-1]
        assert "E (D – E)" not in text, url
    # Her own score is there to change.
    page = ann.client.get(f"/sessions/{KEY}").text
    assert 'name="value:lek-dike-breach:2.1" value="A"' in page
    assert 'id="disagreement"' not in page
    # Once she has submitted, she sees his score and reasoning beside hers.
    assert _post(ann, f"/sessions/{KEY}/submit", {}).status_code == 303
    after = html.unescape(ann.client.get(f"/sessions/{KEY}").text)
    assert SECRET_RATIONALE in after and 'class="flagged"' in after
    # The chair saw it all along.
    assert SECRET_RATIONALE in html.unescape(chair.client.get(f"/sessions/{KEY}").text)


def test_problems_are_shown_per_row_and_what_was_typed_is_kept(
    scoring: dict[str, SignedIn],
) -> None:
    ann = scoring["ann"]
    answer = _score(
        ann,
        {
            "2.1": {"value": "C", "rationale": "kept as typed"},
            "1.2": {"value": "C", "low": "Q"},
            "3.1": {"rationale": "no value given"},
        },
    )
    assert answer.status_code == 422
    text = answer.text
    assert 'value="Q"' in text and 'value="no value given"' in text
    assert text.count('class="score-row has-error"') == 2
    # The good row was saved all the same.
    assert 'name="value:lek-dike-breach:2.1" value="C"' in ann.client.get(f"/sessions/{KEY}").text


def test_outside_need_to_know_the_session_is_as_missing_as_a_missing_one(
    chair: SignedIn,
    experts: dict[str, SignedIn],
    make_user: MakeUser,
    sign_in: SignIn,
    demo_db: Database,
) -> None:
    _plan(chair, experts)
    # The scenario becomes secret to the chair's and experts' organisation only.
    update_record(
        Context(db=demo_db, actor="test:setup"),
        entity_name="scenarios",
        key=SCENARIO,
        changes={"classification": "dep-v", "owned_by": "nctv"},
    )
    outsider = sign_in(make_user("olga", role="administrator", organisation="aivd"))
    for url in ("", "/disagreement", "/minutes", "/minutes.md"):
        hidden = outsider.client.get(f"/sessions/{KEY}{url}")
        missing = outsider.client.get(f"/sessions/no-such-session{url}")
        assert hidden.status_code == missing.status_code == 404, url
        assert hidden.text.replace(KEY, "X") == missing.text.replace("no-such-session", "X")
    assert KEY not in outsider.client.get("/sessions").text
    posted = _post(outsider, f"/sessions/{KEY}/advance", {"to": "scoring"})
    assert posted.status_code == 404


def test_forms_without_their_csrf_token_are_refused(
    chair: SignedIn, experts: dict[str, SignedIn]
) -> None:
    _plan(chair, experts)
    for url, data in (
        ("/sessions", {"key": "s-other", "round": ROUND, "title": "x", "scenarios": SCENARIO}),
        (f"/sessions/{KEY}/advance", {"to": "scoring"}),
        (f"/sessions/{KEY}/participants", {"username": "someone"}),
        (f"/sessions/{KEY}/scores", {f"value:{SCENARIO}:2.1": "C"}),
        (f"/sessions/{KEY}/submit", {}),
        (f"/sessions/{KEY}/conclude", {"rationale": "x"}),
    ):
        answer = chair.client.post(url, data=data)
        assert answer.status_code == 403, url
    assert 'data-status="planned"' in chair.client.get(f"/sessions/{KEY}").text


def test_only_the_chair_runs_the_session(chair: SignedIn, experts: dict[str, SignedIn]) -> None:
    _plan(chair, experts)
    bob = experts["bob"]
    assert 'action="/sessions/s-dike/advance"' not in bob.client.get(f"/sessions/{KEY}").text
    assert _post(bob, f"/sessions/{KEY}/advance", {"to": "scoring"}).status_code == 403


def test_a_viewer_gets_no_new_session_form(make_user: MakeUser, sign_in: SignIn) -> None:
    viewer = sign_in(make_user("vic", role="viewer"))
    page = viewer.client.get("/sessions").text
    assert 'action="/sessions"' not in page
    # The demo's concluded session, with its outcome and minutes.
    demo = viewer.client.get("/sessions/gra-2019-drones").text
    assert 'id="outcome"' in demo and 'href="/sessions/gra-2019-drones/minutes"' in demo


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", ("Expertsessies", "Nieuwe sessie", "Voorzitter")),
        ("en", ("Expert sessions", "New session", "Chair")),
    ],
)
def test_the_pages_read_in_dutch_and_english(
    chair: SignedIn, scoring: dict[str, SignedIn], language: str, words: tuple[str, ...]
) -> None:
    listing = chair.client.get(f"/sessions?lang={language}").text
    for word in words:
        assert word in listing, word
    page = scoring["ann"].client.get(f"/sessions/{KEY}?lang={language}").text
    assert f'<html lang="{language}">' in page
    assert ("Alles opslaan" if language == "nl" else "Save all") in page
    assert ("Sessies" if language == "nl" else "Sessions") in page  # the navigation
