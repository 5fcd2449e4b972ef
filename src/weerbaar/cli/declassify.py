"""``weerbaar declassify ENTITY KEY --to LEVEL --reason "..."``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from weerbaar import i18n
from weerbaar.cli.entities import command_name
from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.domain.register import BY_NAME, ENTITIES, EntitySpec
from weerbaar.i18n import N_, _, vocabulary
from weerbaar.reference.access import classification_levels
from weerbaar.services.declassify import declassify


def _entity(name: str) -> EntitySpec:
    """The entity a command line names, as its command (``capability-need``) or as its
    plural name (``capability_needs``)."""
    by_command = {command_name(spec): spec for spec in ENTITIES}
    found = by_command.get(name) or BY_NAME.get(name)
    if found is None:
        known = ", ".join(sorted(by_command))
        raise typer.BadParameter(
            _("%(name)s is no entity; one of: %(known)s", name=repr(name), known=known),
            param_hint="ENTITY",
        )
    return found


def declassify_command(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(help=N_("the entity, e.g. scenario or capability-need"))],
    key: Annotated[str, typer.Argument(help=N_("the record's key"))],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help=N_("the lower classification, e.g. public or dep-v"),
            show_default=False,
        ),
    ],
    reason: Annotated[
        str,
        typer.Option("--reason", help=N_("why, for the audit trail (10 to 2000 characters)")),
    ],
    expect_version: Annotated[
        int | None,
        typer.Option(
            "--expect-version", help=N_("refuse if the record is no longer at this version")
        ),
    ] = None,
) -> None:
    spec = _entity(entity)
    saved = declassify(
        state(ctx).context(),
        entity_name=spec.name,
        key=key,
        to=to,
        reason=reason,
        expected_version=expect_version,
    )
    level = next(
        (lv for lv in classification_levels().levels if lv.key == saved.record.classification),
        None,
    )
    said = _(
        "declassified %(record)s %(key)s to %(level)s (version %(version)s)",
        record=vocabulary.singular(spec.name),
        key=key,
        level=i18n.with_dutch(level) if level else saved.record.classification,
        version=saved.version,
    )
    console().print(escape(said))
