"""What a new password must be: long enough, not too long for the hash to take in
bounded time, and hard enough to guess (see ``data/access/passwords.yaml`` for the
sources). The estimate itself is made in :mod:`weerbaar.services.passwords`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    min_length: int
    max_length: int
    min_score: int  # zxcvbn's 0–4
    words: frozenset[str]  # words the estimate must know besides its own lists
