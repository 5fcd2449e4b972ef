"""Reading and writing register records on one connection (one transaction).

Generic over the entity descriptions: rows become the domain's frozen records and
back. Queries are SQLAlchemy Core expressions, so every value is a bound parameter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Row, Select, Table, delete, func, insert, select, update

from weerbaar.domain.fields import FieldKind, Value
from weerbaar.domain.register import ENTITIES, EntitySpec, entity, values_of
from weerbaar.errors import ConflictError, NotFoundError
from weerbaar.storage.tables import entity_tables, link_tables


class Repository:
    """The register as seen inside one transaction."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- reading ---------------------------------------------------------------

    def get(self, entity_name: str, key: str) -> Any | None:
        found = self.fetch(entity_name, keys=[key])
        return found[0] if found else None

    def require(self, entity_name: str, key: str) -> Any:
        record = self.get(entity_name, key)
        if record is None:
            raise NotFoundError(entity(entity_name).singular, key)
        return record

    def version(self, entity_name: str, key: str) -> int | None:
        table = entity_tables[entity_name]
        return self.connection.execute(
            select(table.c.version).where(table.c.key == key)
        ).scalar_one_or_none()

    def versions(self, entity_name: str) -> dict[str, int]:
        table = entity_tables[entity_name]
        rows = self.connection.execute(select(table.c.key, table.c.version))
        return {row.key: row.version for row in rows}

    def existing_keys(self, entity_name: str, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are taken."""
        table = entity_tables[entity_name]
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):  # stay below parameter limits
            part = wanted[start : start + 500]
            found |= set(self.connection.scalars(select(table.c.key).where(table.c.key.in_(part))))
        return found

    def count(self, entity_name: str) -> int:
        table = entity_tables[entity_name]
        return self.connection.execute(select(func.count()).select_from(table)).scalar_one()

    def fetch(
        self,
        entity_name: str,
        *,
        keys: Iterable[str] | None = None,
        where: Mapping[str, Value] | None = None,
    ) -> list[Any]:
        """Records in key order, optionally only those keys or with fields equal to
        the given values (a list field matches when it contains the value)."""
        spec = entity(entity_name)
        table = entity_tables[entity_name]
        query = _matching(spec, select(table).order_by(table.c.key), where)
        if keys is not None:
            query = query.where(table.c.key.in_(list(keys)))
        rows = self.connection.execute(query).all()
        lists = self._lists(spec, [row.key for row in rows] if keys is not None or where else None)
        return [self._record(spec, row, lists) for row in rows]

    def keys(self, entity_name: str, *, where: Mapping[str, Value] | None = None) -> list[str]:
        """The keys :meth:`fetch` would return records of, without building them."""
        table = entity_tables[entity_name]
        query = _matching(entity(entity_name), select(table.c.key).order_by(table.c.key), where)
        return list(self.connection.execute(query).scalars())

    def _lists(
        self, spec: EntitySpec, owners: list[str] | None
    ) -> dict[str, dict[str, tuple[str, ...]]]:
        out: dict[str, dict[str, tuple[str, ...]]] = {}
        for field in spec.list_fields:
            link = link_tables[(spec.name, field.name)]
            query = select(link.c.owner, link.c.target).order_by(link.c.owner, link.c.position)
            if owners is not None:
                query = query.where(link.c.owner.in_(owners))
            grouped: dict[str, list[str]] = defaultdict(list)
            for owner, target in self.connection.execute(query):
                grouped[owner].append(target)
            out[field.name] = {owner: tuple(targets) for owner, targets in grouped.items()}
        return out

    @staticmethod
    def _record(
        spec: EntitySpec, row: Row[Any], lists: Mapping[str, Mapping[str, tuple[str, ...]]]
    ) -> Any:
        values: dict[str, Value] = {}
        for field in spec.fields:
            if field.kind is FieldKind.REFS:
                values[field.name] = lists[field.name].get(row.key, ())
                continue
            value = row._mapping[field.name]
            if field.kind is FieldKind.ENUM and value is not None:
                assert field.enum is not None
                value = field.enum(value)
            values[field.name] = value
        return spec.build(values)

    def referrers(self, entity_name: str, key: str) -> list[str]:
        """Every record that refers to this one, as "entity key" strings."""
        out: list[str] = []
        for spec in ENTITIES:
            for field in spec.fields:
                if field.target != entity_name:
                    continue
                if field.kind is FieldKind.REFS:
                    link = link_tables[(spec.name, field.name)]
                    query = select(link.c.owner).where(link.c.target == key)
                else:
                    table = entity_tables[spec.name]
                    query = select(table.c.key).where(table.c[field.name] == key)
                    if spec.name == entity_name:
                        query = query.where(table.c.key != key)
                owners = self.connection.execute(query.order_by(query.selected_columns[0]))
                out += [f"{spec.singular} {owner}" for (owner,) in owners]
        return out

    # -- writing ---------------------------------------------------------------

    def insert(self, entity_name: str, record: Any) -> None:
        self.insert_many(entity_name, [record])

    def insert_many(self, entity_name: str, records: list[Any]) -> None:
        """Insert new records at version 1, in one statement per table."""
        if not records:
            return
        spec = entity(entity_name)
        names = [f.name for f in spec.scalar_fields]
        rows = [{**{n: getattr(record, n) for n in names}, "version": 1} for record in records]
        self.connection.execute(insert(entity_tables[entity_name]), rows)
        for field in spec.list_fields:
            links = [
                {"owner": record.key, "target": target, "position": i}
                for record in records
                for i, target in enumerate(getattr(record, field.name))
            ]
            if links:
                self.connection.execute(insert(link_tables[(spec.name, field.name)]), links)

    def update(self, entity_name: str, record: Any, *, expected_version: int) -> int:
        """Write the record if the stored version is still ``expected_version``;
        return the new version or raise :class:`ConflictError`."""
        spec = entity(entity_name)
        table = entity_tables[entity_name]
        values = values_of(record)
        scalars = {f.name: values[f.name] for f in spec.scalar_fields if f.name != "key"}
        result = self.connection.execute(
            update(table)
            .where(table.c.key == record.key, table.c.version == expected_version)
            .values(**scalars, version=table.c.version + 1)
        )
        if result.rowcount != 1:
            self._raise_stale(spec, record.key, expected_version)
        self._clear_lists(spec, record.key)
        self._write_lists(spec, record.key, values)
        return expected_version + 1

    def delete(self, entity_name: str, key: str, *, expected_version: int) -> None:
        spec = entity(entity_name)
        table = entity_tables[entity_name]
        self._clear_lists(spec, key)
        result = self.connection.execute(
            delete(table).where(table.c.key == key, table.c.version == expected_version)
        )
        if result.rowcount != 1:
            self._raise_stale(spec, key, expected_version)

    def _raise_stale(self, spec: EntitySpec, key: str, expected: int) -> None:
        current = self.version(spec.name, key)
        if current is None:
            raise NotFoundError(spec.singular, key)
        raise ConflictError(spec.singular, key, expected, current)

    def _clear_lists(self, spec: EntitySpec, key: str) -> None:
        for field in spec.list_fields:
            link: Table = link_tables[(spec.name, field.name)]
            self.connection.execute(delete(link).where(link.c.owner == key))

    def _write_lists(self, spec: EntitySpec, key: str, values: Mapping[str, Value]) -> None:
        for field in spec.list_fields:
            targets = values[field.name]
            assert isinstance(targets, tuple)
            if targets:
                self.connection.execute(
                    insert(link_tables[(spec.name, field.name)]),
                    [
                        {"owner": key, "target": target, "position": i}
                        for i, target in enumerate(targets)
                    ],
                )


def _matching(
    spec: EntitySpec, query: Select[Any], where: Mapping[str, Value] | None
) -> Select[Any]:
    """``query`` narrowed to records whose fields equal the given values (a list field
    matches when it contains the value)."""
    table = entity_tables[spec.name]
    for name, value in (where or {}).items():
        if spec.field(name).kind is FieldKind.REFS:
            link = link_tables[(spec.name, name)]
            owners = select(link.c.owner).where(link.c.target == value)
            query = query.where(table.c.key.in_(owners))
        else:
            query = query.where(table.c[name] == value)
    return query
