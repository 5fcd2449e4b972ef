"""``weerbaar report``: progress of the portfolio per ministry and theme, and the
public summary for citizens."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar.cli.portfolio import MinistryOption, ThemeOption, TodayOption
from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.domain.progress import DEFAULT_HORIZON_DAYS, MilestoneState
from weerbaar.domain.register import entity
from weerbaar.formats.atomic import write_atomic
from weerbaar.services.progress import DEFAULT_SINCE_DAYS, ProgressView, progress
from weerbaar.services.public_summary import (
    PublicSummary,
    as_html,
    as_markdown,
    public_summary,
)

app = typer.Typer(
    help="Reports: progress per ministry and theme, and the public summary.",
    no_args_is_help=True,
)


class ProgressFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class PublicFormat(StrEnum):
    MD = "md"
    JSON = "json"
    HTML = "html"


@app.command("progress")
def progress_command(
    ctx: typer.Context,
    ministry: MinistryOption = None,
    theme: ThemeOption = None,
    today: TodayOption = None,
    since: Annotated[
        dt.datetime | None,
        typer.Option(
            "--since",
            formats=["%Y-%m-%d"],
            help=f"changes since this day (default: {DEFAULT_SINCE_DAYS} days before today)",
            show_default=False,
        ),
    ] = None,
    horizon: Annotated[
        int,
        typer.Option("--horizon", min=1, max=3650, help="days ahead a milestone counts as due"),
    ] = DEFAULT_HORIZON_DAYS,
    fmt: Annotated[ProgressFormat, typer.Option("--format")] = ProgressFormat.TABLE,
) -> None:
    """Milestones done, late and due; each concretisation record's status; and what
    changed since the last report."""
    view = progress(
        state(ctx).database(),
        ministry=ministry,
        theme=theme,
        today=today.date() if today else None,
        since=since.date() if since else None,
        horizon_days=horizon,
    )
    if fmt is ProgressFormat.JSON:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.progress import progress_answer

        typer.echo(as_json(progress_answer(view)))
    else:
        _progress_tables(view)


_HEADINGS = {
    MilestoneState.LATE: "Late milestones",
    MilestoneState.DUE: "Milestones due within {horizon} days",
    MilestoneState.DONE: "Milestones done",
    MilestoneState.LATER: "Milestones due later",
}


def _progress_tables(view: ProgressView) -> None:
    out = console()
    report = view.report
    scope = ", ".join(
        x
        for x in (
            f"ministry {view.label(view.ministry)}" if view.ministry else "",
            f"theme {view.theme_name(view.theme)}" if view.theme else "",
        )
        if x
    )
    out.print(f"Progress as of {report.today}" + (f"; only {escape(scope)}" if scope else ""))
    for shown in (
        MilestoneState.LATE,
        MilestoneState.DUE,
        MilestoneState.DONE,
        MilestoneState.LATER,
    ):
        items = report.in_state(shown)
        title = _HEADINGS[shown].format(horizon=report.horizon_days)
        table = Table(title=f"{title} ({len(items)})", title_justify="left")
        for column in ("due", "done", "milestone", "belongs to", "ministry", "themes"):
            table.add_column(column, overflow="fold", no_wrap=column in ("due", "done"))
        for item in items:
            m = item.milestone
            table.add_row(
                str(m.due_on),
                str(m.done_on or ""),
                f"{escape(m.title)} [dim]{m.key}[/]",
                escape(item.owner.parent),
                escape(view.label(item.owner.ministry)),
                ", ".join(item.owner.themes),
            )
        out.print(table)
    records = Table(
        title=f"Concretisation records ({len(report.concretisations)})", title_justify="left"
    )
    for column in ("theme", "ministry", "status", "", "done", "late", "due", "later"):
        records.add_column(column, overflow="fold")
    for c in report.concretisations:
        records.add_row(
            f"{escape(view.theme_name(c.record.theme))} [dim]{c.record.key}[/]",
            escape(view.label(c.record.ministry)),
            str(c.record.status),
            "[yellow]not yet concretised[/]" if c.not_yet_concretised else "",
            *(str(c.milestones[s]) for s in MilestoneState),
        )
    out.print(records)
    changes = report.changes
    out.rule(f"Changes since {changes.since}")
    out.print(f"[bold]Milestones done[/] ({len(changes.done)})")
    for item in changes.done:
        out.print(f"  • {item.milestone.done_on}  {escape(item.milestone.title)}")
    out.print(f"[bold]Milestones that became late[/] ({len(changes.became_late)})")
    for item in changes.became_late:
        out.print(f"  • due {item.milestone.due_on}  {escape(item.milestone.title)}")
    out.print(f"[bold]Status changes[/] ({len(changes.status)})")
    for change in changes.status:
        out.print(
            f"  • {change.at[:10]}  {entity(change.entity).singular} "
            f"{escape(change.label)} [dim]{change.key}[/]: {change.before} → {change.after}"
            f"  [dim]by {escape(change.actor)}[/]"
        )


@app.command("public")
def public(
    ctx: typer.Context,
    fmt: Annotated[PublicFormat, typer.Option("--format")] = PublicFormat.MD,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="write to this file instead of printing"),
    ] = None,
) -> None:
    """The summary for citizens, from public records only, whoever asks: the risks the
    country prepares for, what is done, and what you can do yourself."""
    summary = public_summary(state(ctx).database())
    text = {
        PublicFormat.MD: as_markdown,
        PublicFormat.JSON: _public_json,
        PublicFormat.HTML: as_html,
    }[fmt](summary)
    if output is None:
        typer.echo(text)
        return
    write_atomic(output, text.encode("utf-8"))
    console(stderr=True).print(f"wrote {escape(str(output))}")


def _public_json(summary: PublicSummary) -> str:
    from weerbaar.web.presenters import as_json  # pydantic models: only here
    from weerbaar.web.presenters.public_summary import public_answer

    return as_json(public_answer(summary))
