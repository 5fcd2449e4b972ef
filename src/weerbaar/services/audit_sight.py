"""Which audit entries one reader may see, and what a shown entry tells them.

An entry is a record's state at one moment, so it is judged as that record would be:
its own marking (before and after the change) must be readable, and so must every
record it required then — a score its scenario, a scenario its theme, transitively,
as :mod:`weerbaar.services.visibility` decides for live records. A record that still
exists is judged as it is now; one that was deleted by its last state in the trail
(its delete entry's ``before``), so a deleted score of a hidden scenario, or a deleted
scenario under a secret theme, stays as hidden as it was while it lived.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from typing import Any

from sqlalchemy import Connection

from weerbaar.domain.access import Marking, Subject, can_read
from weerbaar.domain.audit import AuditEntry, canonical_json
from weerbaar.domain.fields import FieldKind, FieldSpec
from weerbaar.domain.register import BY_NAME
from weerbaar.reference.access import classification_levels
from weerbaar.services.visibility import Visibility
from weerbaar.storage import audit_log
from weerbaar.storage.repository import Repository

# Account changes, notification channels and retries, the register of report copies
# (who received which classified edition) and forgotten schedulers are for
# administrators' eyes only.
ACCOUNT_ENTITIES = frozenset(
    {
        "users",
        "api_tokens",
        "web_sessions",
        "sign_ins",
        "external_identities",
        "second_factors",
        "recovery_codes",
        "notification_channels",
        "notifications",
        "report_copies",
        "scheduler_beats",
    }
)


@cache
def _required(entity_name: str) -> tuple[FieldSpec, ...]:
    """The references a record cannot exist without: those that hide it with them."""
    return tuple(
        f
        for f in BY_NAME[entity_name].scalar_fields
        if f.kind is FieldKind.REF and f.required and f.target
    )


def recorded_state(text: str | None) -> dict[str, Any] | None:
    """A record's state as the trail holds it (canonical JSON), as plain data."""
    return None if text is None else dict(json.loads(text))


class TrailSight:
    """One reader's judgement of the trail, for one read in one transaction.

    What it learns about deleted records is kept, so each is looked up in the trail at
    most once however many entries name it.
    """

    def __init__(self, connection: Connection, subject: Subject, seen: Visibility) -> None:
        self._connection = connection
        self._subject = subject
        self._seen = seen
        self._levels = classification_levels()
        self._repository = Repository(connection)
        self._judged: dict[tuple[str, str], bool] = {}

    def shows(self, entry: AuditEntry) -> bool:
        if entry.entity in ACCOUNT_ENTITIES:
            return self._subject.role.manages_accounts
        if entry.entity not in BY_NAME:
            return False
        for text in (entry.before, entry.after):
            state = recorded_state(text)
            if state is not None and not self._state_readable(entry.entity, state):
                return False
        return self.sees(entry.entity, entry.key)

    def sees(self, entity_name: str, key: str) -> bool:
        """Whether the record is visible now; or, once deleted, was in its last state.

        A record that is neither live nor deleted in the trail is hidden: a key nobody
        may see and one that never existed must read alike.
        """
        if self._seen.sees(entity_name, key):
            return True
        found = self._judged.get((entity_name, key))
        if found is not None:
            return found
        # Not yet judged: refuse meanwhile, so a malformed trail cannot recurse forever.
        self._judged[(entity_name, key)] = False
        verdict = entity_name in BY_NAME and self._last_state_visible(entity_name, key)
        self._judged[(entity_name, key)] = verdict
        return verdict

    def redacted(self, entry: AuditEntry) -> AuditEntry:
        """The entry with every reference to a record the reader may not see emptied."""
        if entry.entity not in BY_NAME:
            return entry
        return dataclasses.replace(
            entry,
            before=self._redacted_state(entry.entity, entry.before),
            after=self._redacted_state(entry.entity, entry.after),
        )

    def _last_state_visible(self, entity_name: str, key: str) -> bool:
        if self._repository.version(entity_name, key) is not None:
            return False  # it exists, and visibility says it is hidden
        last = audit_log.entries(self._connection, entity=entity_name, key=key, limit=1)
        if not last or last[0].action != "delete":
            return False
        state = recorded_state(last[0].before)
        return state is not None and self._state_readable(entity_name, state)

    def _state_readable(self, entity_name: str, state: dict[str, Any]) -> bool:
        if not can_read(self._subject, Marking.from_plain(state), self._levels):
            return False
        for field in _required(entity_name):
            value = state.get(field.name)
            assert field.target is not None
            if value is not None and not self.sees(field.target, str(value)):
                return False
        return True

    def _redacted_state(self, entity_name: str, text: str | None) -> str | None:
        state = recorded_state(text)
        if state is None:
            return None
        for field in BY_NAME[entity_name].fields:
            if not field.is_reference or field.target is None or field.name not in state:
                continue
            value = state[field.name]
            if field.kind is FieldKind.REFS and isinstance(value, list):
                state[field.name] = [k for k in value if self.sees(field.target, str(k))]
            elif value is not None and not self.sees(field.target, str(value)):
                state[field.name] = None
        return canonical_json(state)
