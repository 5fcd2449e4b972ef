"""``/accounts``: only administrators see every account; they sign one out everywhere
and remove its second factors (asked to confirm when their last proof is old), and
both acts are audited. Anyone else is refused and nothing changes."""

from __future__ import annotations

from tests.soft_authenticator import SoftKey
from tests.web.conftest import MakeUser, SignIn
from tests.web.factors import add_key, age_proof
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.second_factors import has_factor
from weerbaar.services.web_sessions import list_sessions
from weerbaar.storage.db import Database


def _live(db: Database, username: str) -> int:
    return len(list_sessions(Context(db=db, actor="test"), username))


def test_only_an_administrator_sees_and_acts_on_accounts(
    demo_db: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    anna = sign_in(make_user("anna"))
    key: SoftKey = add_key(anna)
    assert key.credential_id and has_factor(demo_db, "anna")
    bert = sign_in(make_user("bert", role="coordinator"))
    assert bert.client.get("/accounts").status_code == 403
    for act in ("end-sessions", "reset-factors"):
        refused = bert.client.post(f"/accounts/anna/{act}", data={"csrf_token": bert.csrf_token})
        assert refused.status_code == 403, act
    assert has_factor(demo_db, "anna") and _live(demo_db, "anna") == 1

    ada = sign_in(make_user("ada", role="administrator", clearance="stg-g"))
    page = ada.client.get("/account")
    assert 'href="/accounts"' in page.text
    overview = ada.client.get("/accounts")
    assert overview.status_code == 200
    row = overview.text.split('id="account-anna"')[1].split("</tr>")[0]
    assert "security key" in row and "Sign out everywhere" in row

    ended = ada.client.post("/accounts/anna/end-sessions", data={"csrf_token": ada.csrf_token})
    assert ended.status_code == 200 and "anna: 1 session ended" in ended.text
    assert _live(demo_db, "anna") == 0
    assert anna.client.get("/scenarios").status_code == 303  # that browser is signed out

    age_proof(demo_db, "ada", 6)
    stale = ada.client.post("/accounts/anna/reset-factors", data={"csrf_token": ada.csrf_token})
    assert stale.status_code == 303 and stale.headers["location"].startswith("/account/confirm")
    assert has_factor(demo_db, "anna")
    age_proof(demo_db, "ada", 0)
    reset = ada.client.post("/accounts/anna/reset-factors", data={"csrf_token": ada.csrf_token})
    assert reset.status_code == 200 and "1 second factor removed" in reset.text
    assert not has_factor(demo_db, "anna")
    acts = [(e.action, e.entity) for e in recent_entries(demo_db, limit=10) if "ada" in e.actor]
    assert ("delete", "second_factors") in acts and ("end", "web_sessions") in acts
