"""Taking signals in: read, prepare in parallel, deduplicate in order, store.

The stream is cut into chunks. Workers (a local process pool or Dask, through one
:class:`~concurrent.futures.Executor`) fingerprint, sign and classify each chunk;
here, in input order, each signal is matched against what came before (this run
and the register), given its key and written. Each chunk is one transaction with an
audit entry per signal: a run that is killed leaves whole chunks behind, and running
it again skips what is already in (a signal's key comes from its source and its own
id, or its text).

With ``semantic=True`` (the optional semantic layer) workers also give a zero-shot
theme where the model gives none, and here a signal that repeats no earlier report
by its bytes may still repeat one told in the other language (a Dutch and an
English report of one event) within a few days. Only those signals are encoded:
the ones without a theme as they are prepared, the first reports once their chunk
is sorted here, in a second job while the next chunks are prepared.

Signals that name actors wait until the input's actors are in the register, so that
the reference holds; there are few of them (reports, campaigns, indicators).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
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
from weerbaar.signals.prepare import ModelSpec, Prepared, ZeroShot, encode_texts, prepare_texts
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

# Signals per chunk: per chunk the main process commits (a sync to disk) and asks the
# register which keys it holds, and a worker reads the model's spec; at 500 those
# cost a fifth of storing a signal.
CHUNK = 2000
# How far back the register's own signals are matched for near repeats, in signals:
# enough for weeks of news, small enough to sign at the start of a run.
RECENT = 5000
MAX_REJECTED_KEPT = 1000
MAX_KEYS_KEPT = 10_000
MAX_JOINED = 20_000  # as many as the dedupe window remembers texts

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


@dataclass(frozen=True, slots=True)
class _Row:
    """A signal to write: its key, what was prepared, its marking and the first
    report it repeats by its bytes."""

    key: str
    item: Prepared
    marking: Marking
    repeats: str | None


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
    # Keys sorted but not written yet (with the semantic layer, a few chunks' worth).
    unwritten: set[str] = field(default_factory=set)
    # First reports found to repeat one in the other language → that one. A repeat of
    # such a report sorted before it was found names the report; it is read here.
    joined: OrderedDict[str, str] = field(default_factory=OrderedDict)

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
        with self.ctx.db.transaction() as connection:
            rows = self.sort(connection, prepared)
        self.write(rows, [])

    def sort(self, connection: Connection, prepared: Sequence[Prepared]) -> list[_Row]:
        """The chunk's signals that are not in yet, each with the earlier report it
        repeats by its bytes, if any; the rest counted."""
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
        # Asked per chunk rather than kept for the run: memory stays bounded. Sorted
        # chunks not written yet count as in.
        taken = Repository(connection).existing_keys("signals", [k for k, _ in keyed])
        rows: list[_Row] = []
        for (key, item), marking in zip(keyed, markings, strict=True):
            self.report.read += 1
            if key in taken or key in self.unwritten:
                self.report.already_in += 1
                continue
            taken.add(key)
            match = self.dedupe.add(
                key, item.signal.text, digest=item.fingerprint, signature=item.signature
            )
            if match is not None:
                if match.exact:
                    self.report.exact_repeats += 1
                else:
                    self.report.near_repeats += 1
            rows.append(_Row(key, item, marking, None if match is None else match.of))
            self.unwritten.add(key)
        return rows

    def write(self, rows: Sequence[_Row], vectors: Sequence[bytes]) -> None:
        """Store sorted signals. With the semantic layer, a first report by its bytes
        may still repeat one in the other language: ``vectors`` holds, in order, the
        vectors of those first reports that came without one."""
        records: list[Signal] = []
        more = iter(vectors)
        for row in rows:
            duplicate_of = row.repeats
            if duplicate_of is not None:
                # Its group's first report may have been found to repeat another
                # since: the group is that one's now.
                duplicate_of = self.joined.get(duplicate_of, duplicate_of)
            elif self.events is not None:
                embedding = row.item.embedding or next(more)
                duplicate_of = self._other_language(row.key, row.item, embedding)
            records.append(self._record(row.key, row.item, duplicate_of, row.marking))
        if records:
            self._write(records)
        self.unwritten.difference_update(row.key for row in rows)

    def _write(self, records: list[Signal]) -> None:
        with self.ctx.db.transaction(write=True) as connection:
            _insert_audited(self.ctx, connection, "signals", records)
        self.report.created += len(records)
        self.report.keys += [r.key for r in records][: MAX_KEYS_KEPT - len(self.report.keys)]

    def _other_language(self, key: str, item: Prepared, embedding: bytes) -> str | None:
        """The first report of this event in the other language, if the window holds
        one; else remember this one as a first report."""
        assert self.events is not None
        vector = from_bytes(embedding)
        language = item.signal.language or item.prediction.language
        day = item.signal.published_on
        first = self.events.match(vector, language, day)
        if first is None:
            self.events.add(key, vector, language, day)
            return None
        self.report.near_repeats += 1
        self.report.cross_language_repeats += 1
        self.dedupe.join(key, first)
        self.joined[key] = first
        if len(self.joined) > MAX_JOINED:
            self.joined.popitem(last=False)
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


def _prepared(
    executor: Executor, chunks: Iterable[list[RawSignal]], spec: ModelSpec, window: int
) -> Iterator[list[Prepared]]:
    """The chunks prepared on the executor, in order. Workers are sent the texts and
    send back columns; the signals stay here (pickling them both ways took longer
    than preparing them)."""
    sent: deque[list[RawSignal]] = deque()

    def texts() -> Iterator[list[str]]:
        for chunk in chunks:
            sent.append(chunk)
            yield [s.text for s in chunk]

    for columns in ordered(executor, prepare_texts, texts(), spec, window=window):
        yield columns.rows(sent.popleft())


def _take(
    run: _Run,
    executor: Executor,
    chunks: Iterable[list[RawSignal]],
    spec: ModelSpec,
    window: int,
    progress: Progress | None,
) -> None:
    """Prepare the chunks on the executor, sort and write them here, in order."""
    if run.events is None:
        for prepared in _prepared(executor, chunks, spec, window):
            run.store(prepared)
            if progress is not None:
                progress(run.report.read)
        return
    # With the semantic layer, encoding is most of the work, and a repeat by its bytes
    # needs no vector (unless the model left it without a theme: those are encoded
    # when prepared). Which signals need one is known only once their chunk is sorted
    # here, so they are encoded in a second job while the next chunks are prepared,
    # and the chunk is written when its vectors are back.
    lagging: deque[tuple[list[_Row], Future[list[bytes]] | None]] = deque()

    def write_oldest() -> None:
        rows, vectors = lagging.popleft()
        run.write(rows, [] if vectors is None else vectors.result())

    for prepared in _prepared(executor, chunks, spec, window):
        with run.ctx.db.transaction() as connection:
            rows = run.sort(connection, prepared)
        texts = [r.item.signal.text for r in rows if r.repeats is None and not r.item.embedding]
        lagging.append((rows, executor.submit(encode_texts, texts) if texts else None))
        if len(lagging) >= window:
            write_oldest()
        if progress is not None:
            progress(run.report.read)
    while lagging:
        write_oldest()


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
    with _older_objects_frozen():
        _take(run, executor, _chunks(run.split(items), chunk), spec, window, progress)
        run.store_actors()
        _take(run, executor, _chunks(run.waiting, chunk), spec, window, progress)
    return report


@contextlib.contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """The objects that exist when a run starts (modules, the register's recent
    signals) left out of the garbage collector's passes until it ends: a run makes
    many objects, and the collector walked all the older ones again and again, at a
    tenth of the cost of storing a signal. Whatever of them becomes garbage in the
    meantime is collected once they are let go."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
