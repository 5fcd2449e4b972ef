"""A notice in its reader's words: the e-mail's subject and text in the language of
the channel it goes to, with the scale, its levels and the measures named as that
reader knows them (an English reader sees the official Dutch name of a level beside
the English) and the time in their language's form.

Only the human text is worded here; the webhook body is the notice's own payload,
the same bytes in every language (:func:`.outbox.canonical_body`).
"""

from __future__ import annotations

from dataclasses import dataclass

from weerbaar import i18n
from weerbaar.domain.alerting import Notice, NoticeMeasure

_ = i18n.gettext


@dataclass(frozen=True, slots=True)
class Worded:
    subject: str  # one header line
    text: str  # the e-mail's plain text


def worded(notice: Notice, language: str) -> Worded:
    """``notice`` as a reader of ``language`` ("nl" or "en") reads it."""
    with i18n.speaking(language):
        # A subject is one header line, whatever a scope's name holds.
        return Worded(" ".join(_subject(notice).split()), _text(notice))


def _level(notice: Notice, rank: int) -> str:
    return f"{rank} {i18n.with_dutch(notice.scale.level(rank))}"


def _where(notice: Notice) -> str:
    scope = notice.scope
    named = [part for part in (scope.sector, scope.region, scope.site) if part]
    return " / ".join(named) if named else _("national")


def _subject(notice: Notice) -> str:
    values = {"scale": i18n.localised(notice.scale), "where": _where(notice)}
    if notice.after is None:
        return _("[weerbaar] %(scale)s changed (%(where)s): sign in to read the level", **values)
    level = _level(notice, notice.after)
    if notice.raised:
        return _("[weerbaar] %(scale)s raised to %(level)s (%(where)s)", level=level, **values)
    if notice.lowered:
        return _("[weerbaar] %(scale)s lowered to %(level)s (%(where)s)", level=level, **values)
    return _("[weerbaar] %(scale)s set to %(level)s (%(where)s)", level=level, **values)


def _measures(heading: str, measures: tuple[NoticeMeasure, ...]) -> list[str]:
    if not measures:
        return []
    return ["", heading] + [f"- {i18n.localised(m, 'title')} ({m.key})" for m in measures]


def _text(notice: Notice) -> str:
    if notice.after is None:
        levels = _("the level is classified, sign in to weerbaar to read it")
    else:
        before = _("no level") if notice.before is None else _level(notice, notice.before)
        levels = f"{before} → {_level(notice, notice.after)}"
    lines = [
        f"{i18n.localised(notice.scale)}, {_where(notice)}: {levels}",
        _(
            "In force from %(when)s (change %(change)s).",
            when=i18n.format_datetime(notice.at, "long"),
            change=notice.change,
        ),
        "",
        _("Rationale: %(rationale)s", rationale=notice.rationale)
        if notice.rationale
        else _("The rationale is classified: read it in weerbaar."),
    ]
    lines += _measures(_("Your measures that now apply:"), notice.activated)
    lines += _measures(_("Your measures that no longer apply:"), notice.deactivated)
    return "\n".join(lines) + "\n"
