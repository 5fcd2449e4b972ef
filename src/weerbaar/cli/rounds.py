"""``weerbaar round status|review|approve|approve-round|reopen``: a round's status
board, and the review and sign-off of its assessment (beside the round's register
commands)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.i18n import N_, _
from weerbaar.services import sign_off

RoundArgument = Annotated[str, typer.Argument(help=N_("round key"))]
ScenarioArgument = Annotated[str, typer.Argument(help=N_("scenario key"))]


def status(
    ctx: typer.Context,
    round_key: RoundArgument,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    board = sign_off.status_board(state(ctx).database(), None, round_key)
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.sign_off import board_answer

        typer.echo(as_json(board_answer(board)))
        return
    out = console()
    if board.locked:
        assert board.approved_at is not None
        head = _(
            "Round %(round)s: approved by %(who)s on %(when)s, locked",
            round=board.round.key,
            who=board.approved_by,
            when=i18n.format_datetime(board.approved_at),
        )
    elif board.ready:
        head = _("Round %(round)s: every scored scenario approved; ready", round=board.round.key)
    else:
        head = _("Round %(round)s: not approved", round=board.round.key)
    out.print(escape(head))
    table = Table()
    for column in (_("scenario"), _("status"), _("waits for"), _("changed by"), _("reason")):
        table.add_column(column)
    for row in board.rows:
        table.add_row(
            escape(row.scenario.key),
            escape(i18n.translated(row.status_text)),
            escape(i18n.translated(row.waits_for)),
            escape(row.changed_by or ""),
            escape(row.reason or ""),
        )
    out.print(table)


def review(ctx: typer.Context, round_key: RoundArgument, scenario: ScenarioArgument) -> None:
    sign_off.review(state(ctx).context(), round_key=round_key, scenario=scenario)
    done = _("reviewed %(scenario)s in round %(round)s", scenario=scenario, round=round_key)
    console().print(escape(done))


def approve(ctx: typer.Context, round_key: RoundArgument, scenario: ScenarioArgument) -> None:
    sign_off.approve(state(ctx).context(), round_key=round_key, scenario=scenario)
    done = _("approved %(scenario)s in round %(round)s", scenario=scenario, round=round_key)
    console().print(escape(done))


def approve_round(ctx: typer.Context, round_key: RoundArgument) -> None:
    sign_off.approve_round(state(ctx).context(), round_key=round_key)
    console().print(escape(_("approved round %(round)s: it is locked", round=round_key)))


def reopen(
    ctx: typer.Context,
    round_key: RoundArgument,
    reason: Annotated[
        str, typer.Option("--reason", help=N_("why it is reopened (kept in the audit trail)"))
    ] = "",
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help=N_("reopen only this scenario (back to draft)")),
    ] = None,
) -> None:
    sign_off.reopen(state(ctx).context(), round_key=round_key, scenario=scenario, reason=reason)
    done = (
        _("reopened round %(round)s", round=round_key)
        if scenario is None
        else _("reopened %(scenario)s in round %(round)s", scenario=scenario, round=round_key)
    )
    console().print(escape(done))


def add_commands(app: typer.Typer) -> None:
    """The sign-off commands, added to ``weerbaar round``."""
    app.command(
        "status",
        help=N_("Show the round's status board: per scenario, its state and what it waits for."),
    )(status)
    app.command(
        "review", help=N_("Mark a scenario's concluded assessment in the round as reviewed.")
    )(review)
    app.command(
        "approve",
        help=N_("Approve a scenario's reviewed assessment (not by anyone who set its scores)."),
    )(approve)
    app.command(
        "approve-round",
        help=N_("Approve the round once every scored scenario is approved: this locks it."),
    )(approve_round)
    app.command(
        "reopen", help=N_("Reopen an approved round, or one scenario in it, with a reason.")
    )(reopen)
