"""The keeper of results: made once however many ask at once, bounded, and a failure
kept by nobody."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from weerbaar.services.kept import Kept

ASKING = 8


def test_a_missing_result_is_made_once_for_everyone_asking_at_once() -> None:
    kept: Kept[list[int]] = Kept(4)
    release = threading.Event()
    calls: list[int] = []

    def make() -> list[int]:
        calls.append(1)
        release.wait(10)
        return [42]

    with ThreadPoolExecutor(ASKING) as pool:
        futures = [pool.submit(kept.get, "k", make) for _ in range(ASKING)]
        threading.Timer(0.3, release.set).start()
        answers = [f.result(timeout=30) for f in futures]
    assert len(calls) == 1
    assert all(a is answers[0] for a in answers)  # the very same result, not a copy
    assert kept.get("k", lambda: [0]) is answers[0]


def test_a_failure_is_not_kept_and_the_next_waiter_makes_it() -> None:
    kept: Kept[str] = Kept(4)
    release = threading.Event()
    first = threading.Lock()
    made: list[str] = []

    def make() -> str:
        if first.acquire(blocking=False):  # the first maker fails, after the others wait
            release.wait(10)
            raise RuntimeError("source unavailable")
        made.append("again")
        return "answer"

    with ThreadPoolExecutor(ASKING) as pool:
        futures = [pool.submit(kept.get, "k", make) for _ in range(ASKING)]
        threading.Timer(0.3, release.set).start()
        outcomes = []
        for future in futures:
            try:
                outcomes.append(future.result(timeout=30))
            except RuntimeError as exc:
                outcomes.append(str(exc))
    assert outcomes.count("source unavailable") == 1
    assert outcomes.count("answer") == ASKING - 1
    assert made == ["again"]  # the first waiter made it; the others waited for it
    assert kept.get("k", lambda: "later") == "answer"


def test_the_least_recently_used_go_first_when_over_the_limit() -> None:
    kept: Kept[str] = Kept(5, size=len)
    kept.get("a", lambda: "aa")
    kept.get("b", lambda: "bb")
    kept.get("a", lambda: "unused")  # a is used again: b is now the oldest
    kept.get("c", lambda: "cc")
    assert kept.get("a", lambda: "made again") == "aa"
    assert kept.get("b", lambda: "made again") == "made again"


def test_an_error_of_the_only_caller_propagates_and_nothing_is_kept() -> None:
    kept: Kept[int] = Kept(2)
    with pytest.raises(ZeroDivisionError):
        kept.get("k", lambda: 1 // 0)
    assert kept.get("k", lambda: 7) == 7
