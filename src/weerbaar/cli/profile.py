"""``weerbaar profile``: the national risk profile, per tier and theme."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.services.profile import national_profile


def profile(ctx: typer.Context) -> None:
    """Print the national risk register: every theme under its tier, with its scenarios."""
    out = console()
    tiers = national_profile(state(ctx).database())
    if not any(t.themes for t in tiers):
        out.print("The register holds no themes yet: try `weerbaar demo load`.")
        return
    for tier in tiers:
        if not tier.themes:
            continue
        out.rule(f"[bold]{escape(tier.tier.label)}[/] — {len(tier.themes)} themes")
        for item in tier.themes:
            theme = item.theme
            lead = f"lead: {item.lead.abbreviation or item.lead.name}" if item.lead else ""
            table = Table(
                title=f"{escape(theme.name_en)} ({escape(theme.name)})  "
                f"[dim]{theme.key}  {escape(lead)}  measures: {item.measures}[/]",
                title_justify="left",
            )
            table.add_column("scenario", no_wrap=True)
            table.add_column("kind", no_wrap=True)
            table.add_column("title", overflow="fold")
            for s in item.scenarios:
                threat = f" [dim]({escape(s.threat)})[/]" if s.threat else ""
                table.add_row(s.key, s.kind.value, escape(s.title) + threat)
            if not item.scenarios:
                table.add_row("—", "", "no scenarios yet")
            out.print(table)
