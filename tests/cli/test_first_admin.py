"""The first administrator that ``weerbaar serve`` creates: also beside the demo
profile's own accounts (experts and assessors, none of them an administrator), once."""

import stat
from pathlib import Path

import pytest

from weerbaar.cli.serve import FIRST_PASSWORD_FILE, ensure_first_admin
from weerbaar.errors import ConfigError
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.storage.db import Database


def _administrators(db: Database) -> list[str]:
    return [u.username for u in accounts.list_users(db) if u.role == "administrator"]


def test_the_demo_accounts_do_not_stand_in_for_an_administrator(
    demo_register: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert accounts.list_users(demo_register), "the demo brings accounts of its own"
    assert _administrators(demo_register) == []
    ctx = Context(db=demo_register, actor="test:serve")
    ensure_first_admin(ctx, demo_register, password=None)
    assert _administrators(demo_register) == ["admin"]
    shown = capsys.readouterr().out
    assert "admin" in shown and "shown once" in shown
    # Started again, nothing is added and no password is shown.
    ensure_first_admin(ctx, demo_register, password=None)
    assert _administrators(demo_register) == ["admin"]
    assert "shown once" not in capsys.readouterr().out


def test_an_administrator_by_another_name_is_enough(demo_register: Database) -> None:
    ctx = Context(db=demo_register, actor="test:serve")
    accounts.add_user(
        ctx,
        username="beheer",
        password="correct horse battery staple",
        role="administrator",
        organisation="nctv",
        clearance="stg-g",
    )
    ensure_first_admin(ctx, demo_register, password=None)
    assert _administrators(demo_register) == ["beheer"]


def test_without_a_terminal_the_new_password_goes_to_a_file_not_to_the_output(
    demo_register: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A service's output is a log, where no password may be: the new password is kept
    in a file only its owner reads, and the output names the file alone."""
    ctx = Context(db=demo_register, actor="test:serve")
    kept = tmp_path / "keys" / FIRST_PASSWORD_FILE
    kept.parent.mkdir(mode=0o700)
    ensure_first_admin(ctx, demo_register, password=None, terminal=False, password_file=kept)
    password = kept.read_text("utf-8").strip()
    shown = capsys.readouterr().out
    assert password not in shown and str(kept) in shown.replace("\n", "")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    user = accounts.authenticate(demo_register, "admin", password, "127.0.0.1")
    assert user.role == "administrator"


@pytest.mark.parametrize("where", ["unwritable", "none"])
def test_without_a_terminal_or_a_place_for_the_password_nothing_is_made(
    demo_register: Database, tmp_path: Path, where: str
) -> None:
    ctx = Context(db=demo_register, actor="test:serve")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    place = blocker / FIRST_PASSWORD_FILE if where == "unwritable" else None
    with pytest.raises(ConfigError, match="WEERBAAR_ADMIN_PASSWORD"):
        ensure_first_admin(ctx, demo_register, password=None, terminal=False, password_file=place)
    assert _administrators(demo_register) == []
