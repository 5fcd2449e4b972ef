"""``weerbaar declassify ENTITY KEY --to LEVEL --reason "..."``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from weerbaar.cli.entities import command_name
from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.domain.register import BY_NAME, ENTITIES, EntitySpec
from weerbaar.reference.access import classification_levels
from weerbaar.services.declassify import declassify


def _entity(name: str) -> EntitySpec:
    """The entity a command line names, as its command (``capability-need``) or as its
    plural name (``capability_needs``)."""
    by_command = {command_name(spec): spec for spec in ENTITIES}
    found = by_command.get(name) or BY_NAME.get(name)
    if found is None:
        known = ", ".join(sorted(by_command))
        raise typer.BadParameter(f"{name!r} is no entity; one of: {known}", param_hint="ENTITY")
    return found


def declassify_command(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help="the entity, e.g. scenario or capability-need")],
    key: Annotated[str, typer.Argument(help="the record's key")],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="the lower classification, e.g. public or dep-v",
            show_default=False,
        ),
    ],
    reason: Annotated[
        str,
        typer.Option("--reason", help="why, for the audit trail (10 to 2000 characters)"),
    ],
    expect_version: Annotated[
        int | None,
        typer.Option("--expect-version", help="refuse if the record is no longer at this version"),
    ] = None,
) -> None:
    """Lower a record's classification, with the reason kept in the audit trail."""
    spec = _entity(entity)
    saved = declassify(
        state(ctx).context(),
        entity_name=spec.name,
        key=key,
        to=to,
        reason=reason,
        expected_version=expect_version,
    )
    label = classification_levels().label(saved.record.classification)
    console().print(
        f"declassified {spec.singular} {escape(key)} to {escape(label)} (version {saved.version})"
    )
