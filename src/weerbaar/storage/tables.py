"""The database schema, derived from the register's entity descriptions.

One table per entity (string ``key`` as primary key, a ``version`` for optimistic
concurrency), one link table per list-of-references field, and the audit trail.
Alembic migrations in ``migrations/`` record how the schema got here; a test keeps
them and this metadata in step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from weerbaar.domain.fields import FieldKind, FieldSpec
from weerbaar.domain.register import ENTITIES, EntitySpec

KEY_LENGTH = 64
# Keys derived from several fields (round/scenario/criterion) are longer.
DERIVED_KEY_LENGTH = 200

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment stored and read back in UTC: SQLite keeps no zone, so what it returns
    would otherwise be naive and not comparable with PostgreSQL's."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"a stored moment needs a time zone, got {value!r}")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _column_type(spec: FieldSpec) -> TypeEngine[object]:
    match spec.kind:
        case FieldKind.KEY | FieldKind.REF:
            return String(KEY_LENGTH)  # type: ignore[return-value]
        case FieldKind.INT:
            return Integer()  # type: ignore[return-value]
        case FieldKind.NUMBER:
            return Double()
        case FieldKind.DATE:
            return Date()  # type: ignore[return-value]
        case FieldKind.TIME:
            return UtcDateTime()  # type: ignore[return-value]
        case FieldKind.ENUM:
            return String(32)  # type: ignore[return-value]
        case _:
            return Text()  # type: ignore[return-value]


def _entity_table(spec: EntitySpec) -> Table:
    columns: list[Column[object]] = []
    for field in spec.scalar_fields:
        args: list[object] = []
        column_type = _column_type(field)
        if field.kind is FieldKind.KEY and spec.identity:
            column_type = String(DERIVED_KEY_LENGTH)  # type: ignore[assignment]
        if field.kind is FieldKind.REF:
            args.append(ForeignKey(f"{field.target}.key", ondelete="RESTRICT"))
        columns.append(
            Column(
                field.name,
                column_type,
                *args,  # type: ignore[arg-type]
                primary_key=field.kind is FieldKind.KEY,
                nullable=not field.required,
                index=field.kind is FieldKind.REF,
            )
        )
    return Table(
        spec.name,
        metadata,
        *columns,
        Column("version", Integer, nullable=False),
        CheckConstraint("version >= 1", name="version_positive"),
    )


def _link_table(spec: EntitySpec, field: FieldSpec) -> Table:
    return Table(
        link_table_name(spec, field),
        metadata,
        Column(
            "owner",
            String(KEY_LENGTH),
            ForeignKey(f"{spec.name}.key", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column(
            "target",
            String(KEY_LENGTH),
            ForeignKey(f"{field.target}.key", ondelete="RESTRICT"),
            primary_key=True,
            index=True,
        ),
        Column("position", Integer, nullable=False),
    )


def link_table_name(spec: EntitySpec, field: FieldSpec) -> str:
    return f"{spec.name}__{field.name}"


entity_tables: dict[str, Table] = {spec.name: _entity_table(spec) for spec in ENTITIES}
link_tables: dict[tuple[str, str], Table] = {
    (spec.name, field.name): _link_table(spec, field)
    for spec in ENTITIES
    for field in spec.list_fields
}

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(16), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("key", String(DERIVED_KEY_LENGTH), nullable=False),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("note", Text, nullable=True),
    # The request that made the entry: the id its log lines carry (None before 0020,
    # and for work no request started).
    Column("request_id", String(64), nullable=True),
    # One record's history, and the last state of a deleted one, without a full scan.
    Index("ix_audit_entries_entity_key", "entity", "key"),
)

# One row: the newest entry's number and hash. Locking it serialises writers, and it
# lets verification notice entries cut off the end of the trail.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    # The trail's random name (part of its keyed genesis) and which key seals it.
    Column("trail", String(36), nullable=True),
    Column("key_id", String(16), nullable=True),
    CheckConstraint("id = 1", name="single_row"),
)


# -- accounts: not part of the register (never exported), but audited --------------

users = Table(
    "users",
    metadata,
    Column("username", String(KEY_LENGTH), primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("role", String(32), nullable=False),
    Column(
        "organisation",
        String(KEY_LENGTH),
        ForeignKey("organisations.key", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("clearance", String(32), nullable=False),
    Column("disabled", Boolean, nullable=False),
    # "nl" or "en", as the account chose; none: its browser's, else the installation's.
    Column("language", String(8), nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("version >= 1", name="version_positive"),
)

# Machine clients: the secret is shown once; only its SHA-256 is kept (it is random
# and long, so a slow hash adds nothing).
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "username",
        String(KEY_LENGTH),
        ForeignKey("users.username", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("name", Text, nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("scope", String(8), nullable=False),  # "read", or "write" (reads too)
    Column("expires_at", String(32), nullable=False),
    Column("last_used_at", String(32), nullable=True),
    Column("last_used_address", String(64), nullable=True),
)

# Browser sessions, by the SHA-256 of the cookie value, so a copy of the database
# holds no usable session. ``id`` names a session on the page that lists them, where
# the cookie's hash must not show.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column(
        "username",
        String(KEY_LENGTH),
        ForeignKey("users.username", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),  # the absolute end
    Column("id", String(16), nullable=False, unique=True),
    Column("last_seen_at", String(32), nullable=False),
    Column("address", String(64), nullable=False),
    Column("device", String(200), nullable=False),
    # "full"; or, with the password given, "second-factor" (its code still to come) or
    # "enrol" (a second factor still to set up): such a session reaches only that.
    Column("stage", String(16), nullable=False),
    # The WebAuthn challenge this session was last given (one at a time, used once).
    Column("challenge", String(128), nullable=True),
    # When its owner last proved who they are (password, second factor or provider):
    # sensitive acts ask again when this is older than a few minutes.
    Column("verified_at", String(32), nullable=True),
)

# Second factors: an authenticator app's TOTP secret, encrypted under a key derived
# from the audit trail's key (kept outside the database), so that a copy of the
# database yields no codes. ``last_step`` is the newest 30-second step whose code was
# accepted: a code is taken once. Unconfirmed until the first code is given.
second_factors = Table(
    "second_factors",
    metadata,
    Column("id", String(16), primary_key=True),
    Column(
        "username",
        String(KEY_LENGTH),
        ForeignKey("users.username", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(16), nullable=False),
    Column("secret", Text, nullable=False),
    Column("confirmed", Boolean, nullable=False),
    Column("last_step", Integer, nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("last_used_at", String(32), nullable=True),
)

# One-time recovery codes, by SHA-256 (they are random and long).
recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column(
        "username",
        String(KEY_LENGTH),
        ForeignKey("users.username", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", String(32), nullable=False),
    Column("used_at", String(32), nullable=True),
)

# A sign-in at an OpenID provider under way: what the answer must match (state, and
# the nonce in its ID token) and the PKCE verifier. Used once; by SHA-256 of the state.
oidc_requests = Table(
    "oidc_requests",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("provider", String(64), nullable=False),
    Column("nonce", String(128), nullable=False),
    Column("verifier", String(128), nullable=False),
    Column("next", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

# Which account a provider's subject signs in as.
external_identities = Table(
    "external_identities",
    metadata,
    Column("provider", String(64), primary_key=True),
    Column("subject", String(255), primary_key=True),
    Column(
        "username",
        String(KEY_LENGTH),
        ForeignKey("users.username", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", String(32), nullable=False),
    Column("last_used_at", String(32), nullable=True),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(KEY_LENGTH), nullable=False, index=True),
    Column("address", String(64), nullable=False, index=True),
    Column("at", String(32), nullable=False),
)


# -- notifications of level changes: an outbox, written in the level change's own
# transaction so that no notice is lost when the process dies after the commit ------

notification_channels = Table(
    "notification_channels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "organisation",
        String(KEY_LENGTH),
        ForeignKey("organisations.key", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(16), nullable=False),
    Column("target", Text, nullable=False),  # an e-mail address or an http(s) URL
    # The webhook's HMAC key: kept in the clear because signing needs it; shown once.
    Column("secret", Text, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # The language its e-mails are written in ("nl" or "en"); a webhook's body is the
    # same in every language.
    Column("language", String(8), nullable=False),
    CheckConstraint("kind IN ('email', 'webhook')", name="kind_known"),
    CheckConstraint("language IN ('nl', 'en')", name="language_known"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "channel_id",
        Integer,
        ForeignKey("notification_channels.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    # Copied from the notice and the channel, so the log reads the same after a
    # channel is removed; ``change`` is the threat picture's key, kept without a
    # reference so the log never stands in the way of the register.
    Column("organisation", String(KEY_LENGTH), nullable=False, index=True),
    Column("change", String(KEY_LENGTH), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("target", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),  # the canonical JSON that webhooks sign
    Column("text", Text, nullable=False),
    Column("language", String(8), nullable=False),  # of the subject and text
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status_known"),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    # What a deliverer asks for: the pending rows that are due.
    Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
)

# Expert sessions: a round's scenarios scored independently by experts, discussed and
# concluded by the chair. The experts' scores live here, not in the register, because
# the blind rule decides who reads them (weerbaar.domain.sessions).
expert_sessions = Table(
    "expert_sessions",
    metadata,
    Column("key", String(KEY_LENGTH), primary_key=True),
    Column(
        "round",
        String(KEY_LENGTH),
        ForeignKey("rounds.key", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("title", Text, nullable=False),
    Column("title_en", Text, nullable=True),
    Column("held_on", Date, nullable=False),
    Column(
        "chair",
        String(KEY_LENGTH),
        ForeignKey("users.username", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    Column("status", String(16), nullable=False),
    # The scoring round (Delphi) the session is in; 1 until the chair opens another.
    Column("scoring_round", Integer, nullable=False),
    Column("rationale", Text, nullable=True),  # the chair's reasoning at the conclusion
    Column("created_by", String(128), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("concluded_by", String(128), nullable=True),
    Column("concluded_at", UtcDateTime(), nullable=True),
    Column("version", Integer, nullable=False),
    CheckConstraint(
        "status IN ('planned', 'scoring', 'discussion', 'concluded')", name="status_known"
    ),
    CheckConstraint("scoring_round >= 1", name="scoring_round_positive"),
    CheckConstraint("version >= 1", name="version_positive"),
)

session_scenarios = Table(
    "session_scenarios",
    metadata,
    Column(
        "session",
        String(KEY_LENGTH),
        ForeignKey("expert_sessions.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "scenario",
        String(KEY_LENGTH),
        ForeignKey("scenarios.key", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)

session_participants = Table(
    "session_participants",
    metadata,
    Column(
        "session",
        String(KEY_LENGTH),
        ForeignKey("expert_sessions.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "username",
        String(KEY_LENGTH),
        ForeignKey("users.username", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
    # The expert's weight in the pooled distribution (linear opinion pool).
    Column("weight", Double, nullable=False),
    Column("email", Text, nullable=True),  # where the invitation goes
    Column("invited_at", UtcDateTime(), nullable=True),
    CheckConstraint("weight > 0", name="weight_positive"),
)

expert_scores = Table(
    "expert_scores",
    metadata,
    Column(
        "session",
        String(KEY_LENGTH),
        ForeignKey("expert_sessions.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "scenario",
        String(KEY_LENGTH),
        ForeignKey("scenarios.key", ondelete="RESTRICT"),
        primary_key=True,
    ),
    Column("criterion", String(32), primary_key=True),  # a catalogue code, or "likelihood"
    Column(
        "username",
        String(KEY_LENGTH),
        ForeignKey("users.username", ondelete="RESTRICT"),
        primary_key=True,
    ),
    Column("scoring_round", Integer, primary_key=True),
    Column("expected", String(8), nullable=True),
    Column("lowest", String(8), nullable=True),
    Column("highest", String(8), nullable=True),
    Column("quantity", Double, nullable=True),
    Column("quantity_low", Double, nullable=True),
    Column("quantity_high", Double, nullable=True),
    Column("duration", Double, nullable=True),
    Column("duration_low", Double, nullable=True),
    Column("duration_high", Double, nullable=True),
    Column("probability", Double, nullable=True),
    Column("probability_low", Double, nullable=True),
    Column("probability_high", Double, nullable=True),
    Column("confidence", String(8), nullable=True),
    Column("rationale", Text, nullable=True),
    Column("scored_at", UtcDateTime(), nullable=False),
    CheckConstraint("confidence IN ('low', 'medium', 'high')", name="confidence_known"),
)

session_submissions = Table(
    "session_submissions",
    metadata,
    Column(
        "session",
        String(KEY_LENGTH),
        ForeignKey("expert_sessions.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "username",
        String(KEY_LENGTH),
        ForeignKey("users.username", ondelete="RESTRICT"),
        primary_key=True,
    ),
    Column("scoring_round", Integer, primary_key=True),
    Column("submitted_at", UtcDateTime(), nullable=False),
)

# The chair's outcome per scenario and criterion, with its provenance: how many
# experts scored and how far apart they were.
session_outcomes = Table(
    "session_outcomes",
    metadata,
    Column(
        "session",
        String(KEY_LENGTH),
        ForeignKey("expert_sessions.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "scenario",
        String(KEY_LENGTH),
        ForeignKey("scenarios.key", ondelete="RESTRICT"),
        primary_key=True,
    ),
    Column("criterion", String(32), primary_key=True),
    Column("expected", String(8), nullable=True),
    Column("lowest", String(8), nullable=True),
    Column("highest", String(8), nullable=True),
    Column("quantity", Double, nullable=True),
    Column("quantity_low", Double, nullable=True),
    Column("quantity_high", Double, nullable=True),
    Column("duration", Double, nullable=True),
    Column("duration_low", Double, nullable=True),
    Column("duration_high", Double, nullable=True),
    Column("probability", Double, nullable=True),
    Column("probability_low", Double, nullable=True),
    Column("probability_high", Double, nullable=True),
    Column("rationale", Text, nullable=False),
    Column("experts", Integer, nullable=False),
    Column("spread", Integer, nullable=True),  # whole classes between the experts
    Column("aggregate", Boolean, nullable=False),  # the proposed aggregate was taken
)

# -- review and sign-off: where each scenario's assessment in a round stands, and the
# rounds approved as a whole (a row locks its round until it is reopened) -------------

ASSESSMENT_STATUSES = ("draft", "in_session", "concluded", "reviewed", "approved")

# A scenario without a row here is a draft in that round.
assessment_states = Table(
    "assessment_states",
    metadata,
    Column(
        "round",
        String(KEY_LENGTH),
        ForeignKey("rounds.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "scenario",
        String(KEY_LENGTH),
        ForeignKey("scenarios.key", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("status", String(16), nullable=False),
    Column("changed_by", String(128), nullable=False),  # the audit trail's actor
    Column("changed_at", UtcDateTime(), nullable=False),
    Column("reason", Text, nullable=True),  # a reopening's
    Column("version", Integer, nullable=False),
    CheckConstraint(
        "status IN ('draft', 'in_session', 'concluded', 'reviewed', 'approved')",
        name="status_known",
    ),
    CheckConstraint("version >= 1", name="version_positive"),
)

round_approvals = Table(
    "round_approvals",
    metadata,
    Column(
        "round",
        String(KEY_LENGTH),
        ForeignKey("rounds.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("approved_by", String(128), nullable=False),
    Column("approved_at", UtcDateTime(), nullable=False),
)


# -- the copies of the national risk profile made, numbered: a classified copy carries
# its number and recipient on every page, and the trail names its file's hash ----------

report_copies = Table(
    "report_copies",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),
    # No foreign key: the record of a copy outlives the round it was made of.
    Column("round", String(KEY_LENGTH), nullable=False, index=True),
    Column("level", String(32), nullable=False),  # the edition's level
    Column("marking", String(32), nullable=False),  # the highest level it contains
    Column("language", String(8), nullable=False),
    Column("format", String(8), nullable=False),
    Column("recipient", String(200), nullable=False),
    Column("made_by", String(128), nullable=False),  # the audit trail's actor
    Column("made_at", UtcDateTime(), nullable=False),
    Column("sha256", String(64), nullable=True),  # empty until the file is written
)


# -- each source's polling state: where the next poll starts and how the last went. Kept
# apart from the source's record, which people edit: a poll changes no record version --

source_states = Table(
    "source_states",
    metadata,
    Column(
        "source",
        String(KEY_LENGTH),
        ForeignKey("sources.key", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The protocol's own position: TAXII's last added date, a feed's ETag and
    # Last-Modified, a MISP feed's event timestamps (JSON).
    Column("cursor", Text, nullable=True),
    Column("last_poll", UtcDateTime(), nullable=True),
    Column("last_success", UtcDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("failures", Integer, nullable=False, default=0),  # in a row, for the back-off
    Column("next_poll", UtcDateTime(), nullable=True),
    Column("items_taken", Integer, nullable=False, default=0),  # signals created, in all
)


# -- when each background scheduler last completed a round, so that readiness can tell
# whether notification delivery and source polling still run somewhere ---------------

scheduler_beats = Table(
    "scheduler_beats",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),  # host and process id
    Column("interval_seconds", Double, nullable=False),
    Column("beat_at", UtcDateTime(), nullable=False),
)
