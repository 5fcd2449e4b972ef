"""New passwords follow NIST SP 800-63B: long enough, and not common, patterned or
built from the account's own name, Dutch words included; no composition rules."""

from __future__ import annotations

import pytest

from tests.helpers import seed_small_register
from weerbaar.errors import ValidationError
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.services.passwords import check_password, password_problems

CONTEXT = ("jdevries", "Jan de Vries", "aivd")


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # in the common-password list
        "aaaaaaaaaaaa",  # a repeat
        "qwertyuiop12",  # a keyboard row
        "Welkom012345",  # a Dutch word the English lists do not know
        "wachtwoord123",
        "Feyenoord1908",
        "jdevries2026!",  # the account's own name
        "weerbaar2026!",  # the system's name
    ],
)
def test_a_guessable_password_is_refused_with_advice(password: str) -> None:
    (problem,) = password_problems(password, context=CONTEXT)
    assert problem.startswith("is too easy to guess")
    assert "four or more unrelated words" in problem


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "fiets lantaarn onweer 71 kaasschaaf", "gr0en-Tafel_9mistig"],
)
def test_a_long_unpredictable_password_is_accepted_without_composition_rules(
    password: str,
) -> None:
    assert password_problems(password, context=CONTEXT) == []


def test_length_bounds_come_first() -> None:
    assert password_problems("short", context=CONTEXT) == ["must be at least 12 characters"]
    assert password_problems("x" * 1025) == ["must be at most 1024 characters"]
    with pytest.raises(ValidationError, match="password"):
        check_password("short")


def test_accounts_refuse_a_weak_password_and_keep_the_old_one(ctx: Context) -> None:
    seed_small_register(ctx)
    with pytest.raises(ValidationError, match="too easy to guess"):
        accounts.add_user(
            ctx,
            username="anna",
            password="anna12345678",
            role="analyst",
            organisation="nctv",
            clearance="public",
        )
    accounts.add_user(
        ctx,
        username="anna",
        password="correct horse battery staple",
        role="analyst",
        organisation="nctv",
        clearance="public",
    )
    with pytest.raises(ValidationError, match="too easy to guess"):
        accounts.set_password(ctx, "anna", "Password2026!")
    assert accounts.authenticate(ctx.db, "anna", "correct horse battery staple", "x").version == 1
