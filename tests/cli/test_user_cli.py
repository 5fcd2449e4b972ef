from typer.testing import CliRunner

from tests.helpers import seed_small_register, trail_config
from weerbaar.cli.main import app
from weerbaar.services import accounts, api_tokens
from weerbaar.services.context import Context
from weerbaar.storage.db import Database


def test_user_add_passwd_disable_and_token(runner: CliRunner, db_url: str) -> None:
    db = Database(db_url, trail=trail_config())
    db.upgrade()
    seed_small_register(Context(db, "test"))
    added = runner.invoke(
        app,
        [
            "user",
            "add",
            "anna",
            "--role",
            "analyst",
            "--organisation",
            "nctv",
            "--clearance",
            "stg-c",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )
    assert added.exit_code == 0, added.output
    assert "added anna (analyst, nctv, stg-c)" in added.output
    assert accounts.authenticate(db, "anna", "a long enough passphrase", "t").clearance == "stg-c"
    short = runner.invoke(app, ["user", "passwd", "anna", "--password-stdin"], input="short\n")
    assert short.exit_code == 3 and "at least 12 characters" in short.output
    made = runner.invoke(app, ["user", "token", "anna", "--name", "etl"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert api_tokens.resolve_token(db, token, "127.0.0.1") is not None
    assert runner.invoke(app, ["user", "disable", "anna"]).exit_code == 0
    listed = runner.invoke(app, ["user", "list"])
    assert "anna" in listed.output and "yes" in listed.output
    assert api_tokens.resolve_token(db, token, "127.0.0.1") is None
    unknown = runner.invoke(app, ["user", "disable", "bert"])
    assert unknown.exit_code == 5
    db.dispose()


def test_user_token_revoke(runner: CliRunner, db_url: str) -> None:
    db = Database(db_url, trail=trail_config())
    db.upgrade()
    seed_small_register(Context(db, "test"))
    accounts.add_user(
        Context(db, "test"),
        username="anna",
        password="a long enough passphrase",
        role="analyst",
        organisation="nctv",
        clearance="public",
    )
    token = runner.invoke(app, ["user", "token", "anna"]).stdout.strip()
    token_id = api_tokens.token_id_of(token)
    revoked = runner.invoke(app, ["user", "token-revoke", token_id])
    assert revoked.exit_code == 0, revoked.output
    assert f"API token {token_id} of anna revoked" in revoked.output
    assert api_tokens.resolve_token(db, token, "127.0.0.1") is None
    # The whole token names it as well as its id.
    again = runner.invoke(app, ["user", "token-revoke", token])
    assert again.exit_code == 0 and token.partition("_")[2].partition("_")[2] not in again.output
    missing = runner.invoke(app, ["user", "token-revoke", "0123456789abcdef"])
    assert missing.exit_code == 5 and "no API token with key '0123456789abcdef'" in missing.output
    db.dispose()
