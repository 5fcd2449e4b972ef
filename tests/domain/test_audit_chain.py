import dataclasses

from weerbaar.domain.audit import GENESIS, AuditEntry, entry_hash, first_break


def chain(n: int) -> list[AuditEntry]:
    out, prev = [], GENESIS
    for seq in range(1, n + 1):
        at = f"2026-01-01T00:00:{seq:02d}+00:00"
        after = '{"x":1}'
        digest = entry_hash(
            seq=seq,
            at=at,
            actor="a",
            action="create",
            entity="themes",
            key=f"t{seq}",
            before=None,
            after=after,
            prev_hash=prev,
        )
        out.append(
            AuditEntry(
                seq=seq,
                at=at,
                actor="a",
                action="create",
                entity="themes",
                key=f"t{seq}",
                before=None,
                after=after,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    return out


def test_intact_chain_and_empty_chain() -> None:
    entries = chain(5)
    assert first_break(entries, (5, entries[-1].hash)) is None
    assert first_break([], (0, GENESIS)) is None


def test_altered_entry_is_named() -> None:
    entries = chain(5)
    entries[2] = dataclasses.replace(entries[2], actor="mallory")
    found = first_break(entries, (5, entries[-1].hash))
    assert found is not None and found.seq == 3 and "altered" in found.reason


def test_rehashed_entry_breaks_the_next_link() -> None:
    entries = chain(5)
    forged = dataclasses.replace(entries[1], after='{"x":2}')
    digest = entry_hash(**{k: v for k, v in dataclasses.asdict(forged).items() if k != "hash"})
    entries[1] = dataclasses.replace(forged, hash=digest)
    found = first_break(entries, (5, entries[-1].hash))
    assert found is not None and found.seq == 3 and "link" in found.reason


def test_removed_entry_is_named() -> None:
    entries = chain(5)
    del entries[1]
    found = first_break(entries, (5, entries[-1].hash))
    assert found is not None and found.seq == 2 and "missing" in found.reason


def test_cut_off_tail_is_noticed() -> None:
    entries = chain(5)
    found = first_break(entries[:3], (5, entries[-1].hash))
    assert found is not None and found.seq == 4
