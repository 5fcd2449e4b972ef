"""Which e-mail addresses weerbaar sends to or from: one plain address, nothing that
could turn into several recipients or extra headers of a message."""

from __future__ import annotations

from weerbaar.errors import said

# Characters that would let one address turn into several recipients or headers.
_ADDRESS_FORBIDDEN = frozenset('<>(),;:"[]\\')


def email_address_problem(address: str) -> str | None:
    """Why ``address`` is not one usable e-mail address, or None when it is."""
    if not address:
        return said("an e-mail address is needed")
    # A line break in an address would let it add headers of its own to the e-mail.
    if any(ch.isspace() or not ch.isprintable() for ch in address):
        return said(
            "%(address)s may not hold spaces, line breaks or control characters",
            address=repr(address),
        )
    if address.count("@") != 1:
        return said(
            "%(address)s is not one e-mail address: it needs exactly one @", address=repr(address)
        )
    local, _, domain = address.partition("@")
    if not local or not domain:
        return said(
            "%(address)s needs a name before the @ and a domain after it", address=repr(address)
        )
    if _ADDRESS_FORBIDDEN & set(address):
        shown = "".join(sorted(_ADDRESS_FORBIDDEN & set(address)))
        return said(
            "%(address)s holds characters an address here may not: %(characters)s",
            address=repr(address),
            characters=shown,
        )
    return None
