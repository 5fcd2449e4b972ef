"""Record forms, generated from the field specs: one labelled input per field, filled
from a record or from what was submitted, with each problem beside its field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.fields import FieldKind, FieldSpec, to_plain
from weerbaar.domain.register import EntitySpec, values_of
from weerbaar.errors import Issue
from weerbaar.i18n.vocabulary import field_help
from weerbaar.reference.access import classification_levels
from weerbaar.reference.method import editions
from weerbaar.web.pages.common import field_title
from weerbaar.web.pages.display import Labels, enum_label

# Free text that runs to paragraphs; every other text field is one line.
LONG_TEXT = frozenset({"description", "narrative", "rationale", "summary", "approach", "note"})

FormValues = Mapping[str, str | list[str]]


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    help: str
    widget: str  # text, textarea, number, date, select, multiselect
    required: bool
    value: str = ""
    options: tuple[Option, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: str = "any"
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Problems:
    """Validation issues: by field where a field is named, the rest for the top."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, issues: Iterable[Issue], spec: EntitySpec, *, creating: bool) -> Problems:
        """An issue about a field the form does not show (a derived key) goes on top."""
        known = {f.name for f in editable(spec, creating=creating)}
        out = cls()
        for issue in issues:
            if issue.field in known:
                out.by_field.setdefault(issue.field, []).append(i18n.translated(issue.reason))
            else:
                out.general.append(i18n.issue_text(issue))
        return out


def editable(spec: EntitySpec, *, creating: bool) -> list[FieldSpec]:
    """The fields a form shows: a chosen key only when creating, a derived key never."""
    return [
        f for f in spec.fields if f.kind is not FieldKind.KEY or (creating and not spec.identity)
    ]


def record_values(record: Any) -> dict[str, str | list[str]]:
    return {name: _text(to_plain(value)) for name, value in values_of(record).items()}


def default_values(spec: EntitySpec, given: Mapping[str, str]) -> dict[str, str | list[str]]:
    """A new record's form: the fields' defaults, then what the link asked for."""
    out: dict[str, str | list[str]] = {f.name: _text(f.default) for f in spec.fields}
    for name, value in given.items():
        if name in out:
            out[name] = [value] if spec.field(name).kind is FieldKind.REFS else value
    return out


def _text(plain: object) -> str | list[str]:
    if isinstance(plain, list):
        return [str(v) for v in plain]
    return "" if plain is None else str(plain)


def submitted(spec: EntitySpec, form: FormData, *, creating: bool) -> dict[str, str | list[str]]:
    """The form's values for the record's fields, as raw values the services coerce."""
    out: dict[str, str | list[str]] = {}
    for f in editable(spec, creating=creating):
        if f.kind is FieldKind.REFS:
            out[f.name] = [v for v in form.getlist(f.name) if isinstance(v, str) and v]
        else:
            value = form.get(f.name)
            out[f.name] = value if isinstance(value, str) else ""
    return out


def as_raw(values: FormValues) -> dict[str, object]:
    """Blank inputs become missing values, so a field's default applies."""
    return {name: (value if value != "" else None) for name, value in values.items()}


def form_fields(
    spec: EntitySpec,
    values: FormValues,
    labels: Labels,
    subject: Subject,
    *,
    creating: bool,
    problems: Problems | None = None,
) -> list[FormField]:
    errors = problems.by_field if problems else {}
    return [
        _field(f, values.get(f.name, ""), labels, subject, tuple(errors.get(f.name, ())))
        for f in editable(spec, creating=creating)
    ]


def _field(
    spec: FieldSpec,
    value: str | list[str],
    labels: Labels,
    subject: Subject,
    errors: tuple[str, ...],
) -> FormField:
    base: dict[str, Any] = {
        "name": spec.name,
        "label": field_title(spec.name),
        "help": field_help(spec),
        "required": spec.required and spec.default is None,
        "errors": errors,
    }
    chosen = set(value) if isinstance(value, list) else {value}
    text = value if isinstance(value, str) else ""
    if spec.kind is FieldKind.REFS:
        assert spec.target is not None
        options = _options(labels.options(spec.target), chosen)
        return FormField(widget="multiselect", options=options, **base)
    if spec.kind is FieldKind.REF:
        assert spec.target is not None
        options = _options(labels.options(spec.target), chosen, blank=True)
        return FormField(widget="select", value=text, options=options, **base)
    if spec.kind is FieldKind.ENUM:
        assert spec.enum is not None
        pairs = [(m.value, enum_label(m)) for m in spec.enum]
        options = _options(pairs, chosen, blank=True)
        return FormField(widget="select", value=text, options=options, **base)
    if spec.name == "classification":
        return FormField(
            widget="select", value=text, options=_options(_levels(subject), chosen), **base
        )
    if spec.name == "edition":
        pairs = [(key, f"{e.name} ({key})") for key, e in editions().items()]
        return FormField(widget="select", value=text, options=_options(pairs, chosen), **base)
    if spec.kind in (FieldKind.INT, FieldKind.NUMBER):
        step = "1" if spec.kind is FieldKind.INT else "any"
        return FormField(
            widget="number",
            value=text,
            minimum=spec.minimum,
            maximum=spec.maximum,
            step=step,
            **base,
        )
    if spec.kind is FieldKind.DATE:
        return FormField(widget="date", value=text, **base)
    widget = "textarea" if spec.name in LONG_TEXT else "text"
    return FormField(widget=widget, value=text, **base)


def _levels(subject: Subject) -> list[tuple[str, str]]:
    """Only levels the user is cleared for: a higher one would lift the record out of
    their own sight, which the services refuse."""
    levels = classification_levels()
    top = levels.rank(subject.clearance)
    return [(lv.key, i18n.with_dutch(lv)) for lv in levels.levels[: top + 1]]


def _options(
    pairs: Iterable[tuple[str, str]], chosen: set[str], *, blank: bool = False
) -> tuple[Option, ...]:
    # A blank first choice, so a required select is never filled in by accident.
    out = [Option("", "—", not (chosen - {""}))] if blank else []
    out += [Option(value, label, value in chosen) for value, label in pairs]
    return tuple(out)
