"""Import and export of the whole register, all or nothing.

An import parses and checks every row of every entity first, against the file and
the database together; only a document without a single problem is written, in
one transaction, with an audit entry per created or changed record. A row changes
only the fields it holds (:mod:`weerbaar.services.partial_rows`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from weerbaar.domain.access import Subject
from weerbaar.domain.entities.strategy import Organisation
from weerbaar.domain.fields import to_plain
from weerbaar.domain.register import ENTITIES, EntitySpec, values_of
from weerbaar.domain.validation import check_record, parse_row
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.formats.raw import FORMAT, FORMAT_VERSION, RawDocument
from weerbaar.i18n.vocabulary import said_record
from weerbaar.reference.validation import rule_reference
from weerbaar.services.context import Context
from weerbaar.services.levels import rebuild_in
from weerbaar.services.lookup import OverlayLookup
from weerbaar.services.partial_rows import with_stored_fields
from weerbaar.services.records import change, record_json, write_refusal
from weerbaar.services.round_locks import locks_in, refusal_text
from weerbaar.services.visibility import visibility
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

Progress = Callable[[int, int], None]


class ImportMode(StrEnum):
    UPSERT = "upsert"  # create new keys, update changed records
    CREATE = "create"  # refuse keys that already exist


@dataclass(frozen=True, slots=True)
class ImportSummary:
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]

    @property
    def written(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def export_register(db: Database, *, subject: Subject | None = None) -> dict[str, Any]:
    """The whole register (what ``subject`` may see of it) as plain data,
    deterministic: records in key order, fields in their declared order, no versions
    or timestamps."""
    out: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION}
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        for spec in ENTITIES:
            out[spec.name] = [
                {name: to_plain(value) for name, value in values_of(record).items()}
                for record in seen.filter(spec.name, repo.fetch(spec.name))
            ]
    return out


def _parse(doc: RawDocument) -> tuple[dict[str, dict[str, tuple[str, Any]]], list[Issue]]:
    """Records by entity and key (with their place), and every row-level issue."""
    issues: list[Issue] = []
    parsed: dict[str, dict[str, tuple[str, Any]]] = {}
    for spec in ENTITIES:
        records: dict[str, tuple[str, Any]] = {}
        for row in doc.rows.get(spec.name, []):
            if row.problem is not None:
                issues.append(Issue(row.place, "", row.problem))
                continue
            record, row_issues = parse_row(spec, row.values, row.place)
            issues += row_issues
            if record is None:
                continue
            if record.key in records:
                first = records[record.key][0]
                issues.append(
                    Issue(
                        row.place,
                        "key",
                        said(
                            "duplicate key %(key)s (first at %(first)s)",
                            key=repr(record.key),
                            first=first,
                        ),
                    )
                )
                continue
            records[record.key] = (row.place, record)
        parsed[spec.name] = records
    return parsed, issues


def _in_file_order(doc: RawDocument, issues: list[Issue]) -> list[Issue]:
    order: dict[str, int] = {}
    for spec in ENTITIES:
        for row in doc.rows.get(spec.name, []):
            order.setdefault(row.place, len(order))
    return sorted(issues, key=lambda issue: order.get(issue.place, len(order)))


def _parents_first(records: list[Any]) -> list[Any]:
    """Organisations ordered so that a parent in the same import is written first."""
    by_key = {r.key: r for r in records}
    done: set[str] = set()
    out: list[Any] = []

    def visit(record: Organisation) -> None:
        if record.key in done:
            return
        done.add(record.key)
        if record.parent in by_key:
            visit(by_key[record.parent])
        out.append(record)

    for record in records:
        visit(record)
    return out


def import_register(
    ctx: Context,
    *,
    doc: RawDocument,
    mode: ImportMode = ImportMode.UPSERT,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check the whole document, then write it in one transaction, or write nothing."""
    created: dict[str, int] = {}
    updated: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    with ctx.db.transaction(write=True) as connection:
        repo = Repository(connection)
        versions = {spec.name: repo.versions(spec.name) for spec in ENTITIES}
        # Fields a row leaves out keep the register's values: read in this
        # transaction, so no change made meanwhile is written back over.
        seen = visibility(connection, ctx.subject)
        parsed, issues = _parse(RawDocument(with_stored_fields(doc.rows, repo, versions, seen)))
        total = sum(len(records) for records in parsed.values())
        pending = {
            name: {key: rec for key, (_, rec) in recs.items()} for name, recs in parsed.items()
        }
        lookup = OverlayLookup(pending, {n: set(v) for n, v in versions.items()}, repo)
        reference = rule_reference()
        for spec in ENTITIES:
            for key, (place, record) in parsed[spec.name].items():
                issues += check_record(spec, record, lookup, reference, place)
                if mode is ImportMode.CREATE and key in versions[spec.name]:
                    issues.append(
                        Issue(
                            place,
                            "key",
                            said(
                                "%(entity)s %(key)s already exists in the register",
                                entity=said_record(spec.name),
                                key=repr(key),
                            ),
                        )
                    )
        issues += _refusals(ctx, repo, parsed, versions)
        if issues:
            raise ValidationError(_in_file_order(doc, issues), summary=said("nothing imported"))
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total)

        for spec in ENTITIES:
            records = [rec for _, rec in parsed[spec.name].values()]
            if spec.name == "organisations":
                records = _parents_first(records)
            counts = _write(ctx, repo, spec, records, versions[spec.name], tick)
            created[spec.name], updated[spec.name], unchanged[spec.name] = counts
        if parsed["threat_pictures"]:
            # Pictures come in as history: their scopes get the level and the measures
            # in force that the history implies, in the same transaction.
            rebuild_in(ctx, connection)
    return ImportSummary(created, updated, unchanged)


_FETCHED_AT_ONCE = 1_000  # keys per query, well under every database's parameter limit


def _refusals(
    ctx: Context,
    repo: Repository,
    parsed: Mapping[str, Mapping[str, tuple[str, Any]]],
    versions: Mapping[str, Mapping[str, int]],
) -> list[Issue]:
    """The rows the importer may not write, as an edit or a creation through the
    services would be refused: role, need-to-know, and who may set the marking (an
    import never lowers a classification). A record the importer may not see is
    refused without saying why, so the refusal does not describe it. A row that would
    change the assessment of an approved (locked) round or scenario is refused, naming
    the round (:mod:`weerbaar.services.round_locks`)."""
    seen = visibility(repo.connection, ctx.subject)
    locks = locks_in(repo.connection)
    issues: list[Issue] = []
    for spec in ENTITIES:
        rows = parsed[spec.name]
        taken = [key for key in rows if key in versions[spec.name]]
        stored = {
            r.key: r
            for i in range(0, len(taken), _FETCHED_AT_ONCE)
            for r in repo.fetch(spec.name, keys=taken[i : i + _FETCHED_AT_ONCE])
        }
        for key, (place, record) in rows.items():
            current = stored.get(key)
            if current == record:
                continue  # nothing would be written
            if current is not None and not seen.sees(spec.name, key):
                issues.append(
                    Issue(
                        place,
                        "key",
                        said(
                            "%(entity)s %(key)s cannot be written",
                            entity=said_record(spec.name),
                            key=repr(key),
                        ),
                    )
                )
                continue
            # A file's marking is nobody's use case deciding it: the rules apply to
            # level pictures and states too.
            refusal = write_refusal(ctx, spec.name, current, record, marking_by_use_case=False)
            if refusal is not None:
                issues.append(Issue(place, "", refusal))
                continue
            locked = locks.write_locked(spec.name, current, record)
            if locked is not None:
                issues.append(Issue(place, "", refusal_text(*locked)))
    return issues


def _write(
    ctx: Context,
    repo: Repository,
    spec: EntitySpec,
    records: list[Any],
    versions: Mapping[str, int],
    tick: Callable[[], None],
) -> tuple[int, int, int]:
    """Write one entity's records: new ones in one batch, changed ones one by one."""
    new = [r for r in records if r.key not in versions]
    repo.insert_many(spec.name, new)
    changes = [
        change(ctx, action="create", spec=spec, key=r.key, before=None, after=record_json(r, 1))
        for r in new
    ]
    for _ in new:
        tick()
    updated = same = 0
    for record in records:
        version = versions.get(record.key)
        if version is None:
            continue
        tick()
        current = repo.get(spec.name, record.key)
        if current == record:
            same += 1
            continue
        new_version = repo.update(spec.name, record, expected_version=version)
        changes.append(
            change(
                ctx,
                action="update",
                spec=spec,
                key=record.key,
                before=record_json(current, version),
                after=record_json(record, new_version),
            )
        )
        updated += 1
    audit_log.append(repo.connection, changes)
    return len(new), updated, same
