"""Whether a new password may be used: the policy of ``data/access/passwords.yaml``
(NIST SP 800-63B), with zxcvbn estimating how many guesses it would take.

The estimate also knows the policy's Dutch words and, for each password, the
account's own name, display name and organisation: a password built from those is
guessed first.
"""

from __future__ import annotations

from collections.abc import Iterable

from weerbaar.errors import Issue, ValidationError, said
from weerbaar.reference.access import password_policy

SYSTEM_WORDS = ("weerbaar", "nctv")


def password_problems(password: str, *, context: Iterable[str] = ()) -> list[str]:
    """What is wrong with ``password`` as a new password; empty if nothing."""
    policy = password_policy()
    if len(password) < policy.min_length:
        return [said("must be at least %(length)s characters", length=policy.min_length)]
    if len(password) > policy.max_length:
        return [said("must be at most %(length)s characters", length=policy.max_length)]
    from zxcvbn import zxcvbn  # its word lists load on first use, not at every start

    words = [*policy.words, *SYSTEM_WORDS, *(w for w in context if w)]
    # zxcvbn's work grows with the length; beyond 100 characters a password is long
    # enough that the rest only adds guesses.
    estimate = zxcvbn(password[:100], user_inputs=words)
    if estimate["score"] >= policy.min_score:
        return []
    feedback = estimate["feedback"]
    hints = [feedback["warning"], *feedback["suggestions"]]
    advice = " ".join(h.rstrip(".") + "." for h in hints if h)
    if not advice:
        return [
            said(
                "is too easy to guess (it is common, or built from words, names, dates or "
                "patterns that are tried first) A sentence of four or more unrelated words "
                "is long and easy to remember."
            )
        ]
    # zxcvbn's advice is in English; the Dutch catalogue says what to do in its own words.
    return [
        said(
            "is too easy to guess (it is common, or built from words, names, dates or "
            "patterns that are tried first): %(advice)s A sentence of four or more "
            "unrelated words is long and easy to remember.",
            advice=advice,
        )
    ]


def check_password(password: str, *, context: Iterable[str] = ()) -> None:
    """Refuse ``password`` as a new password, saying why."""
    problems = password_problems(password, context=context)
    if problems:
        raise ValidationError(
            [Issue("", "password", p) for p in problems], summary=said("bad password")
        )
