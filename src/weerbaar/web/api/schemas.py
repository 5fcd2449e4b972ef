"""Request and response models of every entity, built from its field specs.

The register describes each field once (:mod:`weerbaar.domain.register`); these
models turn that description into the OpenAPI schema, so clients see per entity
which fields are required, which values an enumeration allows, where a date goes
and which keys are well formed. The services still check everything (references,
rules, need-to-know): the models only reject what can never be right.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from weerbaar.domain.fields import MAX_TEXT, FieldKind, FieldSpec
from weerbaar.domain.register import ENTITIES, EntitySpec
from weerbaar.reference.access import classification_levels
from weerbaar.web.limits import Key

# As everywhere in weerbaar, an empty optional reference means none.
NoKey = Literal[""]
# Scores' keys join their identifying fields with "/": round/scenario[/criterion].
DerivedKey = Annotated[str, Field(min_length=1, examples=["gra-2019/lek-dike-breach/2.1"])]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
# Free text in a query string: no control characters (PostgreSQL refuses NUL).
QueryText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT, pattern=r"^[^\x00-\x1f\x7f]*$")]
Version = Annotated[int, Field(ge=1, description="the record's version; +1 on every edit")]


class _Closed(BaseModel):
    """Unknown members are refused: a misspelt field must not be dropped silently."""

    model_config = ConfigDict(extra="forbid")


@cache
def classification() -> type[StrEnum]:
    levels = classification_levels().keys
    return StrEnum("Classification", {level: level for level in levels})  # type: ignore[return-value]


def _number(field: FieldSpec) -> Any:
    return Annotated[float, Field(ge=field.minimum, le=field.maximum, allow_inf_nan=False)]


def _integer(field: FieldSpec) -> Any:
    return Annotated[int, Field(ge=field.minimum, le=field.maximum)]


def value_type(spec: EntitySpec, field: FieldSpec) -> Any:
    """The Python type of one field's value, with its constraints."""
    if field.name == "classification":
        return classification()
    match field.kind:
        case FieldKind.KEY:
            return DerivedKey if spec.identity else Key
        case FieldKind.REF:
            return Key
        case FieldKind.REFS:
            return list[Key]
        case FieldKind.TEXT:
            return Text
        case FieldKind.INT:
            return _integer(field)
        case FieldKind.NUMBER:
            return _number(field)
        case FieldKind.DATE:
            return dt.date
        case FieldKind.TIME:
            return dt.datetime
        case FieldKind.ENUM:
            return field.enum
    raise AssertionError(field.kind)  # pragma: no cover - exhaustive match


def _input_type(spec: EntitySpec, field: FieldSpec) -> Any:
    kind = value_type(spec, field)
    return kind | NoKey if field.kind is FieldKind.REF and not field.required else kind


def _model_name(spec: EntitySpec, suffix: str = "") -> str:
    return "".join(part.capitalize() for part in spec.singular.split()) + suffix


def _described(field: FieldSpec, default: Any = ...) -> Any:
    return Field(default, description=field.help)


def _stored_fields(spec: EntitySpec) -> dict[str, Any]:
    """As the register holds a record: every field present, optional ones may be null."""
    out: dict[str, Any] = {}
    for field in spec.fields:
        kind = value_type(spec, field)
        present = field.required or field.kind is FieldKind.REFS
        out[field.name] = (kind if present else kind | None, _described(field))
    return out


def _new_fields(spec: EntitySpec) -> dict[str, Any]:
    """What a create sends: required fields without a default must be given; a
    score's key may be left out, as it follows from the score's fields."""
    out: dict[str, Any] = {}
    for field in spec.fields:
        kind = _input_type(spec, field)
        derived = spec.identity and field.kind is FieldKind.KEY
        if field.kind is FieldKind.REFS:
            out[field.name] = (kind, Field(default_factory=list, description=field.help))
        elif field.required and field.default is not None:
            out[field.name] = (kind, _described(field, field.default))
        elif field.required and not derived:
            out[field.name] = (kind, _described(field))
        else:
            out[field.name] = (kind | None, _described(field, None))
    return out


def _unlisted_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _change_fields(spec: EntitySpec) -> dict[str, Any]:
    """What an edit sends: any fields; those left out keep their value. A required
    field may be left out but not emptied."""
    out: dict[str, Any] = {}
    for field in spec.fields:
        kind = _input_type(spec, field)
        if field.required or field.kind is FieldKind.REFS:
            # Left out means unchanged; null would mean emptied, which these refuse.
            out[field.name] = (
                kind,
                Field(None, description=field.help, json_schema_extra=_unlisted_default),
            )
        else:
            out[field.name] = (kind | None, _described(field, None))
    out["version"] = (
        Version | None,
        Field(None, description="the version edited; or send it as If-Match"),
    )
    return out


class EntityModels:
    """The models of one entity's API."""

    def __init__(self, spec: EntitySpec) -> None:
        name = _model_name(spec)
        # Exports carry no versions; every other answer does.
        self.record: type[BaseModel] = create_model(name + "InExport", **_stored_fields(spec))
        self.versioned: type[BaseModel] = create_model(
            name, __base__=self.record, __doc__=spec.record.__doc__, version=(Version, ...)
        )
        self.new: type[BaseModel] = create_model(
            "New" + name, __base__=_Closed, **_new_fields(spec)
        )
        self.changes: type[BaseModel] = create_model(
            name + "Changes", __base__=_Closed, **_change_fields(spec)
        )
        self.page: type[BaseModel] = create_model(
            name + "Page",
            items=(list[self.versioned], ...),  # type: ignore[name-defined]
            page=(int, Field(ge=1)),
            per_page=(int, Field(ge=1)),
            total=(int, Field(ge=0, description="visible records matching the filters")),
            next=(str | None, Field(description="the next page, or null on the last")),
        )


MODELS: dict[str, EntityModels] = {spec.name: EntityModels(spec) for spec in ENTITIES}
