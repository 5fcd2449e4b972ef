"""``/portfolio``, ``/progress`` and ``/public-summary``: the integral view of risks
against effort, progress per ministry and theme, and the summary for citizens, as
``weerbaar portfolio`` and ``weerbaar report`` give them.

The first two are computed from what the caller may see; the public summary is built
from public records only, whoever asks (the API still needs a caller, like every
operation; the page ``/public`` is the summary's public face).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from weerbaar.domain.progress import DEFAULT_HORIZON_DAYS
from weerbaar.services.portfolio import portfolio_view
from weerbaar.services.progress import DEFAULT_SINCE_DAYS, progress
from weerbaar.services.public_summary import public_summary
from weerbaar.web.api.callers import reader
from weerbaar.web.api.problems import error_responses
from weerbaar.web.auth import Caller, database
from weerbaar.web.limits import Key
from weerbaar.web.presenters.portfolio import PortfolioAnswer, portfolio_answer
from weerbaar.web.presenters.progress import ProgressAnswer, progress_answer
from weerbaar.web.presenters.public_summary import PublicSummaryAnswer, public_answer
from weerbaar.web.query import Day

router = APIRouter(tags=["portfolio"])

# An organisation's key, or its abbreviation as people type it (JenV, VNO-NCW).
MINISTRY_PATTERN = r"^[A-Za-z][A-Za-z0-9-]{0,63}$"
MAX_HORIZON_DAYS = 3650

ThemeQuery = Annotated[Key | None, Query(description="only this theme (key)")]
MinistryQuery = Annotated[
    str | None,
    Query(
        pattern=MINISTRY_PATTERN,
        description="only this ministry's measures (organisation key or abbreviation)",
    ),
]


# --- the portfolio ------------------------------------------------------------------


@router.get(
    "/portfolio",
    summary="Risks against effort",
    description="Which scenarios the measures the caller may see cover, per ministry; each "
    "scenario's coverage (none, only stalled measures, covered); the effort per ministry "
    "and theme; and the measures linked to no risk. With a ministry, only its measures "
    "count, against every risk.",
    responses=error_responses(401, 404, 422),
)
def portfolio(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    theme: ThemeQuery = None,
    ministry: MinistryQuery = None,
) -> PortfolioAnswer:
    view = portfolio_view(database(request), theme=theme, ministry=ministry, subject=caller.subject)
    return portfolio_answer(view)


# --- progress -----------------------------------------------------------------------


@router.get(
    "/progress",
    summary="Progress per ministry and theme",
    description="Milestones late, due within the horizon, done and later; each "
    "concretisation record with its status and whether it is concretised yet; and what "
    "changed since a date (milestones done or become late, status changes) — all as far "
    "as the caller may see.",
    responses=error_responses(401, 404, 422),
)
def progress_report(
    request: Request,
    caller: Annotated[Caller, Depends(reader)],
    ministry: MinistryQuery = None,
    theme: ThemeQuery = None,
    since: Annotated[
        Day | None,
        Query(description=f"changes since this day (default: {DEFAULT_SINCE_DAYS} days ago)"),
    ] = None,
    horizon: Annotated[
        int,
        Query(ge=1, le=MAX_HORIZON_DAYS, description="days ahead a milestone counts as due"),
    ] = DEFAULT_HORIZON_DAYS,
) -> ProgressAnswer:
    view = progress(
        database(request),
        ministry=ministry,
        theme=theme,
        since=since,
        horizon_days=horizon,
        subject=caller.subject,
    )
    return progress_answer(view)


# --- the public summary -------------------------------------------------------------


@router.get(
    "/public-summary",
    summary="The public summary for citizens",
    description="Which risks the country prepares for, what is done about them and what "
    "people can do themselves — built from public records only, the same for every "
    "caller. The page /public shows it without signing in.",
    responses=error_responses(401),
)
def public_summary_answer(
    request: Request, caller: Annotated[Caller, Depends(reader)]
) -> PublicSummaryAnswer:
    del caller  # needed to call the API; the summary does not depend on who asks
    return public_answer(public_summary(database(request)))
