"""``weerbaar tiers``: tier proposals by the cycle's rules, dry runs of edited rules,
the rules themselves, and recording a decision."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.profile import TIER_NAMES
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.domain.enums import Tier
from weerbaar.domain.tiering import (
    TIER_ORDER,
    Proposal,
    RuleError,
    RuleSet,
    parse_rule_set,
    percent,
    rule_set_to_data,
)
from weerbaar.errors import FileFormatError, Issue, ValidationError, message_of
from weerbaar.formats.bounded_yaml import load_yaml
from weerbaar.i18n import N_, _, ngettext
from weerbaar.reference.tiering import default_tier_rules
from weerbaar.services.tier_decisions import decide_tier
from weerbaar.services.tier_proposals import (
    DRAWS,
    MAX_DRAWS,
    SEED,
    TierReport,
    give_cycle_rules,
    proposal_history,
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


DrawsOption = Annotated[
    int,
    typer.Option(
        "--draws", min=1, max=MAX_DRAWS, help=N_("Monte Carlo draws of the risk to weigh over")
    ),
]
SeedOption = Annotated[
    int, typer.Option("--seed", min=0, help=N_("seed of the draws: the same seed, the same answer"))
]


def _shares(proposal: Proposal) -> str:
    """``strengthened in 82 % of draws; explore and monitor in 18 %``."""
    parts: list[str] = []
    for tier, share in sorted(proposal.shares.items(), key=lambda item: -item[1]):
        if not parts:
            parts.append(
                _("%(tier)s in %(share)s of draws", tier=_tier(tier), share=percent(share))
            )
        else:
            parts.append(_("%(tier)s in %(share)s", tier=_tier(tier), share=percent(share)))
    return "; ".join(parts)


def _rule_reason(report: TierReport, rule: str | None) -> str:
    found = next((r for r in report.rule_set.rules if r.key == rule), None)
    if found is None:
        return _("no rule holds: the default tier")
    return found.reason


@app.command(
    "propose",
    help=N_(
        "Propose a tier per theme from the evidence, by the cycle's rules (or the default "
        "set), weighed over the draws of the risk: with how sure it is, what would change "
        "it, and the cycle's decision beside it."
    ),
)
def propose(
    ctx: typer.Context,
    cycle: CycleOption = None,
    theme: Annotated[str | None, typer.Option("--theme", help=N_("only this theme"))] = None,
    reasons: Annotated[
        bool, typer.Option("--reasons", help=N_("print every rule's reasons"))
    ] = False,
    draws: DrawsOption = DRAWS,
    seed: SeedOption = SEED,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    report = propose_tiers(state(ctx).database(), cycle=cycle, draws=draws, seed=seed)
    proposals = [p for p in report.proposals if theme is None or p.theme == theme]
    if theme is not None and not proposals:
        raise ValidationError([Issue("--theme", "theme", _("no theme %(key)s", key=repr(theme)))])
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.tiers import tiers_answer

        answer = tiers_answer(report)
        shown = [t for t in answer.themes if theme is None or t.theme == theme]
        typer.echo(as_json(answer.model_copy(update={"themes": shown})))
        return
    out = console()
    _heading(report)
    names = {t.key: i18n.localised(t) for t in report.themes.values()}
    table = Table()
    for column in (_("theme"), _("current"), _("proposed"), _("how sure"), _("rule"), _("decided")):
        table.add_column(column, overflow="fold")
    for proposal in proposals:
        current = report.themes[proposal.theme].tier
        decision = report.decisions.get(proposal.theme)
        decided = _tier(decision.tier) if decision else "—"
        if decision is not None and decision.tier is not proposal.tier:
            decided = (
                "[yellow]" + escape(_("%(tier)s (against the proposal)", tier=decided)) + "[/]"
            )
        proposed = _tier(proposal.tier)
        if proposal.tier is not current:
            proposed = f"[bold]{proposed}[/]"
        table.add_row(
            f"{escape(names[proposal.theme])} [dim]{proposal.theme}[/]",
            _tier(current),
            proposed,
            percent(proposal.certainty),
            proposal.rule or escape(_("(default)")),
            decided,
        )
    out.print(table)
    _summary(report)
    for proposal in proposals:
        out.rule(f"{escape(names[proposal.theme])}: {_tier(proposal.tier)}")
        out.print("  " + escape(_shares(proposal)))
        for line in proposal.straddles:
            out.print("  [yellow]" + escape(i18n.translated(line)) + "[/]")
        decision = report.decisions.get(proposal.theme)
        if decision is not None and decision.tier is not proposal.tier:
            out.print(
                "  " + escape(_("proposal: %(why)s", why=_rule_reason(report, proposal.rule)))
            )
            why = decision.deviation or i18n.localised(decision, "rationale")
            out.print(
                "  " + escape(_("decision (%(tier)s): %(why)s", tier=_tier(decision.tier), why=why))
            )
        changes = report.counterfactuals.get(proposal.theme, ())
        if changes:
            out.print("  " + escape(_("What would change it:")))
            for change in changes:
                out.print("    • " + escape(i18n.translated(change.text)))
        else:
            out.print("  " + escape(_("No single change of the evidence would change it.")))
        if reasons or theme:
            for line in proposal.reasons:
                out.print(f"    {escape(i18n.translated(line))}")


def _heading(report: TierReport) -> None:
    source = _("the cycle's own rules") if report.rules_from_cycle else _("the default rule set")
    weighed = (
        _("risk from round %(round)s", round=report.round.key)
        if report.round
        else _("risk from no round")
    )
    if report.previous_round:
        weighed += ", " + _("trend against %(round)s", round=report.previous_round.key)
    weighed += ", " + _("%(draws)s draws, seed %(seed)s", draws=report.draws, seed=report.seed)
    console().print(
        _(
            "Cycle %(name)s (%(key)s); rules: %(source)s; %(weighed)s",
            name="[bold]" + escape(report.cycle.name) + "[/]",
            key=report.cycle.key,
            source=escape(source),
            weighed=weighed,
        )
    )


def _summary(report: TierReport) -> None:
    counts = ", ".join(
        f"{_tier(tier)}: {sum(1 for p in report.proposals if p.tier is tier)}"
        for tier in reversed(TIER_ORDER)
    )
    decided = [p for p in report.proposals if p.theme in report.decisions]
    agree = sum(1 for p in decided if report.decisions[p.theme].tier is p.tier)
    console().print(
        escape(
            _(
                "Proposed — %(counts)s. %(agree)s of %(decided)s decisions agree with the "
                "proposal.",
                counts=counts,
                agree=agree,
                decided=len(decided),
            )
        )
    )


@app.command("history", help=N_("How the proposals moved over the rounds, by the same rules."))
def history(
    ctx: typer.Context,
    cycle: CycleOption = None,
    draws: DrawsOption = DRAWS,
    seed: SeedOption = SEED,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    db = state(ctx).database()
    rounds = proposal_history(
        db, propose_tiers(db, cycle=cycle, draws=draws, seed=seed, explain=False)
    )
    if fmt is not OutputFormat.TABLE:
        typer.echo(
            json.dumps(
                [
                    {
                        "round": r.round.key,
                        "held_on": r.round.held_on.isoformat(),
                        "proposals": {
                            theme: {"tier": str(p.tier), "certainty": round(p.certainty, 4)}
                            for theme, p in sorted(r.proposals.items())
                        },
                    }
                    for r in rounds
                ],
                indent=2,
            )
        )
        return
    if not rounds:
        console().print(_("No round to weigh: assess scenarios in a round first."))
        return
    table = Table(title=_("Proposals per round"))
    table.add_column(_("theme"), overflow="fold")
    for each in rounds:
        table.add_column(each.round.key, overflow="fold")
    for theme in sorted({t for r in rounds for t in r.proposals}):
        cells = []
        for each in rounds:
            found = each.proposals.get(theme)
            cells.append(
                f"{_tier(found.tier)} ({percent(found.certainty)})" if found is not None else "—"
            )
        table.add_row(theme, *cells)
    console().print(table)


def _rule_file(path: Path) -> RuleSet:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(
            _("%(path)s: cannot read the rule set: %(error)s", path=path, error=exc)
        ) from exc
    # The register's own YAML limits: no aliases, bounded nesting and numbers.
    data = load_yaml(text, str(path))
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
    load: Annotated[
        Path | None,
        typer.Option(
            "--load",
            help=N_("give the cycle the rules of this rule set file (YAML): all or nothing"),
        ),
    ] = None,
) -> None:
    st = state(ctx)
    if copy_default and load is not None:
        raise ValidationError(
            [Issue("--load", "", _("give either --copy-default or --load, not both"))]
        )
    # A file is read and checked in full before the register is touched.
    given = _rule_file(load) if load is not None else None
    report = propose_tiers(st.database(), cycle=cycle, draws=1)
    key = report.cycle.key
    if copy_default or given is not None:
        written = give_cycle_rules(st.context(), key, given or default_tier_rules())
        console().print(
            _(
                "Cycle %(key)s has its own %(count)s rules now; edit them as tier_rules.",
                key=key,
                count=len(written),
            )
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
