"""Sign-in throttling holds when guesses arrive at the same moment.

The check of the failure count and the counting of a try happen in one write
transaction, which writers take in turn on both databases; a try is counted before
the slow password check, so many simultaneous guesses still get only the limit of
checks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import seed_small_register
from weerbaar.errors import RateLimitedError, UnauthenticatedError
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.storage.db import Database

PASSWORD = "a long enough passphrase"
GUESSES = 40


def _add_anna(ctx: Context) -> None:
    seed_small_register(ctx)
    accounts.add_user(
        ctx,
        username="anna",
        password=PASSWORD,
        role="analyst",
        organisation="nctv",
        clearance="dep-v",
    )


def _outcome(db: Database, username: str, password: str, address: str) -> str:
    try:
        accounts.authenticate(db, username, password, address)
    except UnauthenticatedError:
        return "checked and refused"
    except RateLimitedError:
        return "throttled"
    return "signed in"


def _guess_at_once(db: Database, guesses: list[tuple[str, str, str]]) -> Counter[str]:
    with ThreadPoolExecutor(max_workers=len(guesses)) as pool:
        outcomes = pool.map(lambda g: _outcome(db, *g), guesses)
        return Counter(outcomes)


def test_simultaneous_guesses_at_one_account_get_only_the_limit(ctx: Context, db: Database) -> None:
    _add_anna(ctx)
    guesses = [("anna", f"wrong guess number {i}", f"10.0.{i}.1") for i in range(GUESSES)]
    outcomes = _guess_at_once(db, guesses)
    assert outcomes == Counter(
        {
            "checked and refused": accounts.MAX_FAILURES_PER_ACCOUNT,
            "throttled": GUESSES - accounts.MAX_FAILURES_PER_ACCOUNT,
        }
    )
    with pytest.raises(RateLimitedError):
        accounts.authenticate(db, "anna", PASSWORD, "10.9.9.9")


def test_simultaneous_guesses_from_one_address_get_only_the_limit(
    ctx: Context, db: Database
) -> None:
    _add_anna(ctx)
    guesses = [(f"user-{i}", "wrong password!", "10.0.0.66") for i in range(GUESSES)]
    outcomes = _guess_at_once(db, guesses)
    assert outcomes["checked and refused"] == accounts.MAX_FAILURES_PER_ADDRESS
    assert outcomes["throttled"] == GUESSES - accounts.MAX_FAILURES_PER_ADDRESS
    with pytest.raises(RateLimitedError):
        accounts.authenticate(db, "anna", PASSWORD, "10.0.0.66")
    assert accounts.authenticate(db, "anna", PASSWORD, "10.0.0.67").username == "anna"


def test_the_right_password_works_again_once_the_window_has_passed(
    ctx: Context, db: Database
) -> None:
    _add_anna(ctx)
    start = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(UnauthenticatedError):
            accounts.authenticate(db, "anna", "wrong password!", "10.0.0.1", now=start)
    almost = start + accounts.FAILURE_WINDOW - dt.timedelta(seconds=1)
    with pytest.raises(RateLimitedError):
        accounts.authenticate(db, "anna", PASSWORD, "10.0.0.1", now=almost)
    later = start + accounts.FAILURE_WINDOW + dt.timedelta(seconds=1)
    assert accounts.authenticate(db, "anna", PASSWORD, "10.0.0.1", now=later).username == "anna"


def test_signing_in_rightly_is_never_counted_as_a_failure(ctx: Context, db: Database) -> None:
    _add_anna(ctx)
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT + 1):
        assert accounts.authenticate(db, "anna", PASSWORD, "10.0.0.1").username == "anna"
    # and a success clears the slips before it
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT - 1):
        with pytest.raises(UnauthenticatedError):
            accounts.authenticate(db, "anna", "wrong password!", "10.0.0.1")
    accounts.authenticate(db, "anna", PASSWORD, "10.0.0.1")
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT - 1):
        with pytest.raises(UnauthenticatedError):
            accounts.authenticate(db, "anna", "wrong password!", "10.0.0.1")
    assert accounts.authenticate(db, "anna", PASSWORD, "10.0.0.1").username == "anna"


def test_a_long_username_is_counted_under_the_name_it_is_stored_as(
    ctx: Context, db: Database
) -> None:
    _add_anna(ctx)
    long_name = "x" * 100
    for i in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(UnauthenticatedError):
            accounts.authenticate(db, long_name, "wrong password!", f"10.1.0.{i}")
    with pytest.raises(RateLimitedError):
        accounts.authenticate(db, long_name, "wrong password!", "10.1.1.1")
