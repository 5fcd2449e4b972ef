"""Single sign-on against a real OpenID provider on loopback: accounts are created and
kept from the claims within the organisations' ceilings, and every answer that is not
exactly the one weerbaar asked for is refused and audited."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select

from tests.sso_provider import answer_of, authorize, deny, provider_at
from weerbaar.config import SingleSignOnSettings, load_settings
from weerbaar.domain.audit import AuditEntry
from weerbaar.domain.single_sign_on import Provider
from weerbaar.errors import ConfigError, ForbiddenError, UnauthenticatedError
from weerbaar.services import oidc_client
from weerbaar.services.accounts import authenticate, set_disabled
from weerbaar.services.context import Context
from weerbaar.services.single_sign_on import (
    SignedOn,
    begin_sign_in,
    check_providers,
    finish_sign_in,
)
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database
from weerbaar.storage.tables import external_identities, oidc_requests

CALLBACK = "http://testserver/login/sso/intranet/callback"
ADDRESS = "192.0.2.7"
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "oidc.yaml"


def _settings(*providers: Provider) -> SingleSignOnSettings:
    return SingleSignOnSettings(providers)


def _claims(username: str, **more: Any) -> dict[str, Any]:
    return {"preferred_username": username, "name": username.title(), **more}


def _sign_in(
    db: Database,
    settings: SingleSignOnSettings,
    issuer: str,
    subject: str,
    claims: dict[str, Any],
    *,
    key: str = "intranet",
) -> SignedOn:
    started = begin_sign_in(
        db, settings, key, redirect_uri=CALLBACK, next="/scenarios", address=ADDRESS
    )
    answer = answer_of(authorize(issuer, started.url, subject, claims))
    return finish_sign_in(
        db,
        settings,
        key,
        state=answer["state"],
        code=answer["code"],
        error="",
        kept_state=started.state,
        redirect_uri=CALLBACK,
        address=ADDRESS,
    )


def _entries(db: Database, entity: str) -> list[AuditEntry]:
    with db.transaction() as connection:
        return list(reversed(audit_log.entries(connection, entity=entity)))


def test_the_first_sign_in_creates_the_account_and_later_ones_keep_it(
    demo_register: Database, oidc_issuer: str
) -> None:
    settings = _settings(provider_at(oidc_issuer))
    claims = _claims("jvdberg", groups=["analysts", "cleared-stg-c"], organisation="NCTV")
    done = _sign_in(demo_register, settings, oidc_issuer, "sub-jvdberg", claims)
    user = done.user
    assert (user.username, user.role, user.organisation, user.clearance) == (
        "jvdberg",
        "analyst",
        "nctv",
        "stg-c",
    )
    assert done.next == "/scenarios" and not done.second_factor_done
    created = [e for e in _entries(demo_register, "users") if e.key == "jvdberg"]
    assert [e.action for e in created] == ["create"]
    assert created[0].actor == f"sso:intranet@{ADDRESS}"
    with pytest.raises(UnauthenticatedError):  # it has no password to sign in with
        authenticate(demo_register, "jvdberg", "", ADDRESS)
    # The provider now says otherwise: the account follows, audited.
    claims["groups"] = ["coordinators"]
    again = _sign_in(demo_register, settings, oidc_issuer, "sub-jvdberg", claims)
    assert (again.user.role, again.user.clearance) == ("coordinator", "public")
    changed = [e for e in _entries(demo_register, "users") if e.key == "jvdberg"]
    assert [e.action for e in changed] == ["create", "update"]
    signed = [e for e in _entries(demo_register, "sign_ins") if e.action == "sign-in"]
    assert len(signed) == 2 and json.loads(signed[0].after or "")["provider"] == "intranet"
    with demo_register.transaction() as connection:
        linked = connection.execute(select(external_identities)).all()
    assert [(r.provider, r.subject, r.username) for r in linked] == [
        ("intranet", "sub-jvdberg", "jvdberg")
    ]


def test_a_clearance_above_the_organisations_ceiling_is_capped_and_audited(
    demo_register: Database, oidc_issuer: str
) -> None:
    settings = _settings(provider_at(oidc_issuer))
    claims = _claims("kbakker", groups=["cleared-stg-g"], organisation="NCSC")
    done = _sign_in(demo_register, settings, oidc_issuer, "sub-kbakker", claims)
    assert (done.user.organisation, done.user.clearance) == ("ncsc", "dep-v")
    created = next(e for e in _entries(demo_register, "users") if e.key == "kbakker")
    assert created.note is not None and "stg-g" in created.note and "capped" in created.note
    signed = next(e for e in _entries(demo_register, "sign_ins") if e.key == "kbakker")
    assert json.loads(signed.after or "")["clearance_capped"] == {
        "asked": "stg-g",
        "given": "dep-v",
    }


def test_the_providers_multi_factor_sign_in_counts_as_the_second_factor(
    demo_register: Database, oidc_issuer: str
) -> None:
    settings = _settings(provider_at(oidc_issuer))
    by_amr = _claims("amr-user", organisation="NCTV", amr=["pwd", "otp"])
    by_acr = _claims("acr-user", organisation="NCTV", acr="high")
    plain = _claims("plain-user", organisation="NCTV", acr="low", amr=["pwd"])
    assert _sign_in(demo_register, settings, oidc_issuer, "s1", by_amr).second_factor_done
    assert _sign_in(demo_register, settings, oidc_issuer, "s2", by_acr).second_factor_done
    assert not _sign_in(demo_register, settings, oidc_issuer, "s3", plain).second_factor_done


def test_a_provider_for_existing_accounts_refuses_an_unknown_one(
    demo_register: Database, oidc_issuer: str
) -> None:
    provider = provider_at(oidc_issuer, key="partner", accounts="existing")
    settings = _settings(provider)
    with pytest.raises(ForbiddenError, match="existing accounts only"):
        _sign_in(demo_register, settings, oidc_issuer, "p-1", _claims("nobody"), key="partner")
    refused = _entries(demo_register, "sign_ins")[-1]
    assert (refused.action, refused.key) == ("sign-in-fail", "nobody")
    assert json.loads(refused.after or "")["provider"] == "partner"
    # An account that exists is linked by its name, and keeps its own role and clearance.
    operator = Context(db=demo_register, actor="test:setup")
    from weerbaar.services.accounts import add_user

    add_user(
        operator,
        username="lvisser",
        password="correct horse battery staple",
        role="analyst",
        organisation="aivd",
        clearance="dep-v",
    )
    claims = _claims("lvisser", groups=["coordinators"], organisation="NCTV")
    done = _sign_in(demo_register, settings, oidc_issuer, "p-2", claims, key="partner")
    assert (done.user.role, done.user.organisation) == ("analyst", "aivd")


def test_a_disabled_account_is_refused(demo_register: Database, oidc_issuer: str) -> None:
    settings = _settings(provider_at(oidc_issuer))
    claims = _claims("mdekker", organisation="NCTV")
    _sign_in(demo_register, settings, oidc_issuer, "sub-mdekker", claims)
    set_disabled(Context(db=demo_register, actor="test:setup"), "mdekker")
    with pytest.raises(ForbiddenError, match="disabled"):
        _sign_in(demo_register, settings, oidc_issuer, "sub-mdekker", claims)
    assert _entries(demo_register, "sign_ins")[-1].action == "sign-in-fail"


def test_an_answer_used_twice_is_refused(demo_register: Database, oidc_issuer: str) -> None:
    settings = _settings(provider_at(oidc_issuer))
    started = begin_sign_in(
        demo_register, settings, "intranet", redirect_uri=CALLBACK, next="/", address=ADDRESS
    )
    answer = answer_of(
        authorize(oidc_issuer, started.url, "sub-once", _claims("once", organisation="NCTV"))
    )
    finish = functools.partial(
        finish_sign_in,
        demo_register,
        settings,
        "intranet",
        state=answer["state"],
        code=answer["code"],
        error="",
        kept_state=started.state,
        redirect_uri=CALLBACK,
        address=ADDRESS,
    )
    assert finish().user.username == "once"
    with pytest.raises(UnauthenticatedError, match="already used"):
        finish()
    assert _entries(demo_register, "sign_ins")[-1].action == "sign-in-fail"


def test_the_request_is_stored_by_the_hash_of_its_state_with_a_pkce_challenge(
    demo_register: Database, oidc_issuer: str
) -> None:
    settings = _settings(provider_at(oidc_issuer))
    started = begin_sign_in(
        demo_register, settings, "intranet", redirect_uri=CALLBACK, next="/", address=ADDRESS
    )
    with demo_register.transaction() as connection:
        row = connection.execute(select(oidc_requests)).one()
    assert row.state_hash == hashlib.sha256(started.state.encode()).hexdigest()
    sent = answer_of(started.url)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(row.verifier.encode()).digest())
    assert sent["code_challenge"] == challenge.decode().rstrip("=")
    assert sent["code_challenge_method"] == "S256"
    assert sent["nonce"] == row.nonce and sent["state"] == started.state


def test_an_answer_to_an_altered_nonce_is_refused(
    demo_register: Database, oidc_issuer: str
) -> None:
    settings = _settings(provider_at(oidc_issuer))
    started = begin_sign_in(
        demo_register, settings, "intranet", redirect_uri=CALLBACK, next="/", address=ADDRESS
    )
    altered = started.url.replace("nonce=", "nonce=x")
    answer = answer_of(
        authorize(oidc_issuer, altered, "sub-n", _claims("nonce", organisation="NCTV"))
    )
    with pytest.raises(UnauthenticatedError, match="nonce"):
        finish_sign_in(
            demo_register,
            settings,
            "intranet",
            state=answer["state"],
            code=answer["code"],
            error="",
            kept_state=started.state,
            redirect_uri=CALLBACK,
            address=ADDRESS,
        )
    refused = _entries(demo_register, "sign_ins")[-1]
    assert refused.action == "sign-in-fail" and "nonce" in (refused.after or "")
    assert answer["code"] not in (refused.after or "")


def test_an_answer_from_another_browser_or_a_refusal_is_refused(
    demo_register: Database, oidc_issuer: str
) -> None:
    settings = _settings(provider_at(oidc_issuer))

    def begin() -> tuple[str, str]:
        started = begin_sign_in(
            demo_register, settings, "intranet", redirect_uri=CALLBACK, next="/", address=ADDRESS
        )
        return started.url, started.state

    url, state = begin()
    answer = answer_of(authorize(oidc_issuer, url, "sub-o", _claims("other", organisation="NCTV")))
    with pytest.raises(UnauthenticatedError, match="another browser"):
        finish_sign_in(
            demo_register, settings, "intranet", state=answer["state"], code=answer["code"],
            error="", kept_state=None, redirect_uri=CALLBACK, address=ADDRESS,
        )  # fmt: skip
    url, state = begin()
    denied = answer_of(deny(url))
    # This provider leaves the state out of a refusal; a provider must send it back.
    with pytest.raises(UnauthenticatedError, match="access_denied"):
        finish_sign_in(
            demo_register, settings, "intranet", state=denied.get("state", state), code="",
            error=denied["error"], kept_state=state, redirect_uri=CALLBACK, address=ADDRESS,
        )  # fmt: skip
    with pytest.raises(UnauthenticatedError, match="no single sign-on provider"):
        begin_sign_in(
            demo_register, settings, "elsewhere", redirect_uri=CALLBACK, next="/", address=ADDRESS
        )
    reasons = [json.loads(e.after or "")["reason"] for e in _entries(demo_register, "sign_ins")]
    assert len(reasons) == 3 and "access_denied" in reasons[1]


def _real_token(oidc_issuer: str) -> tuple[Provider, oidc_client.Metadata, dict[str, Any], str]:
    """An ID token the provider really issued, for a sign-in with nonce "n-1"."""
    provider = provider_at(oidc_issuer)
    metadata = oidc_client.discover(provider)
    url = oidc_client.authorization_url(
        provider, metadata, redirect_uri=CALLBACK, state="s-1", nonce="n-1", verifier="v" * 50
    )
    answer = answer_of(authorize(oidc_issuer, url, "sub-t", _claims("token", organisation="NCTV")))
    tokens = oidc_client.redeem(
        provider, metadata, code=answer["code"], redirect_uri=CALLBACK, verifier="v" * 50
    )
    return provider, metadata, tokens, tokens["id_token"]


def _altered(token: str, **claims: Any) -> str:
    """The token with its payload changed and its signature kept."""
    header, payload, signature = token.split(".")
    padded = payload + "=" * (-len(payload) % 4)
    data = {**json.loads(base64.urlsafe_b64decode(padded)), **claims}
    encoded = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{header}.{encoded}.{signature}"


def test_a_forged_or_misdirected_id_token_is_refused(oidc_issuer: str) -> None:
    provider, metadata, tokens, token = _real_token(oidc_issuer)
    keys = oidc_client.signing_keys(provider, metadata)

    def check(candidate: str, *, as_provider: Provider = provider, nonce: str = "n-1") -> None:
        oidc_client.verify_id_token(
            as_provider, metadata, keys, candidate, nonce=nonce,
            access_token=tokens.get("access_token"),
        )  # fmt: skip

    check(token)  # the real one passes
    with pytest.raises(UnauthenticatedError, match="signature"):
        check(_altered(token, groups=["cleared-stg-g"]))
    impostor = RSAKey.generate_key(2048)
    claims = jwt.decode(token, keys).claims
    kid = jwt.decode(token, keys).header.get("kid")
    resigned = jwt.encode({"alg": "RS256", **({"kid": kid} if kid else {})}, claims, impostor)
    with pytest.raises(UnauthenticatedError, match="signature"):
        check(resigned)
    with pytest.raises(UnauthenticatedError, match="aud"):
        check(token, as_provider=dataclasses.replace(provider, client_id="another-client"))
    with pytest.raises(UnauthenticatedError, match="iss"):
        check(token, as_provider=dataclasses.replace(provider, issuer="https://idp.example"))
    with pytest.raises(UnauthenticatedError, match="nonce"):
        check(token, nonce="n-2")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    with pytest.raises(UnauthenticatedError, match="expired"):
        oidc_client.verify_id_token(provider, metadata, keys, token, nonce="n-1", now=later)
    unsigned = jwt.encode({"alg": "HS256"}, claims, KeySet.generate_key_set("oct", 256).keys[0])
    with pytest.raises(UnauthenticatedError):
        check(unsigned)


def test_the_example_configuration_reads_and_a_bad_one_names_file_and_field(
    tmp_path: Path,
) -> None:
    secrets = {"WEERBAAR_OIDC_RIJKS_SECRET": "s1", "WEERBAAR_OIDC_PARTNER_SECRET": "s2"}
    env = {"WEERBAAR_KEY_DIR": str(tmp_path), "WEERBAAR_OIDC_CONFIG": str(EXAMPLE), **secrets}
    providers = load_settings(environ=env).single_sign_on.providers
    assert [(p.key, p.accounts) for p in providers] == [
        ("rijks-idp", "create"),
        ("partner", "existing"),
    ]
    assert providers[0].ceilings["min-jenv"] == "stg-c" and "s1" not in repr(providers)
    check_providers(SingleSignOnSettings(providers))
    with pytest.raises(ConfigError, match="WEERBAAR_OIDC_PARTNER_SECRET"):
        load_settings(environ={**env, "WEERBAAR_OIDC_PARTNER_SECRET": ""})
    bad = tmp_path / "oidc.yaml"
    bad.write_text(EXAMPLE.read_text().replace("issuer: https://sso", "issuer: ftp://sso"))
    with pytest.raises(ConfigError, match=r"oidc\.yaml(.|\n)*providers\[1\] \(partner\)\.issuer"):
        load_settings(environ={**env, "WEERBAAR_OIDC_CONFIG": str(bad)})
    bad.write_text(EXAMPLE.read_text().replace("      min-jenv: stg-c\n", ""))
    with pytest.raises(ConfigError, match="ceiling"):
        load_settings(environ={**env, "WEERBAAR_OIDC_CONFIG": str(bad)})
    bad.write_text(EXAMPLE.read_text().replace("role: coordinator", "role: chief"))
    strange = load_settings(environ={**env, "WEERBAAR_OIDC_CONFIG": str(bad)})
    with pytest.raises(ConfigError, match="chief"):
        check_providers(strange.single_sign_on)
