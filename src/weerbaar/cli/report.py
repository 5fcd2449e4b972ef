"""``weerbaar report``: progress of the portfolio per ministry and theme, the public
summary for citizens, and the national risk profile."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.helptext import Lazy
from weerbaar.cli.portfolio import MinistryOption, ThemeOption, TodayOption
from weerbaar.cli.progress import progress_bar
from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.domain.progress import DEFAULT_HORIZON_DAYS, MilestoneState
from weerbaar.formats.atomic import write_atomic
from weerbaar.i18n import N_, _, vocabulary
from weerbaar.services.progress import DEFAULT_SINCE_DAYS, ProgressView, progress
from weerbaar.services.public_summary import (
    PublicSummary,
    as_html,
    as_markdown,
    public_summary,
)

app = typer.Typer(
    help=N_(
        "Reports: progress per ministry and theme, the public summary, and the national "
        "risk profile."
    ),
    no_args_is_help=True,
)


class ProgressFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class PublicFormat(StrEnum):
    MD = "md"
    JSON = "json"
    HTML = "html"


@app.command(
    "progress",
    help=N_(
        "Milestones done, late and due; each concretisation record's status; "
        "and what changed since the last report."
    ),
)
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
            help=Lazy(
                f"changes since this day (default: {DEFAULT_SINCE_DAYS} days before today)",
                lambda: _(
                    "changes since this day (default: %(days)s days before today)",
                    days=DEFAULT_SINCE_DAYS,
                ),
            ),
            show_default=False,
        ),
    ] = None,
    horizon: Annotated[
        int,
        typer.Option("--horizon", min=1, max=3650, help=N_("days ahead a milestone counts as due")),
    ] = DEFAULT_HORIZON_DAYS,
    fmt: Annotated[ProgressFormat, typer.Option("--format")] = ProgressFormat.TABLE,
) -> None:
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
    MilestoneState.LATE: N_("Late milestones (%(count)s)"),
    MilestoneState.DUE: N_("Milestones due within %(horizon)s days (%(count)s)"),
    MilestoneState.DONE: N_("Milestones done (%(count)s)"),
    MilestoneState.LATER: N_("Milestones due later (%(count)s)"),
}


def _progress_tables(view: ProgressView) -> None:
    out = console()
    report = view.report
    scope = ", ".join(
        x
        for x in (
            _("ministry %(name)s", name=view.label(view.ministry)) if view.ministry else "",
            _("theme %(name)s", name=view.theme_name(view.theme)) if view.theme else "",
        )
        if x
    )
    heading = _("Progress as of %(day)s", day=report.today)
    if scope:
        heading += "; " + _("only %(scope)s", scope=scope)
    out.print(escape(heading))
    for shown in (
        MilestoneState.LATE,
        MilestoneState.DUE,
        MilestoneState.DONE,
        MilestoneState.LATER,
    ):
        items = report.in_state(shown)
        title = i18n.gettext(_HEADINGS[shown], horizon=report.horizon_days, count=len(items))
        table = Table(title=escape(title), title_justify="left")
        table.add_column(_("due"), overflow="fold", no_wrap=True)
        table.add_column(_("done"), overflow="fold", no_wrap=True)
        for column in (_("milestone"), _("belongs to"), _("ministry"), _("themes")):
            table.add_column(column, overflow="fold")
        for item in items:
            m = item.milestone
            table.add_row(
                str(m.due_on),
                str(m.done_on or ""),
                f"{escape(i18n.localised(m, 'title'))} [dim]{m.key}[/]",
                escape(item.owner.parent),
                escape(view.label(item.owner.ministry)),
                ", ".join(item.owner.themes),
            )
        out.print(table)
    records = Table(
        title=escape(_("Concretisation records (%(count)s)", count=len(report.concretisations))),
        title_justify="left",
    )
    for column in (
        _("theme"),
        _("ministry"),
        _("status"),
        "",
        _("done"),
        _("late"),
        _("due"),
        _("later"),
    ):
        records.add_column(column, overflow="fold")
    not_yet = "[yellow]" + escape(_("not yet concretised")) + "[/]"
    for c in report.concretisations:
        records.add_row(
            f"{escape(view.theme_name(c.record.theme))} [dim]{c.record.key}[/]",
            escape(view.label(c.record.ministry)),
            escape(vocabulary.value_label(c.record.status)),
            not_yet if c.not_yet_concretised else "",
            *(str(c.milestones[s]) for s in MilestoneState),
        )
    out.print(records)
    changes = report.changes
    out.rule(escape(_("Changes since %(day)s", day=changes.since)))
    done = escape(_("Milestones done"))
    out.print(f"[bold]{done}[/] ({len(changes.done)})")
    for item in changes.done:
        title = i18n.localised(item.milestone, "title")
        out.print(f"  • {item.milestone.done_on}  {escape(title)}")
    late = escape(_("Milestones that became late"))
    out.print(f"[bold]{late}[/] ({len(changes.became_late)})")
    for item in changes.became_late:
        due = _("due %(day)s", day=item.milestone.due_on)
        title = i18n.localised(item.milestone, "title")
        out.print(f"  • {escape(due)}  {escape(title)}")
    status = escape(_("Status changes"))
    out.print(f"[bold]{status}[/] ({len(changes.status)})")
    for change in changes.status:
        moved = f"{vocabulary.value_label(change.before)} → {vocabulary.value_label(change.after)}"
        by = _("by %(who)s", who=change.actor)
        out.print(
            f"  • {change.at[:10]}  {escape(vocabulary.singular(change.entity))} "
            f"{escape(change.label)} [dim]{change.key}[/]: {escape(moved)}"
            f"  [dim]{escape(by)}[/]"
        )


@app.command(
    "public",
    help=N_(
        "The summary for citizens, from public records only, whoever asks: the "
        "risks the country prepares for, what is done, and what you can do "
        "yourself."
    ),
)
def public(
    ctx: typer.Context,
    fmt: Annotated[PublicFormat, typer.Option("--format")] = PublicFormat.MD,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=N_("write to this file instead of printing")),
    ] = None,
) -> None:
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
    console(stderr=True).print(escape(_("wrote %(path)s", path=output)))


def _public_json(summary: PublicSummary) -> str:
    from weerbaar.web.presenters import as_json  # pydantic models: only here
    from weerbaar.web.presenters.public_summary import public_answer

    return as_json(public_answer(summary))


@app.command(
    "profile",
    help=N_(
        "The national risk profile of a round as PDF, HTML or Markdown (from the file "
        "name's ending): public, or a numbered copy of a classified edition."
    ),
)
def profile(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help=N_("the file to make: .pdf, .html or .md")),
    ],
    round_key: Annotated[
        str | None, typer.Option("--round", help=N_("assessment round (default: the newest)"))
    ] = None,
    level: Annotated[
        str,
        typer.Option(
            "--classification",
            help=N_("the edition: public, or the highest classification it may hold"),
        ),
    ] = "public",
    language: Annotated[
        str | None,
        typer.Option("--lang", help=N_("nl or en (default: the command line's language)")),
    ] = None,
    recipient: Annotated[
        str | None,
        typer.Option("--recipient", help=N_("whom a classified copy is for (default: you)")),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--organisation", help=N_("read the register as a member of this organisation")
        ),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            help=N_("a folder with your own template files (see: weerbaar report template)"),
        ),
    ] = None,
) -> None:
    from weerbaar.reports.risk_profile import make_profile  # matplotlib: only when used

    with progress_bar(_("making the risk profile")) as step:
        made = make_profile(
            state(ctx).context(),
            round_key=round_key,
            level=level,
            language=language or i18n.language(),
            output=output,
            recipient=recipient,
            organisation=organisation,
            template=template,
            progress=step,
        )
    out = console(stderr=True)
    out.print(escape(_("wrote %(path)s", path=made.path)))
    facts = [
        _("%(count)s scenarios", count=made.scenarios),
        _("marking %(level)s", level=made.marking),
    ]
    if made.pages is not None:
        facts.append(_("%(count)s pages", count=made.pages))
    if made.copy is not None:
        facts.append(_("copy %(number)s", number=made.copy.number))
    out.print(escape(", ".join(facts)))
    out.print(escape(f"sha256 {made.sha256}"))


@app.command(
    "template",
    help=N_(
        "Copy the risk profile's template files into a folder, to restyle them (logo, "
        "colours, cover text) and use with report profile --template."
    ),
)
def template(
    folder: Annotated[Path, typer.Option("--out", help=N_("the folder to copy into"))],
) -> None:
    from weerbaar.reports.risk_profile import TEMPLATE_FILES, copy_template

    made = copy_template(folder)
    out = console(stderr=True)
    for path in made:
        out.print(escape(_("wrote %(path)s", path=path)))
    kept = len(TEMPLATE_FILES) - len(made)
    if kept:
        out.print(escape(_("kept %(count)s files that were already there", count=kept)))
