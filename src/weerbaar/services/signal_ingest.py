"""Taking signals in: read, prepare in parallel, deduplicate in order, store.

The stream is cut into chunks. Workers (a local process pool or Dask, through one
:class:`~concurrent.futures.Executor`) fingerprint, sign and classify each chunk;
here, in input order, each signal is matched against what came before (this run
and the register), given its key and written. Each chunk is one transaction with an
audit entry per signal: a run that is killed leaves whole chunks behind, and running
it again skips what is already in (a signal's key comes from its source and its own
id, or its text).

With ``semantic=True`` (the optional semantic layer) workers also encode each signal
and give a zero-shot theme where the model gives none, and here a signal that
repeats no earlier report by its bytes may still repeat one told in the other
language (a Dutch and an English report of one event) within a few days.

Signals that name actors wait until the input's actors are in the register, so that
the reference holds; there are few of them (reports, campaigns, indicators).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from weerbaar.domain.access import Marking, write_problems
from weerbaar.domain.entities.signals import Signal
from weerbaar.domain.entities.strategy import Actor
from weerbaar.domain.enums import ActorKind, Language, Level, ThemeSource
from weerbaar.domain.register import entity
from weerbaar.domain.validation import parse_row
from weerbaar.errors import ForbiddenError, joined, said
from weerbaar.reference.access import classification_levels
from weerbaar.reference.markings import marking_table
from weerbaar.reference.signals import (
    classifier_settings,
    labelled_signals,
    semantic_settings,
    theme_descriptions,
)
from weerbaar.services.actor_match import SEPARATOR, ActorIndex, actor_key
from weerbaar.services.context import Context
from weerbaar.services.executors import ordered
from weerbaar.services.records import change, record_json
from weerbaar.services.visibility import EVERYTHING, Visibility, visibility
from weerbaar.signals.items import ActorSighting, Item, RawSignal, Rejected
from weerbaar.signals.prepare import ModelSpec, Prepared, ZeroShot, prepare_chunk
from weerbaar.signals.readers.galaxy import names
from weerbaar.signals.semantic import EventWindow, describe_themes, from_bytes, semantic_model
from weerbaar.signals.settings import Labelled
from weerbaar.signals.text import clean
from weerbaar.storage import audit_log
from weerbaar.storage.repository import Repository

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from weerbaar.signals.dedupe import Deduplicator

__all__ = ["CHUNK", "IngestReport", "ingest", "model_spec", "signal_key"]

CHUNK = 500
# How far back the register's own signals are matched for near repeats, in signals:
# enough for weeks of news, small enough to sign at the start of a run.
RECENT = 5000
MAX_REJECTED_KEPT = 1000
MAX_KEYS_KEPT = 10_000

Progress = Callable[[int], None]


@dataclass(slots=True)
class IngestReport:
    read: int = 0  # signals the readers produced
    created: int = 0
    already_in: int = 0  # same key as a signal in the register: left as it is
    exact_repeats: int = 0
    near_repeats: int = 0
    cross_language_repeats: int = 0  # of the near repeats, found by the semantic layer
    unthemed: int = 0
    rejected: int = 0
    rejections: list[Rejected] = field(default_factory=list)  # the first ones, with reasons
    themes: Counter[str] = field(default_factory=Counter)
    actors_created: list[str] = field(default_factory=list)
    actors_known: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # the first signals written, in order

    def reject(self, item: Rejected) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_REJECTED_KEPT:
            self.rejections.append(item)


def signal_key(source: str, identity: str, marking: Marking | None = None) -> str:
    """Stable across runs: the same item from the same source gets the same key. A
    marked copy (classified, or owned) gets its own key, so that taking an item in
    never runs into a copy the taker may not see."""
    parts = [source, identity]
    if marking is not None and (marking.classification != "public" or marking.owned_by):
        parts += [marking.classification, marking.owned_by or ""]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"sig-{digest[:20]}"


def _text(signal: Signal) -> str:
    """What dedupe and the classifier read of a stored signal, as of a new one."""
    return f"{signal.title}. {signal.summary}" if signal.summary else signal.title


def model_spec(
    repo: Repository, *, seen: Visibility = EVERYTHING, semantic: bool = False
) -> ModelSpec:
    """The shipped labelled texts plus every theme an analyst set on a signal that
    ``seen`` lets through; with ``semantic``, the register's themes (or, in a register
    without any, the shipped ones) described for zero-shot themes."""
    corrections = tuple(
        Labelled(_text(s), s.theme, str(s.language))
        for s in seen.filter(
            "signals", repo.fetch("signals", where={"theme_by": ThemeSource.ANALYST})
        )
        if s.theme
    )
    examples = labelled_signals()["train"] + corrections
    if not semantic:
        return ModelSpec(classifier_settings(), examples)
    described = describe_themes(
        ((t.key, t.name, t.name_en) for t in seen.filter("themes", repo.fetch("themes"))),
        theme_descriptions(),
    ) or shipped_descriptions(examples)
    zero_shot = ZeroShot(tuple(sorted(described.items())), semantic_settings().zero_shot_min)
    return ModelSpec(classifier_settings(), examples, zero_shot)


def shipped_descriptions(examples: Iterable[Labelled]) -> dict[str, str]:
    """The zero-shot text of each theme the examples teach, in the words shipped for
    it: what a register without themes of its own compares signals with."""
    themes = sorted({e.theme for e in examples})
    return describe_themes(((t, t, None) for t in themes), theme_descriptions())


def _chunks(signals: Iterable[RawSignal], size: int) -> Iterator[list[RawSignal]]:
    chunk: list[RawSignal] = []
    for signal in signals:
        chunk.append(signal)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(slots=True)
class _Run:
    ctx: Context
    report: IngestReport
    marking: Marking
    themes: frozenset[str]
    dedupe: Deduplicator
    events: EventWindow | None = None  # cross-language repeats, with the semantic layer
    actor_keys: dict[str, str] = field(default_factory=dict)  # external id → actor key
    waiting: list[RawSignal] = field(default_factory=list)
    sightings: list[ActorSighting] = field(default_factory=list)
    markings: dict[tuple[str, tuple[str, ...]], Marking | str] = field(default_factory=dict)

    def split(self, items: Iterable[Item]) -> Iterator[RawSignal]:
        """The signals to prepare now; rejections counted, actors and the signals
        that name them kept for the end."""
        for item in items:
            if isinstance(item, Rejected):
                self.report.reject(item)
            elif isinstance(item, ActorSighting):
                self.sightings.append(item)
            elif item.actors:
                self.waiting.append(item)
            else:
                yield item

    def marking_of(self, signal: RawSignal) -> Marking | str:
        """The marking a signal is stored under: the run's, or stricter where its own
        TLP or PAP markings say so; or why it cannot be taken in."""
        return self._marked(signal.markings, "signals")

    def _marked(self, labels: tuple[str, ...], entity_name: str) -> Marking | str:
        if not labels:
            return self.marking
        known = self.markings.get((entity_name, labels))
        if known is None:
            known = _marking_for(self.ctx, self.marking, labels, entity_name)
            self.markings[(entity_name, labels)] = known
        return known

    def store(self, prepared: Sequence[Prepared]) -> None:
        records: list[Signal] = []
        markings: list[Marking] = []
        keyed: list[tuple[str, Prepared]] = []
        for item in prepared:
            marking = self.marking_of(item.signal)
            if isinstance(marking, str):
                self.report.read += 1
                self.report.reject(Rejected(item.signal.origin, marking))
                continue
            identity = item.signal.external_id or item.fingerprint
            keyed.append((signal_key(item.signal.source, identity, marking), item))
            markings.append(marking)
        with self.ctx.db.transaction() as connection:
            # Asked per chunk rather than kept for the run: memory stays bounded.
            taken = Repository(connection).existing_keys("signals", [k for k, _ in keyed])
        for (key, item), marking in zip(keyed, markings, strict=True):
            self.report.read += 1
            signal = item.signal
            if key in taken:
                self.report.already_in += 1
                continue
            taken.add(key)
            match = self.dedupe.add(
                key, signal.text, digest=item.fingerprint, signature=item.signature
            )
            duplicate_of = None if match is None else match.of
            if match is not None:
                if match.exact:
                    self.report.exact_repeats += 1
                else:
                    self.report.near_repeats += 1
            elif self.events is not None and item.embedding is not None:
                duplicate_of = self._other_language(key, item)
            records.append(self._record(key, item, duplicate_of, marking))
        if records:
            self._write(records)

    def _other_language(self, key: str, item: Prepared) -> str | None:
        """The first report of this event in the other language, if the window holds
        one; else remember this one as a first report."""
        assert self.events is not None and item.embedding is not None
        vector = from_bytes(item.embedding)
        language = item.signal.language or item.prediction.language
        day = item.signal.published_on
        first = self.events.match(vector, language, day)
        if first is None:
            self.events.add(key, vector, language, day)
            return None
        self.report.near_repeats += 1
        self.report.cross_language_repeats += 1
        self.dedupe.join(key, first)
        return first

    def _record(
        self, key: str, item: Prepared, duplicate_of: str | None, marking: Marking
    ) -> Signal:
        signal, prediction = item.signal, item.prediction
        theme = prediction.theme if prediction.theme in self.themes else None
        if theme is None:
            self.report.unthemed += 1
        else:
            self.report.themes[theme] += 1
        # Built directly, not parsed: every value is typed and checked already (texts
        # cleaned and cut by the readers, the key made here, references from sets of
        # keys that exist), and parsing cost more than the rest of storing.
        actors = {self.actor_keys[a] for a in signal.actors if a in self.actor_keys}
        values: dict[str, Any] = {
            "key": key,
            "title": signal.title,
            "published_on": signal.published_on,
            "source": signal.source[:500],
            "url": signal.url,
            "language": Language(signal.language or prediction.language),
            "theme": theme,
            "summary": signal.summary or None,
            "kind": signal.kind,
            "external_id": clean(signal.external_id, 500) or None,
            "fingerprint": item.fingerprint,
            "duplicate_of": duplicate_of,
            "theme_by": ThemeSource.MODEL if theme else None,
            "theme_confidence": round(prediction.confidence, 4),
            "actors": tuple(sorted(actors)),
            "classification": marking.classification,
            "owned_by": marking.owned_by,
            "shared_with": marking.shared_with,
        }
        return Signal(**values)

    def _write(self, records: list[Signal]) -> None:
        with self.ctx.db.transaction(write=True) as connection:
            _insert_audited(self.ctx, connection, "signals", records)
        self.report.created += len(records)
        self.report.keys += [r.key for r in records][: MAX_KEYS_KEPT - len(self.report.keys)]

    def store_actors(self) -> None:
        """Create the actors the input describes that the register lacks. A sighting
        is the register's actor of its external id, else of its name or one of its
        aliases as the actor's name or one of its synonyms, case ignored."""
        if not self.sightings:
            return
        spec = entity("actors")
        with self.ctx.db.transaction(write=True) as connection:
            repo = Repository(connection)
            # Only the actors the taker may see: linking to (or numbering around) a
            # hidden one would tell them it exists.
            seen = visibility(connection, self.ctx.subject)
            index = ActorIndex.of(seen.filter("actors", repo.fetch("actors")))
            new: list[Actor] = []
            for sighting in self.sightings:
                known = index.find(sighting.external_id, [sighting.name, *sighting.aliases])
                if known is not None:
                    self.actor_keys[sighting.external_id] = known
                    self.report.actors_known.append(known)
                    continue
                marking = self._marked(sighting.markings, "actors")
                if isinstance(marking, str):
                    self.report.reject(Rejected(sighting.origin, marking))
                    continue
                key = actor_key(sighting.name)
                if repo.version("actors", key) is not None or key in self.report.actors_created:
                    # Another actor has that name-like key ("APT-1" and "APT 1"), seen or
                    # not: a suffix from the input's own id, the same either way.
                    digest = hashlib.sha256(sighting.external_id.encode()).hexdigest()[:8]
                    key = f"{key[:55].rstrip('-')}-{digest}"
                    if repo.version("actors", key) is not None:
                        self.report.reject(
                            Rejected(sighting.origin, said("key %(key)s is taken", key=key))
                        )
                        continue
                self.actor_keys[sighting.external_id] = key
                raw = {
                    "key": key,
                    "name": sighting.name[:200],
                    "kind": ActorKind.STATE if sighting.state else ActorKind.NON_STATE,
                    "intent": Level.UNKNOWN,
                    "capability": Level.UNKNOWN,
                    "description": sighting.description or None,
                    "synonyms": SEPARATOR.join(names(sighting.aliases, without=[sighting.name]))
                    or None,
                    "external_id": sighting.external_id[:500] or None,
                    "classification": marking.classification,
                    "owned_by": marking.owned_by,
                    "shared_with": marking.shared_with,
                }
                actor, issues = parse_row(spec, raw, sighting.origin)
                if actor is None:
                    self.report.reject(
                        Rejected(sighting.origin, "; ".join(i.reason for i in issues))
                    )
                    continue
                index.add(actor)
                new.append(actor)
                self.report.actors_created.append(key)
            _insert_audited(self.ctx, connection, "actors", new)


def _insert_audited(
    ctx: Context, connection: Connection, entity_name: str, records: Sequence[Any]
) -> None:
    """Insert new records with an audit entry each, in the caller's transaction."""
    spec = entity(entity_name)
    Repository(connection).insert_many(entity_name, list(records))
    audit_log.append(
        connection,
        [
            change(ctx, action="create", spec=spec, key=r.key, before=None, after=record_json(r, 1))
            for r in records
        ],
    )


def _marking_for(
    ctx: Context, base: Marking, labels: Sequence[str], entity_name: str
) -> Marking | str:
    """What the marking table makes of ``labels`` on an item of a run marked ``base``,
    if the taker may write records of ``entity_name`` so marked."""
    levels = classification_levels()
    marking = marking_table().incoming(base, labels, levels)
    if isinstance(marking, str) or ctx.subject is None:
        return marking
    problems = write_problems(ctx.subject, entity_name, None, marking, levels)
    return joined(problems) if problems else marking


def _authorise(ctx: Context, marking: Marking) -> None:
    if ctx.subject is None:
        return
    for name in ("signals", "actors"):
        problems = write_problems(ctx.subject, name, None, marking, classification_levels())
        if problems:
            raise ForbiddenError(
                said("cannot take signals in: %(problems)s", problems=joined(problems))
            )


def _start(
    ctx: Context, marking: Marking, report: IngestReport, *, semantic: bool = False
) -> tuple[_Run, ModelSpec]:
    # datasketch and scipy load when signals come in, not when a command starts.
    from weerbaar.signals.dedupe import Deduplicator

    dedupe = Deduplicator()
    with ctx.db.transaction() as connection:
        repo = Repository(connection)
        # Only what the taker may see: a repeat of a hidden report, a theme or an
        # analyst's correction they may not see would tell them it exists.
        seen = visibility(connection, ctx.subject)
        spec = model_spec(repo, seen=seen, semantic=semantic)
        themes = frozenset(t.key for t in seen.filter("themes", repo.fetch("themes")))
        stored: list[Any] = seen.filter(
            "signals", repo.fetch("signals", where={"duplicate_of": None})
        )
    # The register's recent first reports: a new item repeating one of them is a
    # repeat, not a new event.
    stored.sort(key=lambda s: (s.published_on, s.key))
    for signal in stored[-RECENT:]:
        dedupe.add(
            signal.key, f"{signal.title}. {signal.summary}" if signal.summary else signal.title
        )
    run = _Run(ctx, report, marking, themes, dedupe)
    if semantic:
        run.events = _events(stored[-RECENT:])
    return run, spec


def _events(stored: Sequence[Any]) -> EventWindow:
    """The cross-language window, holding the register's recent first reports."""
    settings = semantic_settings()
    events = EventWindow(
        size=settings.window, threshold=settings.same_event_min, days=settings.same_event_days
    )
    stored = stored[-settings.window :]
    model = semantic_model()
    model.load()  # not installed: say so now, not from a worker
    vectors = model.encode([_text(s) for s in stored])
    for signal, vector in zip(stored, vectors, strict=True):
        events.add(signal.key, vector, str(signal.language), signal.published_on)
    return events


def ingest(
    ctx: Context,
    items: Iterable[Item],
    *,
    executor: Executor,
    marking: Marking | None = None,
    chunk: int = CHUNK,
    progress: Progress | None = None,
    semantic: bool = False,
) -> IngestReport:
    """Take in every good item of ``items``; report the rest with their reasons.
    ``semantic``: use the optional semantic layer as well (zero-shot themes,
    repeats across Dutch and English); it needs ``weerbaar[semantic]``."""
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, not {chunk}")
    marking = marking or Marking("public", None)
    _authorise(ctx, marking)
    report = IngestReport()
    run, spec = _start(ctx, marking, report, semantic=semantic)
    window = 2 * max(1, getattr(executor, "_max_workers", 2))
    for prepared in ordered(
        executor, prepare_chunk, _chunks(run.split(items), chunk), spec, window=window
    ):
        run.store(prepared)
        if progress is not None:
            progress(report.read)
    run.store_actors()
    for prepared in ordered(
        executor, prepare_chunk, _chunks(run.waiting, chunk), spec, window=window
    ):
        run.store(prepared)
        if progress is not None:
            progress(report.read)
    return report
