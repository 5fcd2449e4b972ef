"""``POST /reports/profile``: the national risk profile of a round as a file, as
``weerbaar report profile`` makes it and the page ``/reports`` offers it.

The answer is the file itself (PDF, HTML or Markdown), with its hash and marking in
headers and, for a classified edition, the number of the copy. Making one issues a
copy and records it in the audit trail, so it takes a write token (or the browser
session's CSRF header). At most two are made at once in the server: another request
is answered 429 with ``Retry-After`` (see :mod:`weerbaar.web.risk_profile`).
"""

# No ``from __future__ import annotations``: FastAPI reads the model from the
# endpoint's annotations, and the classification levels are made at import time.

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from weerbaar import i18n
from weerbaar.reports.risk_profile import RECIPIENT_LENGTH
from weerbaar.web.api.callers import writer
from weerbaar.web.api.problems import error_responses
from weerbaar.web.api.schemas import classification
from weerbaar.web.auth import Caller
from weerbaar.web.limits import Key
from weerbaar.web.risk_profile import AT_ONCE, Order, make_download

router = APIRouter(prefix="/reports", tags=["reports"])

Level = classification()
Recipient = Annotated[
    str,
    Field(min_length=1, max_length=RECIPIENT_LENGTH, pattern=r"^[^\x00-\x1f\x7f]+$"),
]


class ProfileOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    round: Key | None = Field(
        None, description="the assessment round (default: the newest the edition may show)"
    )
    classification: Level = Field(  # type: ignore[valid-type]
        "public",
        description="the edition: public, or the highest classification a numbered copy "
        "may hold (at most the caller's clearance)",
    )
    lang: Literal["nl", "en"] | None = Field(
        None, description="the report's language (default: the request's)"
    )
    format: Literal["pdf", "html", "md"] = Field("pdf", description="the file to make")
    recipient: Recipient | None = Field(
        None,
        description="whom a classified copy is for, printed on every page (default: the "
        "caller's name); the public edition is addressed to no one",
    )
    organisation: Key | None = Field(
        None,
        description="read the register as a member of this organisation: only the caller's "
        "own (the local operator's command line may choose another)",
    )


_TEXT = {"schema": {"type": "string"}}
_HEADERS: dict[str, Any] = {
    "Content-Disposition": {
        "description": "attachment, named risicoprofiel-<round>-<level>-<lang>.<format>",
        "schema": {"type": "string"},
    },
    "X-Weerbaar-Sha256": {
        "description": "the SHA-256 of the file, as the audit trail records it",
        "schema": {"type": "string"},
    },
    "X-Weerbaar-Marking": {
        "description": "the highest classification the file holds (public for the public edition)",
        "schema": {"type": "string"},
    },
    "X-Weerbaar-Copy": {
        "description": "the copy's number; a classified edition only",
        "schema": {"type": "integer"},
    },
}
_BUSY = {
    "Retry-After": {
        "description": "seconds to wait before asking again",
        "schema": {"type": "integer"},
    }
}


@router.post(
    "/profile",
    summary="Make the national risk profile",
    description="The profile of a round as PDF, HTML or Markdown, in Dutch or English: the "
    "public edition (public records only, whoever asks), or a numbered copy of a "
    "classified edition holding what the caller may read up to its level, addressed to its "
    "recipient. Every copy is recorded in the audit trail with its hash. A guest, or a "
    "level above the caller's clearance, is refused (403); a round the edition may not "
    "show is not found (404), as a missing one. Takes seconds; at most "
    f"{AT_ONCE} are made at once, and another request is answered 429 with Retry-After.",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "text/html": _TEXT,
                "text/markdown": _TEXT,
            },
            "headers": _HEADERS,
        },
        **error_responses(400, 401, 403, 404, 422),
        429: {**error_responses(429)[429], "headers": _BUSY},
    },
)
def profile(
    request: Request, body: ProfileOrder, caller: Annotated[Caller, Depends(writer)]
) -> Response:
    order = Order(
        round_key=body.round,
        level=str(body.classification),
        language=body.lang or i18n.language(),
        fmt=body.format,
        recipient=body.recipient,
        organisation=body.organisation,
    )
    download = make_download(request, caller, order, place="body")
    return Response(download.content, media_type=download.media_type, headers=download.headers())
