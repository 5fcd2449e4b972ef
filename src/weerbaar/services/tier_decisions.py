"""Deciding a theme's tier: the decision is stored beside what the rules proposed at
that moment, so a decision against the rules stays visible, with its reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from weerbaar.domain.enums import Tier
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.services.context import Context
from weerbaar.services.records import Create, Update, Versioned, write_together
from weerbaar.services.tier_proposals import propose_tiers

KEY_LENGTH = 64


def decision_key(theme: str, cycle: str, on: dt.date) -> str:
    return f"dec-{cycle}-{theme}"[: KEY_LENGTH - 9] + f"-{on:%Y%m%d}"


def decide_tier(
    ctx: Context,
    *,
    theme: str,
    tier: Tier | str,
    rationale: str,
    decided_by: str,
    cycle: str | None = None,
    lead: str | None = None,
    involved: Sequence[str] = (),
    deviation: str | None = None,
    decided_on: dt.date | None = None,
    key: str | None = None,
    classification: str = "public",
    owned_by: str | None = None,
) -> Versioned:
    """Record a tier decision with the proposal the rules give now, as the decider sees
    them, and give the theme that tier. Refused (nothing written) for an unknown theme
    or a decision against the proposal without a ``deviation`` reason."""
    on = decided_on or ctx.clock().date()
    report = propose_tiers(ctx.db, cycle=cycle, today=on, subject=ctx.subject, explain=False)
    proposal = report.proposal(theme)
    if proposal is None:
        raise ValidationError(
            [
                Issue(
                    "decision",
                    "theme",
                    said(
                        "unknown reference: no %(entity)s %(key)s", entity="themes", key=repr(theme)
                    ),
                )
            ],
            summary=said("the decision names no theme you may see"),
        )
    reasons = "\n".join(proposal.reasons)
    raw: dict[str, object] = {
        "key": key or decision_key(theme, report.cycle.key, on),
        "theme": theme,
        "tier": str(tier),
        "cycle": report.cycle.key,
        "decided_on": on.isoformat(),
        "decided_by": decided_by,
        "lead": lead,
        "involved": list(involved),
        "rationale": rationale,
        "proposed_tier": str(proposal.tier),
        "proposal_rule": proposal.rule,
        "proposal_reasons": reasons,
        "deviation": deviation,
        "classification": classification,
        "owned_by": owned_by,
    }
    # The theme takes the decided tier (and lead) in the same transaction: its current
    # tier is always the one last decided, never half-recorded.
    theme_changes: dict[str, object] = {"tier": str(tier)}
    if lead:
        theme_changes["lead"] = lead
    saved, _ = write_together(
        ctx, [Create("decisions", raw), Update("themes", theme, theme_changes)]
    )
    return saved
