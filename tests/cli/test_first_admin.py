"""The first administrator that ``weerbaar serve`` creates: also beside the demo
profile's own accounts (experts and assessors, none of them an administrator), once."""

import pytest

from weerbaar.cli.serve import ensure_first_admin
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
