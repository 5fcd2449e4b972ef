"""The invitation an expert receives by e-mail, in their language. It names the
session, its date and its chair, and nothing of the scenarios: what is to be scored
is read in weerbaar, after signing in, within the expert's clearance."""

from __future__ import annotations

from weerbaar import i18n
from weerbaar.services.accounts import User
from weerbaar.services.sessions.reading import SessionView

_ = i18n.gettext


def invitation_text(
    view: SessionView, *, expert: User, chair: User, language: str
) -> tuple[str, str]:
    """The e-mail's subject and text."""
    with i18n.speaking(language):
        when = i18n.format_date(view.held_on, "long")
        subject = _(
            "[weerbaar] Invitation: expert session %(session)s on %(when)s",
            session=view.key,
            when=when,
        )
        text = "\n".join(
            [
                _("Dear %(name)s,", name=expert.display_name),
                "",
                _(
                    "%(chair)s invites you to expert session %(session)s on %(when)s, to "
                    "score %(count)s scenario(s) of round %(round)s.",
                    chair=chair.display_name,
                    session=view.key,
                    when=when,
                    count=len(view.scenarios),
                    round=view.round,
                ),
                _(
                    "Score each criterion and the likelihood on your own: nobody sees "
                    "another expert's scores before submitting their own."
                ),
                "",
                _("Sign in to weerbaar and open /sessions/%(session)s to score.", session=view.key),
            ]
        )
    return " ".join(subject.split()), text + "\n"
