"""Signed checkpoints of the audit trail's head, kept outside the database.

A keyed chain shows any entry that was changed, forged or removed in the middle, but
not entries cut off the end with the head moved back to match, nor a trail removed
whole. A checkpoint says "trail T had N entries, the newest with hash H, at time A",
signed with a key the database never holds, and is written outside the database
(a file, optionally syslog). A trail that is shorter than a checkpoint says, or whose
entry N no longer has hash H, was cut or rewritten.

This module only says what a checkpoint is and what it proves; signing and where
checkpoints are kept belong to the storage layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from weerbaar.domain.audit import canonical_json


@dataclass(frozen=True, slots=True)
class Checkpoint:
    trail: str
    seq: int  # entries in the trail when it was taken (0: none yet)
    hash: str  # the hash of entry ``seq`` (the trail's genesis value when 0)
    at: str  # ISO 8601, UTC
    key_id: str  # which chain key sealed the trail

    def payload(self) -> bytes:
        """The bytes that are signed."""
        plain = ["weerbaar-checkpoint-1", self.trail, self.seq, self.hash, self.at, self.key_id]
        return canonical_json(plain).encode("utf-8")

    def as_plain(self) -> dict[str, object]:
        return {
            "trail": self.trail,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
        }


@dataclass(frozen=True, slots=True)
class CheckpointProblem:
    place: str  # where the checkpoint was read: "checkpoints.log line 12"
    reason: str


def check_against_trail(
    checkpoints: Iterable[tuple[str, Checkpoint]],
    *,
    trail: str,
    key_id: str,
    head_seq: int,
    hash_at: Callable[[int], str | None],
) -> list[CheckpointProblem]:
    """What the (verified) checkpoints say is wrong with the trail as it is now.

    ``hash_at(seq)`` is the hash the trail holds for entry ``seq`` now (the genesis
    value for 0), or None if it has no such entry.
    """
    problems = []
    for place, checkpoint in checkpoints:
        if checkpoint.trail != trail:
            continue  # another database's trail sealed with the same keys
        if checkpoint.key_id != key_id:
            problems.append(
                CheckpointProblem(place, f"taken under key {checkpoint.key_id}, not {key_id}")
            )
        elif checkpoint.seq > head_seq:
            problems.append(
                CheckpointProblem(
                    place,
                    f"the trail was cut: on {checkpoint.at} it had {checkpoint.seq} entries, "
                    f"now it has {head_seq}",
                )
            )
        elif hash_at(checkpoint.seq) != checkpoint.hash:
            problems.append(
                CheckpointProblem(
                    place,
                    f"entry {checkpoint.seq} is not the one there on {checkpoint.at}: the trail "
                    "was rewritten from there on",
                )
            )
    return problems
