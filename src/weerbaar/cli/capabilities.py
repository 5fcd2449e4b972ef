"""``weerbaar gaps``: the capability analysis — what scenarios need in each link of
the security chain, what exists, the gaps and the measures closing them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.domain.capabilities import CapabilityScale
from weerbaar.i18n import N_, _, ngettext
from weerbaar.i18n.vocabulary import value_label
from weerbaar.services.capability_analysis import capability_analysis, gap_rows


def _step(scale: CapabilityScale, key: str) -> str:
    """A level of the capability scale by its name in the reader's language."""
    found = next((level for level in scale.levels if level.key == key), None)
    return key if found is None else i18n.localised(found)


def gaps(
    ctx: typer.Context,
    scenario: Annotated[str | None, typer.Option("--scenario", help=N_("one scenario"))] = None,
    theme: Annotated[
        str | None, typer.Option("--theme", help=N_("the scenarios of a theme"))
    ] = None,
    only_gaps: Annotated[
        bool, typer.Option("--only-gaps", help=N_("leave out needs that are met"))
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    analysis = capability_analysis(state(ctx).database(), scenario=scenario, theme=theme)
    rows = [r for r in gap_rows(analysis, analysis.gaps) if r["shortfall"] or not only_gaps]
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.capabilities import gaps_answer

        typer.echo(as_json(gaps_answer(analysis, only_gaps=only_gaps)))
        return
    out = console()
    if not rows:
        out.print(
            escape(_("No capability needs recorded for these scenarios (capability-need add …)."))
        )
        return
    total = analysis.summary()
    largest = ngettext(
        "largest gap %(num)d step on the scale %(scale)s",
        "largest gap %(num)d steps on the scale %(scale)s",
        total.largest,
        scale=" < ".join(_step(analysis.scale, key) for key in analysis.scale.keys),
    )
    summary = _(
        "%(needs)s needs, %(short)s fall short, %(open)s with no measure closing them",
        needs=total.needs,
        short=total.short,
        open=total.open,
    )
    out.print(escape(f"{summary}; {largest}"))
    table = Table()
    for column in (
        _("scenario"),
        _("phase"),
        _("capability"),
        _("needed"),
        _("current"),
        _("gap"),
        _("closed by"),
    ):
        table.add_column(column, overflow="fold")
    for row in rows:
        gap = str(row["shortfall"]) if row["shortfall"] else "—"
        if row["open"]:
            gap = "[bold red]" + escape(_("%(gap)s open", gap=gap)) + "[/]"
        capability = analysis.capabilities.get(row["capability"])
        table.add_row(
            row["scenario"],
            value_label(row["phase"]),
            escape(i18n.localised(capability) if capability else row["capability_name"]),
            _step(analysis.scale, row["needed"]),
            _step(analysis.scale, row["current"]),
            gap,
            ", ".join(row["closed_by"]) or ("—" if row["shortfall"] else ""),
        )
    out.print(table)
