"""Notifications sent after a response, by the API and the pages alike: what a level
change or a retry queued goes out once the answer is on its way."""

from __future__ import annotations

import logging

from fastapi import Request

from weerbaar.config import DeliverySettings, Settings
from weerbaar.services.notifications.delivery import deliver_due
from weerbaar.storage.db import Database

log = logging.getLogger(__name__)


def delivery_settings(request: Request) -> DeliverySettings:
    """How the app sends notifications, as read when it started."""
    settings: Settings = request.app.state.settings
    return settings.delivery


def deliver_soon(db: Database, settings: DeliverySettings) -> None:
    """Send what is due, after the response: a failure is logged and the notification
    stays queued, tried again by the next round of delivery."""
    try:
        report = deliver_due(db, settings=settings)
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
