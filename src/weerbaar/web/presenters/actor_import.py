"""An actor import as it is handed out: the model of the API's ``/actors/import`` and
of ``weerbaar actor import --format json``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from weerbaar import i18n

if TYPE_CHECKING:
    from weerbaar.services.actor_import import ActorImportReport


class PlacedReason(BaseModel):
    place: str = Field(description="where in the file: 'threat-actor.json value 17'")
    reason: str


class ActorImportOut(BaseModel):
    file: str
    kind: str = Field(description="galaxy (a MISP galaxy cluster file) or stix (a STIX bundle)")
    read: int = Field(description="actors in the file")
    created: list[str] = Field(description="keys of the actors added")
    updated: list[str] = Field(description="keys of the actors the file added to")
    unchanged: list[str] = Field(
        description="keys of the actors that already held all the file says"
    )
    rejected: list[PlacedReason]
    skipped: list[PlacedReason] = Field(description="deprecated or revoked in the file")
    seconds: float = Field(description="how long the import took")


def actor_import_answer(report: ActorImportReport) -> ActorImportOut:
    """The report, its reasons in the reader's language."""
    return ActorImportOut(
        file=report.name,
        kind=report.kind,
        read=report.read,
        created=list(report.created),
        updated=list(report.updated),
        unchanged=list(report.unchanged),
        rejected=[
            PlacedReason(place=r.origin, reason=i18n.translated(r.reason)) for r in report.rejected
        ],
        skipped=[
            PlacedReason(place=s.origin, reason=i18n.translated(s.reason)) for s in report.skipped
        ],
        seconds=round(report.seconds, 3),
    )
