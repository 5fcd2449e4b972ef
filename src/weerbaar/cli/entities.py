"""``weerbaar <entity> list|show|add|edit|delete``, built from the entity descriptions.

Options are generated per field, so every entity's commands and their ``--help``
stay in step with the register; values are passed on raw and checked by the domain,
which reports every problem at once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import typer
from rich.markup import escape

from weerbaar.cli import render
from weerbaar.cli.helptext import Lazy
from weerbaar.cli.render import OutputFormat
from weerbaar.cli.state import state
from weerbaar.domain.fields import FieldKind, FieldSpec
from weerbaar.domain.register import BY_NAME, ENTITIES, EntitySpec
from weerbaar.i18n import N_, _, vocabulary
from weerbaar.services import records

_FILTERABLE = (FieldKind.ENUM, FieldKind.REF, FieldKind.REFS)


def command_name(spec: EntitySpec) -> str:
    return spec.singular.replace(" ", "-")


def _option_name(field: FieldSpec) -> str:
    return "--" + field.name.replace("_", "-")


def _field_help(field: FieldSpec) -> str:
    return Lazy(_english_field_help(field), lambda: _spoken_field_help(field))


def _english_field_help(field: FieldSpec) -> str:
    parts = [field.help]
    if field.enum is not None:
        parts.append("one of: " + ", ".join(m.value for m in field.enum))
    if field.kind is FieldKind.REFS:
        parts.append(f"keys of {field.target}, separated by ';' or ','")
    elif field.kind is FieldKind.REF:
        assert field.target is not None
        parts.append(f"key of a {BY_NAME[field.target].singular}")
    if field.kind is FieldKind.DATE:
        parts.append("YYYY-MM-DD")
    if field.kind is FieldKind.TIME:
        parts.append("ISO 8601 date and time, e.g. 2026-11-29T14:30+01:00")
    if field.default is not None:
        parts.append(f"default {field.default}")
    elif field.required:
        parts.append("required")
    return "; ".join(p for p in parts if p)


def _spoken_field_help(field: FieldSpec) -> str:
    """:func:`_english_field_help` in the reader's language."""
    parts = [vocabulary.field_help(field)]
    if field.enum is not None:
        parts.append(_("one of: %(values)s", values=", ".join(m.value for m in field.enum)))
    if field.kind is FieldKind.REFS:
        assert field.target is not None
        parts.append(
            _(
                "keys of %(records)s, separated by ';' or ','",
                records=_in_sentence(vocabulary.entity_title(field.target)),
            )
        )
    elif field.kind is FieldKind.REF:
        assert field.target is not None
        parts.append(_("key of a %(record)s", record=vocabulary.singular(field.target)))
    if field.kind is FieldKind.DATE:
        parts.append(_("YYYY-MM-DD"))
    if field.kind is FieldKind.TIME:
        parts.append(_("ISO 8601 date and time, e.g. 2026-11-29T14:30+01:00"))
    if field.default is not None:
        parts.append(_("default %(value)s", value=field.default))
    elif field.required:
        parts.append(_("required"))
    return "; ".join(p for p in parts if p)


def _in_sentence(title: str) -> str:
    """An entity's title inside a sentence: "Threat pictures" reads "threat pictures"."""
    return title if len(title) > 1 and title[1].isupper() else title[:1].lower() + title[1:]


def _records(spec: EntitySpec) -> str:
    return _in_sentence(vocabulary.entity_title(spec.name))


def _field_params(spec: EntitySpec, *, for_filter: bool = False) -> list[inspect.Parameter]:
    params = []
    for field in spec.fields:
        if field.kind is FieldKind.KEY or (for_filter and field.kind not in _FILTERABLE):
            continue
        help_text = _filter_help(field) if for_filter else _field_help(field)
        params.append(
            inspect.Parameter(
                field.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[str | None, typer.Option(_option_name(field), help=help_text)],
            )
        )
    return params


def _filter_help(field: FieldSpec) -> str:
    return Lazy(
        f"only records whose {field.name} is (or, for a list, includes) this",
        lambda: _(
            "only records whose %(field)s is (or, for a list, includes) this", field=field.name
        ),
    )


def _raw_values(spec: EntitySpec, kwargs: dict[str, Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, value in kwargs.items():
        if value is None or name not in spec.field_names:
            continue
        if spec.field(name).kind is FieldKind.REFS:
            value = value.replace(",", ";")
        out[name] = value
    return out


def _with_signature(func: Callable[..., None], params: list[inspect.Parameter]) -> Any:
    func.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return func


_CTX = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)


def _key_param(help_text: str) -> inspect.Parameter:
    return inspect.Parameter(
        "key",
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        annotation=Annotated[str, typer.Argument(help=help_text, show_default=False)],
    )


def _opt(name: str, annotation: Any, default: Any, *decls: str, help: str) -> inspect.Parameter:
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[annotation, typer.Option(*decls, help=help)],
    )


def _format_param() -> inspect.Parameter:
    return _opt(
        "format",
        OutputFormat,
        OutputFormat.TABLE,
        "--format",
        "-f",
        help=N_("table for people, json or csv for programs"),
    )


def _expect_param() -> inspect.Parameter:
    return _opt(
        "expect_version",
        int | None,
        None,
        "--expect-version",
        help=N_("refuse the change unless the record is still at this version"),
    )


def entity_app(spec: EntitySpec) -> typer.Typer:
    app = typer.Typer(
        help=Lazy(
            f"List, show, add, edit and delete {spec.name.replace('_', ' ')}.",
            lambda: _("List, show, add, edit and delete %(records)s.", records=_records(spec)),
        ),
        no_args_is_help=True,
    )
    singular = spec.singular

    def one(english: str, template: str) -> str:
        """``english`` about one record, said again with ``template`` in the reader's
        language."""
        return Lazy(english, lambda: _(template, record=vocabulary.singular(spec.name)))

    def list_(ctx: typer.Context, **kwargs: Any) -> None:
        fmt = kwargs.pop("format")
        where = {k: v for k, v in kwargs.items() if v is not None}
        items = records.list_records(state(ctx).database(), entity_name=spec.name, where=where)
        columns = [
            f.name
            for f in spec.fields
            if f.kind in (FieldKind.KEY, FieldKind.ENUM, FieldKind.REF, FieldKind.DATE)
            or f.name == spec.label_field
        ][:6]
        render.records(spec, items, fmt, columns)

    listed = Lazy(
        f"List {spec.name.replace('_', ' ')}, optionally filtered.",
        lambda: _("List %(records)s, optionally filtered.", records=_records(spec)),
    )
    app.command("list", help=listed)(
        _with_signature(list_, [_CTX, *_field_params(spec, for_filter=True), _format_param()])
    )

    def show(ctx: typer.Context, key: str, format: OutputFormat) -> None:
        db = state(ctx).database()
        found = records.get_record(db, entity_name=spec.name, key=key)
        referrers = records.referrers_of(db, entity_name=spec.name, key=key)
        render.record(spec, found.record, found.version, referrers, format)

    shown = one(
        f"Show one {singular} with its version and what refers to it.",
        N_("Show one %(record)s with its version and what refers to it."),
    )
    key_help = one(f"key of the {singular}", N_("key of the %(record)s"))
    app.command("show", help=shown)(
        _with_signature(show, [_CTX, _key_param(key_help), _format_param()])
    )

    if spec.written_by is not None:
        # Written only by their use case (a level change): reading is all there is here.
        return app

    def add(ctx: typer.Context, key: str | None = None, **kwargs: Any) -> None:
        raw = {"key": key, **_raw_values(spec, kwargs)} if key else _raw_values(spec, kwargs)
        created = records.create_record(state(ctx).context(), entity_name=spec.name, raw=raw)
        added = _(
            "added %(record)s %(key)s (version 1)",
            record=vocabulary.singular(spec.name),
            key=created.record.key,
        )
        render.console().print(escape(added))

    new_key = one(f"key of the new {singular}", N_("key of the new %(record)s"))
    key_params = [] if spec.identity else [_key_param(new_key)]
    added = one(f"Add a {singular}.", N_("Add a %(record)s."))
    app.command("add", help=added)(_with_signature(add, [_CTX, *key_params, *_field_params(spec)]))

    def edit(ctx: typer.Context, key: str, expect_version: int | None, **kwargs: Any) -> None:
        changes = _raw_values(spec, kwargs)
        if not changes:
            raise typer.BadParameter(_("say what to change, e.g. --title '…'"))
        saved = records.update_record(
            state(ctx).context(),
            entity_name=spec.name,
            key=key,
            changes=changes,
            expected_version=expect_version,
        )
        said = _(
            "saved %(record)s %(key)s (version %(version)s)",
            record=vocabulary.singular(spec.name),
            key=key,
            version=saved.version,
        )
        render.console().print(escape(said))

    edited = one(
        f"Change fields of a {singular}; an empty value clears an optional field.",
        N_("Change fields of a %(record)s; an empty value clears an optional field."),
    )
    app.command("edit", help=edited)(
        _with_signature(edit, [_CTX, _key_param(key_help), _expect_param(), *_field_params(spec)])
    )

    def delete(ctx: typer.Context, key: str, expect_version: int | None, yes: bool) -> None:
        if not yes:
            question = _(
                "Delete %(record)s %(key)s?", record=vocabulary.singular(spec.name), key=key
            )
            if not render.confirm(question):
                render.console(stderr=True).print(escape(_("nothing deleted")))
                raise typer.Exit(1)
        records.delete_record(
            state(ctx).context(), entity_name=spec.name, key=key, expected_version=expect_version
        )
        gone = _("deleted %(record)s %(key)s", record=vocabulary.singular(spec.name), key=key)
        render.console().print(escape(gone))

    deleted = one(
        f"Delete a {singular} that nothing refers to.",
        N_("Delete a %(record)s that nothing refers to."),
    )
    app.command("delete", help=deleted)(
        _with_signature(
            delete,
            [
                _CTX,
                _key_param(key_help),
                _expect_param(),
                _opt("yes", bool, False, "--yes", "-y", help=N_("do not ask to confirm")),
            ],
        )
    )
    return app


def add_entity_commands(
    app: typer.Typer, more: Mapping[str, Callable[[typer.Typer], None]] | None = None
) -> None:
    """The register's commands; ``more`` adds commands of its own to an entity's
    group (by entity name), as ``weerbaar round`` has its sign-off."""
    for spec in ENTITIES:
        group = entity_app(spec)
        if more and spec.name in more:
            more[spec.name](group)
        app.add_typer(group, name=command_name(spec), rich_help_panel=N_("Register"))
