"""Progress reporting per ministry and per theme, as far as the reader may see:
milestones against their dates, concretisation records, and the changes since the
last report (status changes read from the audit trail)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.audit import AuditEntry
from weerbaar.domain.entities.strategy import Organisation, Theme
from weerbaar.domain.portfolio import org_label
from weerbaar.domain.progress import DEFAULT_HORIZON_DAYS, ProgressReport, progress_report
from weerbaar.services.audit import recent_entries
from weerbaar.services.portfolio import require_theme, resolve_ministry
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

DEFAULT_SINCE_DAYS = 90
_TRACKED = ("measures", "concretisations")  # the records whose status changes are reported


@dataclass(frozen=True, slots=True)
class ProgressView:
    report: ProgressReport
    themes: Mapping[str, Theme]
    organisations: Mapping[str, Organisation]
    theme: str | None  # the filters applied
    ministry: str | None

    def label(self, organisation: str | None) -> str:
        return org_label(organisation, self.organisations) if organisation else ""

    def theme_name(self, key: str) -> str:
        found = self.themes.get(key)
        return i18n.localised(found) if found else key


def progress(
    db: Database,
    *,
    ministry: str | None = None,
    theme: str | None = None,
    today: dt.date | None = None,
    since: dt.date | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    subject: Subject | None = None,
) -> ProgressView:
    """Progress as of ``today`` (default: today), with the changes since ``since``
    (default: ``DEFAULT_SINCE_DAYS`` before ``today``)."""
    today = today or dt.date.today()
    since = since or today - dt.timedelta(days=DEFAULT_SINCE_DAYS)
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, subject)
        themes = {t.key: t for t in seen.filter("themes", repo.fetch("themes"))}
        organisations = {
            o.key: o for o in seen.filter("organisations", repo.fetch("organisations"))
        }
        scenario_themes = {
            s.key: s.theme for s in seen.filter("scenarios", repo.fetch("scenarios"))
        }
        measures = {m.key: m for m in seen.filter("measures", repo.fetch("measures"))}
        concretisations = {
            c.key: c for c in seen.filter("concretisations", repo.fetch("concretisations"))
        }
        milestones = seen.filter("milestones", repo.fetch("milestones"))
    if theme is not None:
        require_theme(theme, list(themes.values()))
    ministry_key = resolve_ministry(ministry, organisations) if ministry is not None else None
    entries = [e for name in _TRACKED for e in entries_since(db, name, since, subject=subject)]
    return ProgressView(
        report=progress_report(
            milestones=milestones,
            measures=measures,
            concretisations=concretisations,
            organisations=organisations,
            scenario_themes=scenario_themes,
            entries=entries,
            today=today,
            since=since,
            horizon_days=horizon_days,
            ministry=ministry_key,
            theme=theme,
        ),
        themes=themes,
        organisations=organisations,
        theme=theme,
        ministry=ministry_key,
    )


def entries_since(
    db: Database, entity: str, since: dt.date, *, subject: Subject | None = None
) -> list[AuditEntry]:
    """The audit entries of ``entity`` made on or after ``since`` that ``subject`` may
    see, redacted as :func:`recent_entries` does (it alone decides what an entry shows)."""
    limit = 500
    day = since.isoformat()
    while True:
        found = recent_entries(db, entity=entity, limit=limit, subject=subject)
        # Newest first: once the oldest read is before ``since``, all later ones are in.
        if len(found) < limit or found[-1].at[:10] < day:
            return [e for e in found if e.at[:10] >= day]
        limit *= 4
