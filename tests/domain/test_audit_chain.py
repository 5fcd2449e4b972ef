import dataclasses
import hashlib
import hmac
import json

from weerbaar.domain.audit import (
    LEGACY_GENESIS,
    AuditEntry,
    ChainKey,
    Change,
    extend,
    first_break,
    first_legacy_break,
    legacy_hash,
)
from weerbaar.domain.checkpoints import Checkpoint, check_against_trail

KEY = ChainKey(b"\x01" * 32, "trail-a")


def chain(n: int, key: ChainKey = KEY) -> list[AuditEntry]:
    changes = [
        Change(f"2026-01-01T00:00:{seq:02d}+00:00", "a", "create", "themes", f"t{seq}", None, "{}")
        for seq in range(1, n + 1)
    ]
    return extend(changes, last_seq=0, last_hash=key.genesis, key=key)


def test_intact_chain_and_empty_chain() -> None:
    entries = chain(5)
    assert first_break(entries, (5, entries[-1].hash), key=KEY) is None
    assert first_break([], (0, KEY.genesis), key=KEY) is None


def test_an_entry_is_sealed_over_its_canonical_json() -> None:
    # The format of the hash, written out: trails sealed before must verify after.
    [entry] = chain(1)
    content = [1, entry.at, "a", "create", "themes", "t1", None, "{}", KEY.genesis, None]
    data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert entry.hash == hmac.new(KEY.secret, data.encode(), hashlib.sha256).hexdigest()
    assert entry.prev_hash == KEY.genesis
    assert KEY.seal(dataclasses.replace(entry, prev_hash="", hash=""), KEY.genesis) == entry


def test_a_missing_head_is_a_break() -> None:
    found = first_break([], None, key=KEY)
    assert found is not None and "head" in found.reason


def test_altered_entry_is_named() -> None:
    entries = chain(5)
    entries[2] = dataclasses.replace(entries[2], actor="mallory")
    found = first_break(entries, (5, entries[-1].hash), key=KEY)
    assert found is not None and found.seq == 3 and "altered" in found.reason


def test_a_note_is_sealed_too() -> None:
    entries = chain(3)
    entries[1] = dataclasses.replace(entries[1], note="a reason added afterwards")
    found = first_break(entries, (3, entries[-1].hash), key=KEY)
    assert found is not None and found.seq == 2


def test_a_request_id_is_sealed_after_the_note_and_cannot_be_added_or_changed() -> None:
    change = Change("2026-01-01T00:00:01+00:00", "a", "update", "themes", "t1", "{}", "{}")
    [entry] = extend(
        [dataclasses.replace(change, request_id="req-12345678")],
        last_seq=0,
        last_hash=KEY.genesis,
        key=KEY,
    )
    content = [1, entry.at, "a", "update", "themes", "t1", "{}", "{}", KEY.genesis, None]
    data = json.dumps([*content, "req-12345678"], sort_keys=True, separators=(",", ":"))
    assert entry.request_id == "req-12345678"
    assert entry.hash == hmac.new(KEY.secret, data.encode(), hashlib.sha256).hexdigest()
    for forged in ("req-87654321", None):
        found = first_break(
            [dataclasses.replace(entry, request_id=forged)], (1, entry.hash), key=KEY
        )
        assert found is not None and found.seq == 1
    [plain] = chain(1)
    found = first_break(
        [dataclasses.replace(plain, request_id="req-12345678")], (1, plain.hash), key=KEY
    )
    assert found is not None and "altered" in found.reason


def test_the_same_entries_do_not_fit_another_key_or_trail() -> None:
    entries = chain(3)
    for other in (ChainKey(b"\x02" * 32, "trail-a"), ChainKey(b"\x01" * 32, "trail-b")):
        found = first_break(entries, (3, entries[-1].hash), key=other)
        assert found is not None and found.seq == 1
    assert KEY.key_id != ChainKey(b"\x02" * 32, "trail-a").key_id
    assert "\\x01" not in repr(KEY) and KEY.key_id in repr(KEY)


def test_rehashed_entry_breaks_the_next_link() -> None:
    entries = chain(5)
    forged = dataclasses.replace(entries[1], after='{"x":2}')
    entries[1] = KEY.seal(forged, forged.prev_hash)
    found = first_break(entries, (5, entries[-1].hash), key=KEY)
    assert found is not None and found.seq == 3 and "link" in found.reason


def test_removed_entry_is_named() -> None:
    entries = chain(5)
    del entries[1]
    found = first_break(entries, (5, entries[-1].hash), key=KEY)
    assert found is not None and found.seq == 2 and "missing" in found.reason


def test_cut_off_tail_is_noticed_while_the_head_stands() -> None:
    entries = chain(5)
    found = first_break(entries[:3], (5, entries[-1].hash), key=KEY)
    assert found is not None and found.seq == 4
    # With the head moved back as well, the chain alone cannot tell: checkpoints can.
    assert first_break(entries[:3], (3, entries[2].hash), key=KEY) is None
    signed = [("log line 1", Checkpoint("trail-a", 5, entries[4].hash, "2026-01-02", "k"))]
    problems = check_against_trail(
        signed,
        trail="trail-a",
        key_id="k",
        head_seq=3,
        hash_at=lambda seq: entries[seq - 1].hash if 0 < seq <= 3 else None,
    )
    assert [p.place for p in problems] == ["log line 1"] and "cut" in problems[0].reason


def test_checkpoints_of_other_trails_are_left_alone_and_a_rewrite_is_named() -> None:
    entries = chain(3)
    signed = [
        ("line 1", Checkpoint("trail-b", 9, "x", "2026-01-01", "k")),
        ("line 2", Checkpoint("trail-a", 2, "not-the-hash", "2026-01-02", "k")),
        ("line 3", Checkpoint("trail-a", 3, entries[2].hash, "2026-01-03", "other")),
    ]
    problems = check_against_trail(
        signed, trail="trail-a", key_id="k", head_seq=3, hash_at=lambda s: entries[s - 1].hash
    )
    assert [p.place for p in problems] == ["line 2", "line 3"]
    assert "rewritten" in problems[0].reason and "key" in problems[1].reason


def test_legacy_chain_is_checked_with_plain_sha256() -> None:
    out, prev = [], LEGACY_GENESIS
    for entry in chain(3):
        entry = dataclasses.replace(entry, prev_hash=prev, hash="")
        entry = dataclasses.replace(entry, hash=legacy_hash(entry))
        out.append(entry)
        prev = entry.hash
    assert first_legacy_break(out, (3, prev)) is None
    out[1] = dataclasses.replace(out[1], actor="mallory")
    found = first_legacy_break(out, (3, prev))
    assert found is not None and found.seq == 2
