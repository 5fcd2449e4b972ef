"""``weerbaar tiers``: tier proposals by the cycle's rules, dry runs of edited rules,
the rules themselves, and recording a decision."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.profile import TIER_NAMES
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.domain.enums import Tier
from weerbaar.domain.tiering import RuleError, RuleSet, parse_rule_set, rule_set_to_data
from weerbaar.errors import FileFormatError, Issue, ValidationError, message_of
from weerbaar.i18n import N_, _, ngettext
from weerbaar.services.records import create_record
from weerbaar.services.tier_decisions import decide_tier
from weerbaar.services.tier_proposals import (
    TierReport,
    cycle_rules,
    default_rules_as_records,
    propose_tiers,
)

app = typer.Typer(
    help=N_("Tier proposals by transparent rules, and the decisions taken on them."),
    no_args_is_help=True,
)

CycleOption = Annotated[
    str | None, typer.Option("--cycle", help=N_("strategy cycle (default: the newest)"))
]


def _tier(value: str | None) -> str:
    """A tier by the strategy's name for it, in its reader's language."""
    if value is None:
        return "—"
    return _(TIER_NAMES[Tier(value)])


def _report_rows(report: TierReport) -> list[dict[str, Any]]:
    rows = []
    for proposal in report.proposals:
        theme = report.themes[proposal.theme]
        decision = report.decisions.get(proposal.theme)
        rows.append(
            {
                "theme": proposal.theme,
                "name": theme.name_en,
                "current_tier": str(theme.tier),
                "proposed_tier": str(proposal.tier),
                "rule": proposal.rule,
                "decided_tier": str(decision.tier) if decision else None,
                "decision": decision.key if decision else None,
                "against_proposal": bool(decision and decision.tier != proposal.tier),
                "reasons": list(proposal.reasons),
            }
        )
    return rows


@app.command(
    "propose",
    help=N_(
        "Propose a tier per theme from the evidence, by the cycle's rules (or "
        "the default set), beside the current tier and the cycle's decision."
    ),
)
def propose(
    ctx: typer.Context,
    cycle: CycleOption = None,
    theme: Annotated[str | None, typer.Option("--theme", help=N_("only this theme"))] = None,
    reasons: Annotated[
        bool, typer.Option("--reasons", help=N_("print every rule's reasons"))
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    report = propose_tiers(state(ctx).database(), cycle=cycle)
    rows = [r for r in _report_rows(report) if theme is None or r["theme"] == theme]
    if theme is not None and not rows:
        raise ValidationError([Issue("--theme", "theme", _("no theme %(key)s", key=repr(theme)))])
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.tiers import tiers_answer

        answer = tiers_answer(report)
        shown = [t for t in answer.themes if theme is None or t.theme == theme]
        typer.echo(as_json(answer.model_copy(update={"themes": shown})))
        return
    out = console()
    source = _("the cycle's own rules") if report.rules_from_cycle else _("the default rule set")
    weighed = (
        _("risk from round %(round)s", round=report.round.key)
        if report.round
        else _("risk from no round")
    )
    if report.previous_round:
        weighed += ", " + _("trend against %(round)s", round=report.previous_round.key)
    cycle_name = "[bold]" + escape(report.cycle.name) + "[/]"
    out.print(
        _(
            "Cycle %(name)s (%(key)s); rules: %(source)s; %(weighed)s",
            name=cycle_name,
            key=report.cycle.key,
            source=escape(source),
            weighed=weighed,
        )
    )
    names = {t.key: i18n.localised(t) for t in report.themes.values()}
    table = Table()
    for column in (_("theme"), _("current"), _("proposed"), _("rule"), _("decided")):
        table.add_column(column, overflow="fold")
    for row in rows:
        decided = _tier(row["decided_tier"])
        if row["against_proposal"]:
            against = _("%(tier)s (against the proposal)", tier=decided)
            decided = "[yellow]" + escape(against) + "[/]"
        proposed = _tier(row["proposed_tier"])
        if row["proposed_tier"] != row["current_tier"]:
            proposed = f"[bold]{proposed}[/]"
        table.add_row(
            f"{escape(names[row['theme']])} [dim]{row['theme']}[/]",
            _tier(row["current_tier"]),
            proposed,
            row["rule"] or escape(_("(default)")),
            decided,
        )
    out.print(table)
    if reasons or theme:
        for row in rows:
            out.rule(f"{escape(names[row['theme']])}: {_tier(row['proposed_tier'])}")
            for line in row["reasons"]:
                out.print(f"  {escape(i18n.translated(line))}")


def _rule_file(path: Path) -> RuleSet:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FileFormatError(
            _("%(path)s: cannot read the rule set: %(error)s", path=path, error=exc)
        ) from exc
    if not isinstance(data, dict):
        raise FileFormatError(_("%(path)s: expected a rule set (key, name, rules, …)", path=path))
    try:
        return parse_rule_set(data)
    except RuleError as exc:
        raise ValidationError([Issue(str(path), "rules", message_of(exc))]) from exc


@app.command("dry-run", help=N_("Which themes' tiers the rules would change; nothing is written."))
def dry_run_command(
    ctx: typer.Context,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help=N_("a rule set file (YAML) to try instead of the cycle's")),
    ] = None,
    cycle: CycleOption = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    rule_set = _rule_file(rules) if rules else None
    report = propose_tiers(state(ctx).database(), cycle=cycle, rule_set=rule_set)
    changes = report.changes()
    if fmt is not OutputFormat.TABLE:
        typer.echo(
            json.dumps(
                [
                    {
                        "theme": c.theme,
                        "current": str(c.current),
                        "proposed": str(c.proposed),
                        "rule": c.rule,
                    }
                    for c in changes
                ],
                indent=2,
            )
        )
        return
    out = console()
    weighed = len(report.proposals)
    if not changes:
        out.print(
            ngettext(
                "No theme would change tier (%(num)d theme weighed).",
                "No theme would change tier (%(num)d themes weighed).",
                weighed,
            )
        )
        return
    title = ngettext(
        "%(changes)s of %(num)d theme would move to another tier",
        "%(changes)s of %(num)d themes would move to another tier",
        weighed,
        changes=len(changes),
    )
    table = Table(title=title)
    for column in (_("theme"), _("now"), _("proposed"), _("rule")):
        table.add_column(column)
    for c in changes:
        table.add_row(
            c.theme,
            _tier(str(c.current)),
            _tier(str(c.proposed)),
            c.rule or escape(_("(default)")),
        )
    out.print(table)


@app.command(
    "rules",
    help=N_("Print the rules that propose tiers for a cycle (as YAML, the --rules format)."),
)
def rules_command(
    ctx: typer.Context,
    cycle: CycleOption = None,
    copy_default: Annotated[
        bool,
        typer.Option(
            "--copy-default",
            help=N_("give the cycle its own copy of the default rules, to edit as tier_rules"),
        ),
    ] = False,
) -> None:
    st = state(ctx)
    report = propose_tiers(st.database(), cycle=cycle)
    key = report.cycle.key
    if copy_default:
        if cycle_rules(st.database(), key) is not None:
            raise ValidationError(
                [
                    Issue(
                        "--copy-default",
                        "cycle",
                        _("cycle %(key)s already has its own rules", key=repr(key)),
                    )
                ]
            )
        context = st.context()
        for row in default_rules_as_records(key):
            create_record(context, entity_name="tier_rules", raw=row)
        console().print(
            _("Copied the default rules to cycle %(key)s; edit them as tier_rules.", key=key)
        )
        return
    typer.echo(
        yaml.safe_dump(rule_set_to_data(report.rule_set), sort_keys=False, allow_unicode=True)
    )


@app.command("decide", help=N_("Record a tier decision beside the tier the rules propose now."))
def decide(
    ctx: typer.Context,
    theme: Annotated[str, typer.Argument(help=N_("theme key"))],
    tier: Annotated[Tier, typer.Option("--tier", help=N_("the tier decided"))],
    rationale: Annotated[
        str, typer.Option("--rationale", help=N_("answers to the strategy's two questions"))
    ],
    decided_by: Annotated[str, typer.Option("--by", help=N_("who decided, e.g. the Council"))],
    lead: Annotated[str | None, typer.Option("--lead", help=N_("lead ministry"))] = None,
    involved: Annotated[
        list[str] | None, typer.Option("--involved", help=N_("organisation involved (repeat)"))
    ] = None,
    deviation: Annotated[
        str | None,
        typer.Option("--deviation", help=N_("why, when the decision differs from the proposal")),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help=N_("date of the decision (default today)"))
    ] = None,
    cycle: CycleOption = None,
) -> None:
    try:
        decided_on = dt.date.fromisoformat(on) if on else None
    except ValueError as exc:
        raise ValidationError(
            [Issue("--on", "decided_on", _("not a date: %(text)s", text=repr(on)))]
        ) from exc
    saved = decide_tier(
        state(ctx).context(),
        theme=theme,
        tier=tier,
        rationale=rationale,
        decided_by=decided_by,
        cycle=cycle,
        lead=lead,
        involved=involved or (),
        deviation=deviation,
        decided_on=decided_on,
    )
    decision = saved.record
    note = ""
    if decision.proposed_tier is not None and decision.proposed_tier != decision.tier:
        note = " — " + _(
            "against the proposal (%(tier)s), because: %(why)s",
            tier=decision.proposed_tier,
            why=decision.deviation,
        )
    shown = _(
        "decision %(key)s: %(theme)s → %(tier)s", key=decision.key, theme=theme, tier=decision.tier
    )
    console().print(escape(shown + note))
