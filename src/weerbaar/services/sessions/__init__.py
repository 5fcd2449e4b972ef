"""Expert sessions: planning, independent scoring, disagreement, conclusion.

The rules are in :mod:`weerbaar.domain.sessions`; here they meet the database, the
need-to-know of every reader and the audit trail. Each write is one transaction with
its audit entry.
"""

from __future__ import annotations

from weerbaar.services.sessions.conclusion import (
    Outcome,
    conclude,
    expert_distributions,
    pooled_ranges,
)
from weerbaar.services.sessions.minutes import Minutes, minutes
from weerbaar.services.sessions.planning import (
    add_participant,
    advance,
    create_session,
    set_weight,
)
from weerbaar.services.sessions.reading import (
    CriterionView,
    ExpertScoreView,
    Participant,
    SessionView,
    disagreement,
    get_session,
    list_sessions,
    scores_of,
)
from weerbaar.services.sessions.scoring import score, submit

__all__ = [
    "CriterionView",
    "ExpertScoreView",
    "Minutes",
    "Outcome",
    "Participant",
    "SessionView",
    "add_participant",
    "advance",
    "conclude",
    "create_session",
    "disagreement",
    "expert_distributions",
    "get_session",
    "list_sessions",
    "minutes",
    "pooled_ranges",
    "score",
    "scores_of",
    "set_weight",
    "submit",
]
