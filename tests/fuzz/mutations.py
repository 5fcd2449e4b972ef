"""Damage done to a valid file: bits flipped, cut short, spans dropped, repeated or
overwritten, hostile tokens put in. Driven by a hypothesis-made ``Random``, so a run
is reproducible."""

from __future__ import annotations

import random

__all__ = ["TOKENS", "damaged", "mutate"]

TOKENS: tuple[bytes, ...] = (
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xe2\x80",  # half a UTF-8 sequence
    b"\x81\x8d",  # undefined in Windows-1252
    b"\r\n",
    b"\n" * 50,
    b"[" * 3000,
    b"{" * 3000,
    b'"',
    b"\\",
    b"9" * 5000,
    b"1e99999",
    b"NaN",
    b"<!ENTITY x SYSTEM 'file:///etc/passwd'>",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
    b"&a;&a;&a;",
    b"]]>",
    b"<![CDATA[",
    b"=cmd|' /C calc'!A0",
    b"&amp;#0;",
    b"*a",
    b"&a [*a, *a, *a]",
    b"!!python/object/apply:os.system ['true']",
)


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One kind of damage, chosen by ``rng``."""
    size = len(data)
    choice = rng.randrange(7)
    if size == 0 or choice == 0:  # put a hostile token in
        at = rng.randint(0, size)
        return data[:at] + rng.choice(TOKENS) + data[at:]
    if choice == 1:  # flip a few bits
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(size)] ^= 1 << rng.randrange(8)
        return bytes(out)
    if choice == 2:  # cut short
        return data[: rng.randrange(size)]
    start = rng.randrange(size)
    end = min(size, start + rng.randint(1, max(1, size // 4)))
    if choice == 3:  # a span dropped
        return data[:start] + data[end:]
    if choice == 4:  # a span repeated
        return data[:end] + data[start:end] * rng.randint(2, 8) + data[end:]
    if choice == 5:  # a span overwritten with noise
        noise = bytes(rng.randrange(256) for _ in range(end - start))
        return data[:start] + noise + data[end:]
    return data[:start] + data[start:end][::-1] + data[end:]  # a span reversed


def damaged(rng: random.Random, data: bytes, times: int) -> list[bytes]:
    """``times`` damaged copies of ``data``, each with one to three kinds of damage."""
    copies = []
    for _ in range(times):
        out = data
        for _ in range(rng.randint(1, 3)):
            out = mutate(rng, out)
        copies.append(out)
    return copies
