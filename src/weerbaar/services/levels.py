"""Setting a threat level: the picture, the scope's new state, the pre-agreed measures
it switches on and off, and the notices to the organisations concerned, all in one
transaction, so no measure is ever left half-switched and no notice lost."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from weerbaar import i18n
from weerbaar.domain.access import Marking
from weerbaar.domain.alerting import (
    Current,
    LevelError,
    LevelScale,
    Notice,
    NoticeMeasure,
    PreAgreed,
    Request,
    Scope,
    ScopeKind,
    Transition,
    affected,
    picture_time,
    plan,
    slug,
)
from weerbaar.domain.entities.levels import Activation, AlertMeasure, LevelState, ThreatPicture
from weerbaar.errors import ConflictError, Issue, ValidationError, said
from weerbaar.reference.access import classification_levels
from weerbaar.reference.alerting import level_scales
from weerbaar.services.context import Context
from weerbaar.services.level_views import scope_of
from weerbaar.services.notifications.outbox import queue_notices
from weerbaar.services.records import Create, Update, write_in
from weerbaar.services.visibility import Visibility, visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

KEY_LENGTH = 64


@dataclass(frozen=True, slots=True)
class LevelChange:
    picture: ThreatPicture
    state: LevelState
    version: int  # the state's version after the change
    transition: Transition
    notices: int  # notifications queued


LEVEL_CHANGE = said("level change")  # where a level change's problems are
NOT_SET = said("level not set")


def scale_of(key: str) -> LevelScale:
    scales = level_scales()
    if key not in scales:
        known = ", ".join(sorted(scales))
        raise ValidationError(
            [
                Issue(
                    LEVEL_CHANGE,
                    "scale",
                    said(
                        "unknown level scale %(scale)s; known: %(known)s",
                        scale=repr(key),
                        known=known,
                    ),
                )
            ],
            summary=NOT_SET,
        )
    return scales[key]


def _refused(exc: LevelError) -> ValidationError:
    return ValidationError([Issue(LEVEL_CHANGE, exc.field, exc.message)], summary=NOT_SET)


def _clean(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


@dataclass(frozen=True, slots=True, kw_only=True)
class LevelRequest:
    """A level change as asked for: the scope, the new level and why, and the picture
    that records it.

    ``expected_version`` is the version of the scope's state the requester saw (0: it
    had no level yet; None: not checked). ``classification``, ``owned_by`` and
    ``shared_with`` mark the picture (its summary and rationale);
    ``level_classification`` marks the level itself, which those who take measures
    need to know even when the reasons behind it are classified (None: the scope keeps
    its marking; a new scope is public). ``at`` defaults to now, ``theme`` to the
    scope's or the scale's, ``title`` to one naming the scope and the level.
    """

    scale: str
    level: str | int
    rationale: str | None
    sector: str | None = None
    region: str | None = None
    site: str | None = None
    at: dt.datetime | None = None
    expected_version: int | None = None
    title: str | None = None
    summary: str | None = None
    sources: str | None = None
    theme: str | None = None
    issuer: str | None = None
    classification: str = "public"
    owned_by: str | None = None
    shared_with: Sequence[str] = ()
    level_classification: str | None = None


def set_level(ctx: Context, request: LevelRequest) -> LevelChange:
    """Set a scope's level. If another change landed since the version the requester
    saw (``request.expected_version``), the request is refused with
    :class:`ConflictError` and nothing is written."""
    spec = scale_of(request.scale)
    try:
        rank = spec.parse(request.level)
        scope = Scope(
            spec.key, _clean(request.sector), _clean(request.region), _clean(request.site)
        )
        scope.check(spec)
    except LevelError as exc:
        raise _refused(exc) from exc
    when = request.at or ctx.clock()
    if when.tzinfo is None:
        raise _refused(LevelError("at", said("the time of a level change needs a time zone")))
    when = when.astimezone(dt.UTC)
    with ctx.db.transaction(write=True) as connection:
        repo = Repository(connection)
        seen = visibility(connection, ctx.subject)
        state = repo.get("level_states", scope.key)
        if state is not None:
            # Same answer as for any record one may not see, before a conflict could
            # tell its version.
            seen.require("level_states", scope.key)
        version = repo.version("level_states", scope.key) or 0
        level_classification = request.level_classification
        if level_classification is None:
            level_classification = state.classification if state is not None else "public"
        expected_version = request.expected_version
        if expected_version is not None and expected_version != version:
            raise ConflictError("level state", scope.key, expected_version, version)
        records = _measure_records(repo, spec.key)
        measures = _measures(records)
        if spec.scope is ScopeKind.SECTOR:
            _require_known_sector(repo, seen, scope)
        current = None if state is None else Current(state.level, state.since, state.picture)
        active = _active(repo, scope.key)
        try:
            transition = plan(
                spec,
                current,
                active,
                measures.values(),
                Request(scope, rank, when, request.rationale),
            )
        except LevelError as exc:
            raise _refused(exc) from exc
        picture_key = _stamped(repo, "threat_pictures", scope.key, when)
        marking: dict[str, Any] = {
            "classification": request.classification,
            "owned_by": request.owned_by,
            "shared_with": list(request.shared_with),
        }
        chosen_theme = request.theme or (state.theme if state else None) or _theme(repo, spec)
        picture_raw = {
            "key": picture_key,
            "title": request.title or _picture_title(spec, scope, rank, "nl"),
            "title_en": None if request.title else _picture_title(spec, scope, rank, "en"),
            "system": spec.key,
            "level": rank,
            "issued_on": when.date().isoformat(),
            "effective_at": when.isoformat(),
            "previous_level": transition.before,
            "theme": chosen_theme,
            "sector": scope.sector,
            "region": scope.region,
            "site": scope.site,
            "issuer": request.issuer,
            "summary": request.summary,
            "rationale": _clean(request.rationale),
            "sources": request.sources,
            **marking,
        }
        state_raw = {
            "scale": spec.key,
            "sector": scope.sector,
            "region": scope.region,
            "site": scope.site,
            "level": rank,
            "picture": picture_key,
            "since": when.isoformat(),
            "theme": chosen_theme,
            "classification": level_classification,
        }
        state_write: Create | Update = (
            Create("level_states", {"key": scope.key, **state_raw})
            if state is None
            else Update("level_states", scope.key, state_raw, version)
        )
        # The person's own rights decide whether they may set the level; the measures
        # it switches follow from pre-agreed records they need not be cleared for.
        picture, saved_state = write_in(
            ctx, connection, [Create("threat_pictures", picture_raw), state_write]
        )
        system = dataclasses.replace(ctx, subject=None)
        write_in(system, connection, _switches(repo, transition, picture_key, scope))
        notices = _notices(
            spec, transition, picture.record, measures, records, level_classification
        )
        queued = queue_notices(connection, notices, now=ctx.clock())
    # The change switched every measure agreed for it; the one who made it is told of
    # those they may see.
    shown = dataclasses.replace(
        transition,
        activate=tuple(m for m in transition.activate if seen.sees("alert_measures", m.key)),
        deactivate=tuple(k for k in transition.deactivate if seen.sees("alert_measures", k)),
    )
    return LevelChange(picture.record, saved_state.record, saved_state.version, shown, queued)


def _picture_title(spec: LevelScale, scope: Scope, rank: int, language: str) -> str:
    """The title a change gets when none is given: the published profile needs it in
    Dutch and in English, whoever sets the level."""
    with i18n.speaking(language):
        where = " / ".join(p for p in (scope.sector, scope.region, scope.site) if p)
        return i18n.gettext(
            "%(scale)s, %(where)s: %(level)s",
            scale=i18n.localised(spec),
            where=where or i18n.gettext("national"),
            level=i18n.localised(spec.level(rank)),
        )


def _measure_records(repo: Repository, scale: str) -> dict[str, AlertMeasure]:
    found: list[AlertMeasure] = repo.fetch("alert_measures", where={"scale": scale})
    return {m.key: m for m in found}


def _measures(records: dict[str, AlertMeasure]) -> dict[str, PreAgreed]:
    """The measures as planned, titled for the one who makes the change."""
    return {
        m.key: PreAgreed(
            m.key, i18n.localised(m, "title"), m.scale, m.sector, m.from_level, m.organisation
        )
        for m in records.values()
    }


def _active(repo: Repository, state_key: str) -> dict[str, Activation]:
    """The scope's activations still in force, by measure."""
    found: list[Activation] = repo.fetch("activations", where={"state": state_key})
    return {a.measure: a for a in found if a.until is None}


def _require_known_sector(repo: Repository, seen: Visibility, scope: Scope) -> None:
    known = {
        slug(r.sector): r.sector
        for entity_name in ("alert_measures", "vital_processes", "threat_pictures")
        for r in seen.filter(entity_name, repo.fetch(entity_name))
        if r.sector
    }
    if slug(scope.sector or "") not in known:
        names = ", ".join(sorted(known.values(), key=str.casefold)) or said("none yet")
        raise ValidationError(
            [
                Issue(
                    LEVEL_CHANGE,
                    "sector",
                    said(
                        "unknown sector %(sector)s; sectors named by pre-agreed measures, vital "
                        "processes or earlier pictures: %(known)s",
                        sector=repr(scope.sector),
                        known=names,
                    ),
                )
            ],
            summary=NOT_SET,
        )


def _theme(repo: Repository, scale: LevelScale) -> str | None:
    if scale.theme and repo.get("themes", scale.theme) is not None:
        return scale.theme
    return None


def _stamped(
    repo: Repository, entity_name: str, stem: str, at: dt.datetime, taken: set[str] | None = None
) -> str:
    """``stem-YYYYmmdd-HHMMSS``, with a counter when that key is taken (two changes in
    one second); unique because writers hold the write lock."""
    stamp = at.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        suffix = stamp if n == 1 else f"{stamp}-{n}"
        key = f"{stem[: KEY_LENGTH - len(suffix) - 1].rstrip('-')}-{suffix}"
        if repo.version(entity_name, key) is None and key not in (taken or set()):
            if taken is not None:
                taken.add(key)
            return key
    raise AssertionError(f"no free key for {stem} at {stamp}")  # pragma: no cover


def _switches(
    repo: Repository,
    transition: Transition,
    picture: str,
    scope: Scope,
) -> list[Create | Update]:
    at = transition.at.isoformat()
    active = _active(repo, scope.key)
    writes: list[Create | Update] = [
        _activation(repo, m.key, scope, picture, transition.at) for m in transition.activate
    ]
    for measure_key in transition.deactivate:
        activation = active[measure_key]
        writes.append(Update("activations", activation.key, {"ended_by": picture, "until": at}))
    return writes


def _activation(
    repo: Repository,
    measure: str,
    scope: Scope,
    picture: str,
    since: dt.datetime,
    ended: tuple[str, dt.datetime] | None = None,
    taken: set[str] | None = None,
) -> Create:
    record: AlertMeasure = repo.require("alert_measures", measure)
    return Create(
        "activations",
        {
            "key": _stamped(repo, "activations", measure, since, taken),
            "measure": measure,
            "state": scope.key,
            "activated_by": picture,
            "since": since.isoformat(),
            "ended_by": ended[0] if ended else None,
            "until": ended[1].isoformat() if ended else None,
            # Those who take the measure must see that it is in force: the activation
            # carries the measure's marking, not the picture's.
            **_marking(record),
        },
    )


def rebuild_levels(ctx: Context) -> int:
    """Give each scope that has pictures but no state yet its state, and the
    activations its history implies: for registers loaded from files (the demo
    profile, an import), whose pictures came in without a level change. Returns the
    number of scopes given a state."""
    with ctx.db.transaction(write=True) as connection:
        return rebuild_in(ctx, connection)


def rebuild_in(ctx: Context, connection: Connection) -> int:
    """:func:`rebuild_levels` inside a write transaction the caller holds."""
    scales = level_scales()
    repo = Repository(connection)
    by_scope: dict[Scope, list[ThreatPicture]] = defaultdict(list)
    for p in repo.fetch("threat_pictures"):
        if p.system in scales:
            by_scope[scope_of(p)].append(p)
    writes: list[Create | Update] = []
    for scope, pictures in by_scope.items():
        if repo.get("level_states", scope.key) is not None:
            continue
        pictures.sort(key=lambda p: (picture_time(p.issued_on, p.effective_at), p.key))
        writes += _replayed(repo, scope, pictures)
    write_in(dataclasses.replace(ctx, subject=None), connection, writes)
    return sum(1 for w in writes if w.entity_name == "level_states")


def _replayed(
    repo: Repository, scope: Scope, pictures: list[ThreatPicture]
) -> list[Create | Update]:
    measures = _measures(_measure_records(repo, scope.scale))
    running: dict[str, tuple[dt.datetime, str]] = {}
    activations: list[Create | Update] = []
    taken: set[str] = set()  # keys of activations not yet written
    for picture in pictures:
        at = picture_time(picture.issued_on, picture.effective_at)
        wanted = {k for k, m in measures.items() if m.applies(scope, picture.level)}
        for key in sorted(set(running) - wanted):
            since, by = running.pop(key)
            ended = (picture.key, at)
            activations.append(_activation(repo, key, scope, by, since, ended, taken))
        for key in sorted(wanted - set(running)):
            running[key] = (at, picture.key)
    for key, (since, by) in sorted(running.items()):
        activations.append(_activation(repo, key, scope, by, since, taken=taken))
    last = pictures[-1]
    state = Create(
        "level_states",
        {
            "key": scope.key,
            "scale": scope.scale,
            "sector": scope.sector,
            "region": scope.region,
            "site": scope.site,
            "level": last.level,
            "picture": last.key,
            "since": picture_time(last.issued_on, last.effective_at).isoformat(),
            "theme": last.theme,
            "classification": last.classification,
        },
    )
    return [state, *activations]


def _marking(record: Any) -> dict[str, Any]:
    marking = Marking.of(record)
    return {
        "classification": marking.classification,
        "owned_by": marking.owned_by,
        "shared_with": list(marking.shared_with),
    }


def _notices(
    scale: LevelScale,
    transition: Transition,
    picture: ThreatPicture,
    measures: dict[str, PreAgreed],
    records: dict[str, AlertMeasure],
    state_classification: str,
) -> list[Notice]:
    """The facts each organisation concerned is told; the outbox words them in each
    channel's language. Measures go by their records' titles, as written with the
    English beside them, never in the language of the one who made the change."""
    # Only what carries no marking leaves the system by e-mail or webhook.
    lowest = classification_levels().levels[0].key
    open_rationale = picture.rationale if picture.classification == lowest else None
    level_open = state_classification == lowest

    def named(keys: Sequence[str], organisation: str) -> tuple[NoticeMeasure, ...]:
        if not level_open:
            return ()
        return tuple(
            NoticeMeasure(key, records[key].title, records[key].title_en)
            for key in keys
            if key in records and records[key].organisation == organisation
        )

    return [
        Notice(
            change=picture.key,
            organisation=organisation,
            scale=scale,
            scope=transition.scope,
            before=transition.before if level_open else None,
            after=transition.after if level_open else None,
            raised=transition.raised,
            at=transition.at,
            rationale=open_rationale,
            activated=named([m.key for m in transition.activate], organisation),
            deactivated=named(transition.deactivate, organisation),
        )
        for organisation in affected(transition.scope, measures.values())
    ]


@dataclass(frozen=True, slots=True)
class Target:
    scale: str
    sector: str | None = None
    site: str | None = None


def resolve_target(db: Database, target: str, *, scale: str | None = None) -> Target:
    """What ``weerbaar levels set TARGET`` means: a scale key (its national level), a
    theme (the national scale that belongs to it), or a sector (on ``scale``, or on the
    one scale its level or pre-agreed measures are set on)."""
    scales = level_scales()
    wanted = target.strip()
    if scale is None and wanted in scales:
        return Target(wanted, None)
    national = [s for s in scales.values() if s.theme == wanted and s.scope is ScopeKind.NATIONAL]
    if scale is None and len(national) == 1:
        return Target(national[0].key, None)
    if scale is not None:
        chosen = scale_of(scale)
        if chosen.scope is ScopeKind.SITE:
            return Target(chosen.key, site=wanted)
        return Target(chosen.key, None if chosen.scope is ScopeKind.NATIONAL else wanted)
    with db.transaction() as connection:
        repo = Repository(connection)
        used = {
            getattr(r, "scale", None) or getattr(r, "system", None)
            for name in ("level_states", "alert_measures")
            for r in repo.fetch(name)
            if slug(r.sector or "") == slug(wanted)
        }
    candidates = sorted(s for s in used if s in scales and scales[s].scope is ScopeKind.SECTOR)
    if len(candidates) == 1:
        return Target(candidates[0], sector=wanted)
    hint = (
        said(
            "it is a sector on several scales (%(scales)s): name one with --scale",
            scales=", ".join(candidates),
        )
        if candidates
        else said(
            "not a scale (%(scales)s), a theme with a national scale, or a sector with a "
            "level or pre-agreed measures; name the scale with --scale",
            scales=", ".join(scales),
        )
    )
    raise ValidationError(
        [
            Issue(
                LEVEL_CHANGE, "target", said("%(wanted)s: %(hint)s", wanted=repr(wanted), hint=hint)
            )
        ],
        summary=NOT_SET,
    )
