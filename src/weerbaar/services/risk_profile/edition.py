"""Which edition of the national risk profile a requester may have, and as whom it is
read.

An edition is read through the same need-to-know rule as every page, by a reader
made for it: the requester's organisation, with their clearance lowered to the
edition's level. So a record above that level, or of another organisation and not
shared with the requester's, never reaches the report, not even as a count, a rank
or a place in a figure. The public edition is read as a citizen reads ``/public``,
whoever asks. The local operator, who belongs to no organisation, reads a classified
edition as the register's own records at that level: those owned by no organisation
(``organisation`` names one to read as a member of it).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from weerbaar.domain.access import Role, Subject
from weerbaar.errors import ForbiddenError, Issue, ValidationError, said
from weerbaar.reference.access import classification_levels
from weerbaar.services.public_summary import citizen

__all__ = ["Edition", "edition_for"]

# The operator's reader: a role that writes nothing, since a report reads only.
_READER_ROLE = Role(key="report", name="Rapport", name_en="Report", writes=frozenset())


@dataclass(frozen=True, slots=True)
class Edition:
    """One edition: its level, and the reader the register is read as."""

    level: str
    reader: Subject

    @property
    def public(self) -> bool:
        return self.level == classification_levels().keys[0]


def edition_for(
    requester: Subject | None, level: str, *, organisation: str | None = None
) -> Edition:
    """The edition at ``level`` for ``requester`` (None: the local operator).

    An unknown level, or one above the requester's clearance, is refused; so is a
    guest (an external expert sees only their sessions, never a national report), and
    ``organisation`` from anyone but the operator."""
    levels = classification_levels()
    if level not in levels:
        raise ValidationError(
            [
                Issue(
                    "--classification",
                    "",
                    said(
                        "unknown classification %(level)s; known: %(known)s",
                        level=repr(level),
                        known=", ".join(levels.keys),
                    ),
                )
            ],
            summary=said("report not made"),
        )
    if requester is not None:
        if requester.role.guest:
            raise ForbiddenError(said("a guest account cannot make reports"))
        if organisation is not None:
            raise ForbiddenError(
                said("only the local operator can make a report for another organisation")
            )
        if levels.rank(level) > levels.rank(requester.clearance):
            raise ForbiddenError(
                said(
                    "your clearance (%(clearance)s) is below the edition's level (%(level)s)",
                    clearance=requester.clearance,
                    level=level,
                )
            )
    if level == levels.keys[0]:
        return Edition(level, citizen())
    if requester is None:
        return Edition(level, Subject("operator", _READER_ROLE, organisation or "", level))
    return Edition(level, dataclasses.replace(requester, clearance=level))
