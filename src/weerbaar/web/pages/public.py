"""The public summary for citizens (publieksversie), served to anyone, signed in or
not: it is built from public records only, whoever asks
(:func:`weerbaar.services.public_summary.public_summary` takes no reader), so these
routes are the only pages that do not ask who is calling."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar.services.public_summary import as_markdown, public_summary
from weerbaar.web.auth import database
from weerbaar.web.presenters import as_json
from weerbaar.web.presenters.public_summary import public_answer
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/public")
def public_page(request: Request) -> Response:
    # No caller in the context: the page shows no signed-in navigation and nothing
    # that depends on who reads it.
    return render(
        request,
        "public.html",
        {"summary": public_summary(database(request))},
    )


@router.get("/public.md")
def public_markdown(request: Request) -> Response:
    return Response(
        as_markdown(public_summary(database(request))),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="public-summary.md"'},
    )


@router.get("/public.json")
def public_json(request: Request) -> Response:
    return Response(
        as_json(public_answer(public_summary(database(request)))) + "\n",
        media_type="application/json",
        headers={"Content-Disposition": 'inline; filename="public-summary.json"'},
    )
