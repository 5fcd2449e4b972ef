"""``weerbaar profile``: the national risk profile, per tier and theme, in the
language of ``WEERBAAR_LANG`` (else ``LANG``, else Dutch)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.domain.enums import Tier
from weerbaar.i18n import N_, gettext, ngettext
from weerbaar.services.profile import national_profile

# The strategy's own names of the tiers (Nationale Veiligheid Strategie 2019).
TIER_NAMES = {
    Tier.STRENGTHENED: N_("Strengthened approach"),
    Tier.CONTINUED_FOCUS: N_("Continued focus on resilience"),
    Tier.EXPLORE_MONITOR: N_("Explore and monitor"),
}


def profile(ctx: typer.Context) -> None:
    out = console()
    tiers = national_profile(state(ctx).database())
    if not any(t.themes for t in tiers):
        out.print(gettext("The register holds no themes yet: try `weerbaar demo load`."))
        return
    dutch = i18n.language() == "nl"
    for tier in tiers:
        if not tier.themes:
            continue
        count = ngettext("%(num)d theme", "%(num)d themes", len(tier.themes))
        out.rule(f"[bold]{escape(gettext(TIER_NAMES[tier.tier]))}[/] — {count}")
        for item in tier.themes:
            theme = item.theme
            lead = (
                gettext("lead: %(who)s", who=item.lead.abbreviation or item.lead.name)
                if item.lead
                else ""
            )
            name = theme.name if dutch else f"{theme.name_en} ({theme.name})"
            measures = gettext("measures: %(count)s", count=item.measures)
            table = Table(
                title=f"{escape(name)}  [dim]{theme.key}  {escape(lead)}  {measures}[/]",
                title_justify="left",
            )
            table.add_column(gettext("scenario"), no_wrap=True)
            table.add_column(gettext("kind"), no_wrap=True)
            table.add_column(gettext("title"), overflow="fold")
            for s in item.scenarios:
                threat = f" [dim]({escape(s.threat)})[/]" if s.threat else ""
                kind = gettext("threat") if s.kind.value == "threat" else gettext("hazard")
                table.add_row(s.key, kind, escape(s.title) + threat)
            if not item.scenarios:
                table.add_row("—", "", gettext("no scenarios yet"))
            out.print(table)
