"""Notifications sent after a response, by the API and the pages alike: what a level
change or a retry queued goes out once the answer is on its way."""

from __future__ import annotations

import logging

from weerbaar.config import DeliverySettings
from weerbaar.services.notifications.delivery import deliver_due
from weerbaar.storage.db import Database

log = logging.getLogger(__name__)


def deliver_soon(db: Database) -> None:
    """Send what is due, after the response: a failure is logged and the notification
    stays queued, tried again by the next round of delivery."""
    try:
        report = deliver_due(db, settings=DeliverySettings.from_env())
    except Exception:  # the change is committed; only the sending failed
        log.exception("delivering notifications failed; they stay queued")
        return
    if report.failed or report.dead:
        log.warning(
            "notifications: %s sent, %s failed (tried again later), %s dead",
            report.sent,
            report.failed,
            report.dead,
        )
