"""``weerbaar notify`` against a real SMTP server and a real webhook receiver."""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.helpers import level_change, seed_small_register, trail_config
from tests.notify_receivers import (
    Hook,
    Mailbox,
    free_port,
    smtp_server,
    webhook_server,
)
from weerbaar.cli import notify
from weerbaar.cli.main import app
from weerbaar.services.context import Context
from weerbaar.services.notifications.views import list_notifications
from weerbaar.storage.db import Database
from weerbaar.storage.tables import notification_channels


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url, trail=trail_config())
    database.upgrade()
    context = Context(database, "test")
    seed_small_register(context)
    yield database
    database.dispose()


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    box = Mailbox()
    with smtp_server(box) as port:
        monkeypatch.setenv("WEERBAAR_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("WEERBAAR_SMTP_PORT", str(port))
        yield box


def invoke(runner: CliRunner, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["notify", *args])
    assert result.exit_code == code, result.output
    return result.output


def test_channels_are_added_listed_and_removed(runner: CliRunner, db: Database) -> None:
    invoke(runner, "channel-add", "nctv", code=3)
    both = invoke(
        runner, "channel-add", "nctv", "--email", "a@b.nl", "--webhook", "https://x.nl", code=3
    )
    assert "either --email ADDRESS or --webhook URL" in both
    bad = invoke(runner, "channel-add", "nowhere", "--email", "a b@c.nl", code=3)
    assert "no organisation 'nowhere'" in bad and "spaces" in bad

    added = invoke(runner, "channel-add", "nctv", "--email", "crisis@nctv.example")
    assert "channel 1: email crisis@nctv.example for nctv, language en" in added
    hooked = invoke(runner, "channel-add", "min-jenv", "--webhook", "https://hooks.example/in")
    with db.transaction() as connection:
        secret = connection.execute(
            select(notification_channels.c.secret).where(notification_channels.c.id == 2)
        ).scalar_one()
    assert "shown only now" in hooked and secret in hooked.splitlines()
    invoke(runner, "channel-add", "nctv", "--email", "crisis@nctv.example", code=8)

    listed = invoke(runner, "channels")
    assert "crisis@nctv.example" in listed and "https://hooks.example/in" in listed
    assert secret not in listed
    assert "removed" in invoke(runner, "channel-remove", "2")
    assert "removed" in invoke(runner, "channels", "--organisation", "min-jenv")
    invoke(runner, "channel-remove", "99", code=5)


def test_a_channel_is_given_a_language_and_its_e_mails_come_in_it(
    runner: CliRunner, db: Database, mailbox: Mailbox
) -> None:
    dutch = invoke(
        runner, "channel-add", "nctv", "--email", "crisis@nctv.example", "--language", "NL"
    )
    assert "channel 1: email crisis@nctv.example for nctv, language nl" in dutch
    invoke(runner, "channel-add", "nctv", "--email", "duty@nctv.example")  # the installation's
    assert "'de'" in invoke(
        runner, "channel-add", "nctv", "--email", "x@nctv.example", "--language", "de", code=2
    )
    listed = invoke(runner, "channels")
    assert re.search(r"crisis@nctv\.example\W+nl\W+yes", listed), listed
    assert re.search(r"duty@nctv\.example\W+en\W+yes", listed), listed
    level_change(db)
    invoke(runner, "deliver")
    subjects = {m["To"]: m["Subject"] for m in mailbox.messages}
    assert subjects == {
        "crisis@nctv.example": "[weerbaar] Dreigingsniveau Terrorisme verhoogd naar "
        "4 Substantieel (landelijk)",
        "duty@nctv.example": "[weerbaar] National terrorism threat level raised to "
        "4 Substantial (Substantieel) (national)",
    }
    assert "channel 2 (email duty@nctv.example): language nl" in invoke(
        runner, "channel-language", "2", "nl"
    )
    level_change(db, change="tp-2026-008")
    invoke(runner, "deliver")
    assert "verhoogd naar" in mailbox.messages[-1]["Subject"]
    assert len(mailbox.messages) == 4
    invoke(runner, "channel-language", "2", "fr", code=2)
    invoke(runner, "channel-language", "99", "en", code=5)


def test_deliver_list_and_retry(
    runner: CliRunner, db: Database, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEERBAAR_NOTIFY_ATTEMPTS", "1")  # the first failure is the last
    down = f"http://127.0.0.1:{free_port()}/hook"
    invoke(runner, "channel-add", "nctv", "--email", "crisis@nctv.example")
    invoke(runner, "channel-add", "nctv", "--webhook", down)
    level_change(db)
    assert "sent 1, failed 0 (tried again later), dead 1" in invoke(runner, "deliver")
    assert len(mailbox.messages) == 1
    [dead] = list_notifications(db, subject=None, status="dead")

    shown = invoke(runner, "list", "--status", "dead")
    assert down in shown and "tp-2026-007" in shown and "crisis@" not in shown
    assert "crisis@nctv.example" in invoke(runner, "list", "--change", "tp-2026-007")
    invoke(runner, "list", "--status", "lost", code=2)

    assert "pending again" in invoke(runner, "retry", str(dead.id))
    sent = list_notifications(db, subject=None, status="sent")[0]
    assert "nothing to retry" in invoke(runner, "retry", str(sent.id), code=3)

    hook = Hook()
    with db.transaction() as connection:
        hook.secret = connection.execute(
            select(notification_channels.c.secret).where(notification_channels.c.target == down)
        ).scalar_one()
    port = int(down.split(":")[2].split("/")[0])
    with webhook_server(hook, port=port):
        report = invoke(runner, "deliver")
    assert "sent 1, failed 0" in report and "dead 0" in report
    assert [r.valid for r in hook.received] == [True]


def test_delivery_settings_are_checked_before_anything_is_sent(
    runner: CliRunner, db: Database
) -> None:
    result = runner.invoke(app, ["notify", "deliver"], env={"WEERBAAR_NOTIFY_TIMEOUT": "soon"})
    assert result.exit_code == 6 and "WEERBAAR_NOTIFY_TIMEOUT" in result.output


def test_deliver_loop_runs_until_interrupted(
    runner: CliRunner, db: Database, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke(runner, "channel-add", "nctv", "--email", "crisis@nctv.example")
    level_change(db)
    rounds: list[float] = []

    def sleep(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(notify, "time", SimpleNamespace(sleep=sleep))  # only the loop's
    out = invoke(runner, "deliver", "--loop", "--interval", "5")
    assert rounds == [5.0, 5.0] and len(mailbox.messages) == 1
    assert out.count("sent 1") == 1 and out.rstrip().endswith("stopped")
