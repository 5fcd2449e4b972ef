"""What went wrong reads in the reader's language: a form's problems beside their
fields, the error pages and a refused sign-in, in Dutch for a Dutch reader; the API
answers in the request's language too, with the same codes, fields and places, so a
program reading them needs no language at all."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import ApiClient, MakeUser, SignIn
from weerbaar.web.language import LANGUAGE_COOKIE

NARRATIVE = "A ransomware group encrypts the process control of a drinking water company."


def _text(page: Any) -> str:
    return " ".join(html.unescape(page.text).split())


def test_a_forms_problems_read_in_dutch_beside_their_fields(
    sign_in: SignIn, make_user: MakeUser
) -> None:
    analyst = sign_in(make_user("ana"))
    form = {
        "csrf_token": analyst.csrf_token,
        "key": "Bad Key",
        "title": "",
        "kind": "threat",
        "theme": "cyber",
        "narrative": NARRATIVE,
    }
    english = analyst.client.post("/scenarios?lang=en", data=form)
    assert english.status_code == 422
    assert "bad key 'Bad Key'" in _text(english)
    assert "missing value (required)" in _text(english)

    dutch = analyst.client.post("/scenarios?lang=nl", data=form)
    assert dutch.status_code == 422 and 'id="error-key"' in dutch.text
    text = _text(dutch)
    assert "ongeldige sleutel 'Bad Key': gebruik 2–64 kleine letters" in text
    assert "waarde ontbreekt (verplicht)" in text
    assert "bad key" not in text and "missing value" not in text
    assert analyst.client.cookies.get(LANGUAGE_COOKIE) == "nl"

    # The cookie keeps the choice: the error page of a missing record is Dutch too.
    missing = analyst.client.get("/scenarios/no-such-scenario")
    assert missing.status_code == 404
    assert "geen scenario met sleutel 'no-such-scenario'" in _text(missing)


def test_a_refused_sign_in_says_why_in_the_browsers_language(app: FastAPI) -> None:
    with TestClient(app, headers={"accept-language": "nl-NL,nl;q=0.9"}) as browser:
        page = browser.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        refused = browser.post(
            "/login",
            data={"username": "nobody", "password": "not it", "csrf_token": token.group(1)},
        )
    assert refused.status_code == 401
    assert "onjuiste gebruikersnaam of wachtwoord, of het account is uitgeschakeld" in (
        _text(refused)
    )


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "issues"}
    found: dict[str, Any] = body["error"]
    return found


def test_the_api_answers_in_the_requests_language_with_the_same_codes(
    api_client: ApiClient, make_user: MakeUser
) -> None:
    client = api_client(make_user("ana"))
    dutch = {"accept-language": "nl"}

    english = _error(client.get("/api/v1/scenarios?colour=red"), 422)
    bad = _error(client.get("/api/v1/scenarios?colour=red", headers=dutch), 422)
    assert english["code"] == bad["code"] == "invalid"
    assert english["issues"] == [
        {"place": "query", "field": "colour", "reason": "not a field of scenarios"}
    ]
    assert bad["issues"] == [
        {"place": "query", "field": "colour", "reason": "geen veld van scenarios"}
    ]
    assert english["message"].startswith("bad filter: 1 problem(s)")
    assert bad["message"] == "ongeldig filter: 1 probleem\n  - query, kolom 'colour': " + (
        "geen veld van scenarios"
    )

    missing = _error(client.get("/api/v1/scenarios/no-such-scenario?lang=nl"), 404)
    assert missing == {
        "code": "not_found",
        "message": "geen scenario met sleutel 'no-such-scenario'",
        "issues": [],
    }
    unversioned = _error(
        client.put("/api/v1/scenarios/lek-dike-breach", json={"title": "x"}, headers=dutch), 428
    )
    assert unversioned["code"] == "precondition_required"
    assert unversioned["message"].startswith("geef aan welke versie u bewerkt")
    nowhere = _error(client.get("/api/v1/no-such-entity", headers=dutch), 404)
    assert nowhere["message"] == "deze bron bestaat niet: /api/v1/no-such-entity"
    dangling = _error(
        client.post(
            "/api/v1/scenarios",
            json={
                "key": "ransomware-water",
                "title": "Ransomware at a water company",
                "kind": "threat",
                "theme": "no-such-theme",
                "narrative": NARRATIVE,
            },
            headers=dutch,
        ),
        422,
    )
    assert dangling["issues"] == [
        {
            "place": "",
            "field": "theme",
            "reason": "onbekende verwijzing: 'no-such-theme' bestaat niet",
        }
    ]
    assert dangling["message"].startswith("scenario niet opgeslagen: 1 probleem")


def test_the_apis_schema_problems_read_in_dutch_with_the_same_places(
    api_client: ApiClient, make_user: MakeUser
) -> None:
    client = api_client(make_user("ana"))
    wrong = {"key": "x-y", "title": 5, "kind": "threat", "horizon_years": "soon"}
    english = _error(client.post("/api/v1/scenarios", json=wrong), 422)
    dutch = _error(client.post("/api/v1/scenarios?lang=nl", json=wrong), 422)
    assert english["code"] == dutch["code"] == "invalid"
    where = [(i["place"], i["field"]) for i in english["issues"]]
    assert where == [(i["place"], i["field"]) for i in dutch["issues"]]
    assert ("body", "theme") in where and ("body", "title") in where
    reasons = {(i["field"]): i["reason"] for i in dutch["issues"]}
    assert reasons["theme"] == "Veld is verplicht"
    assert reasons["title"] == "Invoer moet een geldige tekst zijn"
    assert {(i["field"]): i["reason"] for i in english["issues"]}["theme"] == "Field required"
    assert dutch["message"].startswith("het verzoek past niet bij de API")
