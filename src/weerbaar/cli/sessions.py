"""``weerbaar session``: expert sessions from the command line: planning one, its
steps, scoring for a named expert, the disagreement, the conclusion and the minutes.

The command line is the local operator, who runs the installation: it sees every
score and acts as the chair, and names the expert it scores for (``--expert``).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.domain.sessions import LIKELIHOOD, SessionStatus
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.i18n import N_, _
from weerbaar.services import sessions
from weerbaar.services.sessions import CriterionView, ExpertScoreView, SessionView

app = typer.Typer(
    help=N_(
        "Expert sessions: experts score a round's scenarios independently, discuss where "
        "they differ, and the chair concludes."
    ),
    no_args_is_help=True,
)

FormatOption = Annotated[OutputFormat, typer.Option("--format", help=N_("table or json"))]
KeyArgument = Annotated[str, typer.Argument(help=N_("the session's key"), metavar="KEY")]
RoundOption = Annotated[
    int | None,
    typer.Option("--round", min=1, help=N_("the scoring round (default: the current)")),
]
ExpertOption = Annotated[
    str, typer.Option("--expert", help=N_("the expert who scores"), metavar="USER")
]

# A session's status, in words.
_STATUSES = {
    "planned": N_("planned"),
    "scoring": N_("scoring"),
    "discussion": N_("discussion"),
    "concluded": N_("concluded"),
}

# SCENARIO:CRITERION=VALUE, optionally :LOW:HIGH.
_OUTCOME = re.compile(r"^([^:=\s]+):([^:=\s]+)=([^:=]+)(?::([^:=]*):([^:=]*))?$")


class Language(StrEnum):
    NL = "nl"
    EN = "en"


class MinutesFormat(StrEnum):
    MD = "md"
    HTML = "html"


def _status(value: str) -> str:
    found = _STATUSES.get(value)
    return _(found) if found else value


def _criterion(code: str) -> str:
    return _("likelihood") if code == LIKELIHOOD else code


def _json(fmt: OutputFormat) -> bool:
    if fmt is OutputFormat.CSV:
        raise ValidationError(
            [Issue("--format", "format", said("table or json"))], summary=said("nothing shown")
        )
    return fmt is OutputFormat.JSON


def _print_json(view: SessionView) -> None:
    from weerbaar.web.presenters import as_json  # pydantic models: only here
    from weerbaar.web.presenters.sessions import session_answer

    typer.echo(as_json(session_answer(view)))


def _said_done(view: SessionView) -> None:
    console().print(
        escape(
            _(
                "session %(session)s: %(status)s (scoring round %(round)s)",
                session=view.key,
                status=_status(view.status.value),
                round=view.scoring_round,
            )
        )
    )


@app.command("list", help=N_("The expert sessions, newest first."))
def list_command(
    ctx: typer.Context,
    round_key: Annotated[
        str | None, typer.Option("--round", help=N_("only this round's"), metavar="ROUND")
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    found = sessions.list_sessions(state(ctx).database(), subject=None, round_key=round_key)
    if _json(fmt):
        from weerbaar.web.presenters import as_json
        from weerbaar.web.presenters.sessions import sessions_answer

        typer.echo(as_json(sessions_answer(found)))
        return
    table = Table(title=_("Expert sessions"), title_justify="left")
    for column in (_("key"), _("date"), _("round"), _("title"), _("chair"), _("status")):
        table.add_column(column, overflow="fold")
    for s in found:
        table.add_row(
            s.key,
            s.held_on.isoformat(),
            s.round,
            escape(i18n.localised(s, "title")),
            s.chair,
            _status(s.status.value),
        )
    console().print(table)


@app.command("show", help=N_("A session: its scenarios, chair, experts and who has submitted."))
def show(ctx: typer.Context, key: KeyArgument, fmt: FormatOption = OutputFormat.TABLE) -> None:
    view = sessions.get_session(state(ctx).database(), subject=None, key=key)
    if _json(fmt):
        _print_json(view)
        return
    out = console()
    out.print(f"[bold]{escape(view.key)}[/]: {escape(i18n.localised(view, 'title'))}")
    for label, value in (
        (_("round"), view.round),
        (_("date"), view.held_on.isoformat()),
        (_("chair"), view.chair),
        (_("status"), _status(view.status.value)),
        (_("scoring round"), str(view.scoring_round)),
        (_("scenarios"), ", ".join(view.scenarios)),
    ):
        out.print(f"  {escape(label)}: {escape(value)}")
    if view.rationale:
        out.print(f"  {escape(_('conclusion'))}: {escape(view.rationale)}")
    table = Table(title=_("Experts"), title_justify="left")
    for column in (_("expert"), _("name"), _("organisation"), _("weight"), _("submitted")):
        table.add_column(column, overflow="fold")
    for p in view.participants:
        table.add_row(
            p.username,
            escape(p.display_name),
            p.organisation,
            f"{p.weight:g}",
            "✓" if p.submitted else "",
        )
    out.print(table)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(
            [Issue("--date", "held_on", said("a date as YYYY-MM-DD, not %(text)s", text=text))],
            summary=said("session not saved"),
        ) from exc


@app.command("create", help=N_("Plan a session of a round on one or more of its scenarios."))
def create(
    ctx: typer.Context,
    key: KeyArgument,
    round_key: Annotated[str, typer.Option("--round", help=N_("the round"), metavar="ROUND")],
    title: Annotated[str, typer.Option("--title", help=N_("the session's title"))],
    held_on: Annotated[
        str, typer.Option("--date", help=N_("when it is held (YYYY-MM-DD)"), metavar="DATE")
    ],
    scenario: Annotated[
        list[str],
        typer.Option("--scenario", help=N_("a scenario it covers (repeat for more)")),
    ],
    chair: Annotated[
        str | None, typer.Option("--chair", help=N_("the chair's username"), metavar="USER")
    ] = None,
    title_en: Annotated[
        str | None, typer.Option("--title-en", help=N_("the title in English"))
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    view = sessions.create_session(
        state(ctx).context(),
        key=key,
        round_key=round_key,
        title=title,
        title_en=title_en,
        held_on=_date(held_on),
        chair=chair,
        scenarios=scenario,
    )
    if _json(fmt):
        _print_json(view)
        return
    _said_done(view)


@app.command(
    "add-expert",
    help=N_(
        "Add an expert to a session; with --email an invitation is queued in the "
        "notification outbox."
    ),
)
def add_expert(
    ctx: typer.Context,
    key: KeyArgument,
    username: Annotated[str, typer.Argument(help=N_("the expert's username"), metavar="USER")],
    weight: Annotated[
        float | None, typer.Option("--weight", help=N_("weight in the pooled distribution"))
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help=N_("where the invitation goes"))
    ] = None,
    language: Annotated[
        Language | None,
        typer.Option("--language", help=N_("language of the invitation (default: the expert's)")),
    ] = None,
) -> None:
    sessions.add_participant(
        state(ctx).context(),
        session=key,
        username=username,
        weight=weight,
        email=email,
        language=None if language is None else language.value,
    )
    invited = email is not None and email.strip() != ""
    message = (
        _(
            "%(user)s takes part in session %(session)s; invitation queued",
            user=username,
            session=key,
        )
        if invited
        else _("%(user)s takes part in session %(session)s", user=username, session=key)
    )
    console().print(escape(message))


@app.command("weight", help=N_("Set an expert's weight in the pooled distribution."))
def weight(
    ctx: typer.Context,
    key: KeyArgument,
    username: Annotated[str, typer.Argument(help=N_("the expert's username"), metavar="USER")],
    value: Annotated[float, typer.Argument(help=N_("the weight, above 0"), metavar="W")],
) -> None:
    sessions.set_weight(state(ctx).context(), session=key, username=username, weight=value)
    shown = f"{value:g}"
    console().print(
        escape(
            _(
                "%(user)s weighs %(weight)s in session %(session)s",
                user=username,
                weight=shown,
                session=key,
            )
        )
    )


def _advance(ctx: typer.Context, key: str, to: SessionStatus) -> None:
    _said_done(sessions.advance(state(ctx).context(), session=key, to=to))


@app.command("start", help=N_("Start the scoring: the experts score independently."))
def start(ctx: typer.Context, key: KeyArgument) -> None:
    _advance(ctx, key, SessionStatus.SCORING)


@app.command("discuss", help=N_("End the scoring round: the experts discuss where they differ."))
def discuss(ctx: typer.Context, key: KeyArgument) -> None:
    _advance(ctx, key, SessionStatus.DISCUSSION)


@app.command(
    "reopen-scoring",
    help=N_("Open the next scoring round (Delphi) after a discussion."),
)
def reopen_scoring(ctx: typer.Context, key: KeyArgument) -> None:
    _advance(ctx, key, SessionStatus.SCORING)


@app.command(
    "score",
    help=N_(
        "Record an expert's score (created or replaced) of one criterion, or the "
        "likelihood (L), of one of the session's scenarios."
    ),
)
def score(
    ctx: typer.Context,
    key: KeyArgument,
    scenario: Annotated[str, typer.Argument(help=N_("one of the session's scenarios"))],
    criterion: Annotated[
        str, typer.Argument(help=N_("a criterion of the catalogue (2.1), or L for the likelihood"))
    ],
    value: Annotated[str, typer.Argument(help=N_("a class (C, Chigh) or a number"))],
    expert: ExpertOption,
    low: Annotated[str | None, typer.Option("--low", help=N_("the lowest class or number"))] = None,
    high: Annotated[
        str | None, typer.Option("--high", help=N_("the highest class or number"))
    ] = None,
    duration: Annotated[
        float | None, typer.Option("--duration", min=0, help=N_("expected duration, days"))
    ] = None,
    duration_low: Annotated[
        float | None, typer.Option("--duration-low", min=0, help=N_("shortest duration, days"))
    ] = None,
    duration_high: Annotated[
        float | None, typer.Option("--duration-high", min=0, help=N_("longest duration, days"))
    ] = None,
    confidence: Annotated[
        str | None, typer.Option("--confidence", help=N_("low, medium or high"))
    ] = None,
    rationale: Annotated[str | None, typer.Option("--rationale", help=N_("why"))] = None,
) -> None:
    durations: dict[str, object] = {
        name: given
        for name, given in (
            ("duration", duration),
            ("duration_low", duration_low),
            ("duration_high", duration_high),
        )
        if given is not None
    }
    sessions.score(
        state(ctx).context(),
        session=key,
        scenario=scenario,
        criterion=criterion,
        value=value,
        low=low,
        high=high,
        duration=durations or None,
        confidence=confidence,
        rationale=rationale,
        expert=expert,
    )
    console().print(
        escape(
            _(
                "%(user)s scored %(criterion)s of %(scenario)s: %(value)s",
                user=expert,
                criterion=_criterion(criterion),
                scenario=scenario,
                value=value,
            )
        )
    )


@app.command(
    "submit",
    help=N_("Submit an expert's scores of the current scoring round: they are final."),
)
def submit(ctx: typer.Context, key: KeyArgument, expert: ExpertOption) -> None:
    view = sessions.submit(state(ctx).context(), session=key, expert=expert)
    done = sum(p.submitted for p in view.participants)
    console().print(
        escape(
            _(
                "%(user)s submitted; %(done)s of %(all)s experts have",
                user=expert,
                done=done,
                all=len(view.participants),
            )
        )
    )


def _scoring_round(ctx: typer.Context, key: str, given: int | None) -> int:
    if given is not None:
        return given
    return sessions.get_session(state(ctx).database(), subject=None, key=key).scoring_round


def _score_table(title: str, scores: list[ExpertScoreView]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in (
        _("scenario"),
        _("criterion"),
        _("expert"),
        _("given"),
        _("classes"),
        _("confidence"),
        _("rationale"),
    ):
        table.add_column(column, overflow="fold")
    for s in scores:
        r = s.resolved
        table.add_row(
            s.scenario,
            escape(_criterion(s.criterion)),
            s.username,
            escape(s.value),
            "" if r is None else f"{r.expected} ({r.lowest} – {r.highest})",
            s.confidence or "",
            escape(s.rationale or ""),
        )
    return table


@app.command("scores", help=N_("The experts' scores of a scoring round."))
def scores(
    ctx: typer.Context,
    key: KeyArgument,
    scoring_round: RoundOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    number = _scoring_round(ctx, key, scoring_round)
    found = sessions.scores_of(
        state(ctx).database(), subject=None, session=key, scoring_round=number
    )
    if _json(fmt):
        from weerbaar.web.presenters import as_json
        from weerbaar.web.presenters.sessions import scores_answer

        typer.echo(as_json(scores_answer(key, number, found)))
        return
    title = _("Scores of session %(session)s, round %(round)s", session=key, round=number)
    console().print(_score_table(title, found))


def _spread(c: CriterionView) -> str:
    if c.spread is None:
        return "–"
    return i18n.ngettext(
        "%(count)s class", "%(count)s classes", c.spread.classes, count=c.spread.classes
    )


@app.command(
    "disagreement",
    help=N_(
        "Per criterion the spread of the experts' classes (flagged from the threshold), "
        "the proposed aggregate, and the scores with their rationales."
    ),
)
def disagreement(
    ctx: typer.Context,
    key: KeyArgument,
    scoring_round: RoundOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    number = _scoring_round(ctx, key, scoring_round)
    found = sessions.disagreement(
        state(ctx).database(), subject=None, session=key, scoring_round=number
    )
    if _json(fmt):
        from weerbaar.web.presenters import as_json
        from weerbaar.web.presenters.sessions import disagreement_answer

        typer.echo(as_json(disagreement_answer(key, number, found)))
        return
    table = Table(
        title=_("Disagreement in session %(session)s, round %(round)s", session=key, round=number),
        title_justify="left",
    )
    for column in (
        _("scenario"),
        _("criterion"),
        _("experts"),
        _("expected classes"),
        _("spread"),
        _("proposal"),
    ):
        table.add_column(column, overflow="fold")
    flagged = 0
    for c in found:
        spread = _spread(c)
        seen = "–"
        if c.spread is not None:
            low, high = str(c.spread.lowest_expected), str(c.spread.highest_expected)
            seen = low if low == high else f"{low} – {high}"
        if c.spread is not None and c.spread.flagged:
            flagged += 1
            spread = f"[bold red]{escape(spread)} ⚑[/]"
        else:
            spread = escape(spread)
        p = c.proposal
        table.add_row(
            c.scenario,
            escape(_criterion(c.criterion)),
            str(len(c.scores)),
            seen,
            spread,
            "–" if p is None else f"{p.expected} ({p.lowest} – {p.highest})",
        )
    out = console()
    out.print(table)
    out.print(
        escape(
            i18n.ngettext(
                "⚑ %(num)d criterion flagged for discussion",
                "⚑ %(num)d criteria flagged for discussion",
                flagged,
            )
        )
    )
    scored = [s for c in found for s in c.scores]
    if scored:
        out.print(_score_table(_("Scores and rationales"), scored))


def _outcome(text: str) -> tuple[tuple[str, str], sessions.Outcome]:
    match = _OUTCOME.fullmatch(text.strip())
    if match is None:
        raise ValidationError(
            [
                Issue(
                    "--outcome",
                    "outcome",
                    said(
                        "%(text)s: write SCENARIO:CRITERION=VALUE or "
                        "SCENARIO:CRITERION=VALUE:LOW:HIGH",
                        text=repr(text),
                    ),
                )
            ],
            summary=said("session not concluded"),
        )
    scenario, criterion, value, low, high = match.groups()
    return (scenario, criterion), sessions.Outcome(
        value=value.strip(), low=(low or "").strip() or None, high=(high or "").strip() or None
    )


@app.command(
    "conclude",
    help=N_(
        "Conclude the session: each scored criterion takes the proposed aggregate (median "
        "class, hull of the ranges) unless --outcome sets it; the outcomes become the "
        "round's scores."
    ),
)
def conclude(
    ctx: typer.Context,
    key: KeyArgument,
    rationale: Annotated[str, typer.Option("--rationale", help=N_("the reasoning of the outcome"))],
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help=N_("SCENARIO:CRITERION=VALUE[:LOW:HIGH], the chair's outcome (repeat for more)"),
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    chosen = dict(_outcome(text) for text in outcome or [])
    view = sessions.conclude(
        state(ctx).context(), session=key, rationale=rationale, outcomes=chosen
    )
    if _json(fmt):
        _print_json(view)
        return
    _said_done(view)


@app.command(
    "minutes",
    help=N_(
        "The session's minutes: participants by organisation, per criterion the spread, the "
        "outcome and its reasoning (a draft until it is concluded)."
    ),
)
def minutes(
    ctx: typer.Context,
    key: KeyArgument,
    fmt: Annotated[
        MinutesFormat, typer.Option("--format", help=N_("md (Markdown) or html"))
    ] = MinutesFormat.MD,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=N_("write to this file (default: print)")),
    ] = None,
) -> None:
    from weerbaar.reports.minutes import minutes_html, minutes_markdown

    made = sessions.minutes(state(ctx).database(), subject=None, session=key)
    text = minutes_html(made) if fmt is MinutesFormat.HTML else minutes_markdown(made)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console().print(escape(_("minutes written to %(path)s", path=str(output))))
