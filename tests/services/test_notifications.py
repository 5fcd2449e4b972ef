"""The notification outbox against real receivers: an SMTP server, an HTTP server
that checks signatures, and a port nobody listens on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import seed_small_register
from tests.notify_receivers import (
    Hook,
    Mailbox,
    free_port,
    self_signed,
    smtp_server,
    tls_context,
    webhook_server,
)
from weerbaar import i18n
from weerbaar.config import DeliverySettings
from weerbaar.domain.access import Subject
from weerbaar.domain.alerting import CLASSIFIED_LEVEL, Notice, NoticeMeasure, Scope
from weerbaar.errors import (
    ConfigError,
    DuplicateError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from weerbaar.reference.access import roles
from weerbaar.reference.alerting import level_scales
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.notifications import channels
from weerbaar.services.notifications.delivery import DeliveryReport, deliver_due
from weerbaar.services.notifications.outbox import Notification, queue_notices
from weerbaar.services.notifications.signing import sign, verify_signature
from weerbaar.services.notifications.views import list_notifications, retry
from weerbaar.services.notifications.wording import Worded, worded
from weerbaar.storage.db import Database
from weerbaar.storage.tables import notification_channels, notifications

T0 = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def outbox(ctx: Context) -> Context:
    seed_small_register(ctx)
    return ctx


def notice(organisation: str = "nctv", change: str = "tp-2026-001") -> Notice:
    return Notice(
        change=change,
        organisation=organisation,
        scale=level_scales()["dtn"],
        scope=Scope("dtn"),
        before=3,
        after=4,
        raised=True,
        at=T0,
        rationale="Concrete indications of an attack being prepared.",
        activated=(
            NoticeMeasure(
                "am-stations", "Extra toezicht op stations", "Extra surveillance at stations"
            ),
        ),
        deactivated=(),
    )


def english() -> Worded:
    return worded(notice(), "en")


def queue(db: Database, notices: Sequence[Notice], now: dt.datetime | None = None) -> int:
    with db.transaction(write=True) as connection:
        return queue_notices(connection, notices, now=now or dt.datetime.now(dt.UTC))


def settings(smtp_port: int = 25, **changes: object) -> DeliverySettings:
    base = DeliverySettings(
        smtp_host="127.0.0.1", smtp_port=smtp_port, attempts=3, backoff=10.0, timeout=5.0
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def only(db: Database) -> Notification:
    [row] = list_notifications(db, subject=None)
    return row


def subject(role: str, organisation: str) -> Subject:
    return Subject(f"someone-{role}", roles()[role], organisation, "stg-g")


# -- queueing ---------------------------------------------------------------------


def test_a_notice_is_queued_once_per_active_channel_of_its_organisation(
    outbox: Context,
) -> None:
    db = outbox.db
    channels.add_channel(outbox, organisation="nctv", kind="email", target="crisis@nctv.example")
    channels.add_channel(outbox, organisation="nctv", kind="webhook", target="https://h.example/x")
    gone, _ = channels.add_channel(
        outbox, organisation="min-jenv", kind="email", target="old@jenv.example"
    )
    channels.remove_channel(outbox, gone.id)
    assert queue(db, [notice("nctv"), notice("min-jenv")], now=T0) == 2
    assert queue(db, []) == 0
    rows = list_notifications(db, subject=None)
    assert {(r.kind, r.target) for r in rows} == {
        ("email", "crisis@nctv.example"),
        ("webhook", "https://h.example/x"),
    }
    row = rows[0]
    expected = json.dumps(notice().payload(), sort_keys=True, separators=(",", ":"))
    assert row.body == expected and row.text == english().text
    assert row.subject == english().subject and row.change == "tp-2026-001"
    assert row.language == "en"  # the installation's, as none was chosen
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, T0)


def test_queued_notices_are_committed_or_lost_with_the_level_change(outbox: Context) -> None:
    channels.add_channel(outbox, organisation="nctv", kind="email", target="crisis@nctv.example")

    def change_that_fails() -> None:
        with outbox.db.transaction(write=True) as connection:
            assert queue_notices(connection, [notice()], now=T0) == 1
            raise RuntimeError("the level change failed after queueing")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert list_notifications(outbox.db, subject=None) == []


def test_a_subject_with_line_breaks_is_queued_as_one_line(outbox: Context) -> None:
    channels.add_channel(outbox, organisation="nctv", kind="email", target="crisis@nctv.example")
    odd = dataclasses.replace(notice(), scope=Scope("dtn", region="west\r\nBcc: x@evil.example"))
    queue(outbox.db, [odd])
    assert "\n" not in only(outbox.db).subject and "\r" not in only(outbox.db).subject


# -- e-mail -------------------------------------------------------------------------


def test_email_goes_out_over_smtp_with_its_headers_once(outbox: Context) -> None:
    db = outbox.db
    channels.add_channel(outbox, organisation="nctv", kind="email", target="crisis@nctv.example")
    queue(db, [notice()])
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        report = deliver_due(db, settings=settings(port, smtp_from="alerts@weerbaar.example"))
        again = deliver_due(db, settings=settings(port))
    assert report == DeliveryReport(sent=1) and again == DeliveryReport()
    [message] = mailbox.messages
    assert message["From"] == "alerts@weerbaar.example"
    assert message["To"] == "crisis@nctv.example"
    assert message["Subject"] == english().subject
    assert message["Content-Language"] == "en"
    assert message["X-Weerbaar-Change"] == "tp-2026-001"
    assert message["Message-ID"].endswith("@weerbaar.example>")
    assert message.get_content().replace("\r\n", "\n") == english().text
    row = only(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
    assert row.sent_at is not None


# aiosmtpd itself sets a deprecated attribute when a login succeeds.
@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning")
def test_starttls_and_login_are_used_when_configured(
    outbox: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = outbox.db
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts our certificate
    channels.add_channel(outbox, organisation="nctv", kind="email", target="crisis@nctv.example")
    queue(db, [notice()])
    mailbox = Mailbox()
    with smtp_server(
        mailbox,
        tls_context=tls_context(cert, key),
        require_starttls=True,
        authenticator=mailbox.authenticate,
        auth_require_tls=True,
    ) as port:
        secure = settings(port, smtp_starttls=True, smtp_user="weerbaar")
        wrong = deliver_due(db, settings=dataclasses.replace(secure, smtp_password="not it"))
        row = only(db)
        assert wrong == DeliveryReport(failed=1)
        assert row.last_error is not None and "535" in row.last_error
        assert "not it" not in row.last_error
        later = row.next_attempt_at
        right = dataclasses.replace(secure, smtp_password=mailbox.password.decode())
        assert deliver_due(db, settings=right, now=later) == DeliveryReport(sent=1)
        plain = deliver_due(db, settings=settings(port))  # nothing left to send
    assert plain == DeliveryReport()
    assert mailbox.logins == [b"weerbaar"] and len(mailbox.messages) == 1


# -- webhooks -----------------------------------------------------------------------


def test_a_webhook_is_posted_signed_and_the_receiver_can_check_it(outbox: Context) -> None:
    db = outbox.db
    hook = Hook()
    with webhook_server(hook) as url:
        channel, secret = channels.add_channel(
            outbox, organisation="nctv", kind="webhook", target=url
        )
        hook.secret = secret
        queue(db, [notice()])
        assert deliver_due(db, settings=settings()) == DeliveryReport(sent=1)
    [got] = hook.received
    row = only(db)
    assert got.valid and got.path == "/hook"
    assert got.body == row.body.encode()
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-weerbaar-event"] == "level-change"
    assert got.headers["x-weerbaar-delivery"] == str(row.id)
    assert row.channel_id == channel.id and row.status == "sent"
    stamp, signed = got.headers["x-weerbaar-timestamp"], got.headers["x-weerbaar-signature"]
    now = dt.datetime.now(dt.UTC)
    assert secret is not None
    assert not verify_signature(secret, stamp, got.body + b" ", signed, now=now)
    assert not verify_signature("another secret", stamp, got.body, signed, now=now)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, "HTTP 500"), (404, "HTTP 404"), (302, "HTTP 302 (redirects are not followed)")],
)
def test_an_answer_other_than_2xx_is_a_failure(outbox: Context, status: int, reason: str) -> None:
    hook = Hook(status=status)
    with webhook_server(hook) as url:
        _, hook.secret = channels.add_channel(
            outbox, organisation="nctv", kind="webhook", target=url
        )
        queue(outbox.db, [notice()])
        assert deliver_due(outbox.db, settings=settings()) == DeliveryReport(failed=1)
    row = only(outbox.db)
    assert row.status == "pending" and row.last_error is not None and reason in row.last_error
    assert [r.path for r in hook.received] == ["/hook"]  # a redirect is not followed


def test_a_receiver_that_is_down_is_retried_then_dead_until_someone_retries_it(
    outbox: Context,
) -> None:
    db = outbox.db
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook?token=s3cret-in-url"
    _, secret = channels.add_channel(outbox, organisation="nctv", kind="webhook", target=url)
    t0 = dt.datetime.now(dt.UTC)
    queue(db, [notice()], now=t0)
    rules = settings(attempts=3, backoff=10.0)

    assert deliver_due(db, settings=rules, now=t0) == DeliveryReport(failed=1)
    first = only(db)
    assert (first.attempts, first.next_attempt_at) == (1, t0 + dt.timedelta(seconds=10))
    assert first.last_error is not None and "s3cret" not in first.last_error
    assert "refused" in first.last_error.lower() or "connect" in first.last_error.lower()
    early = t0 + dt.timedelta(seconds=5)
    assert deliver_due(db, settings=rules, now=early) == DeliveryReport()

    t1 = t0 + dt.timedelta(seconds=10)
    assert deliver_due(db, settings=rules, now=t1) == DeliveryReport(failed=1)
    assert only(db).next_attempt_at == t1 + dt.timedelta(seconds=20)  # the wait doubled

    t2 = t1 + dt.timedelta(seconds=20)
    assert deliver_due(db, settings=rules, now=t2) == DeliveryReport(dead=1)
    later = t2 + dt.timedelta(days=7)
    assert deliver_due(db, settings=rules, now=later) == DeliveryReport()
    [dead] = list_notifications(db, subject=None, status="dead")
    assert dead.attempts == 3 and list_notifications(db, subject=None, status="pending") == []

    again = retry(outbox, dead.id)
    assert (again.status, again.attempts, again.last_error) == ("pending", 0, None)
    entry = recent_entries(db, entity="notifications")[0]
    assert entry.actor == outbox.actor and entry.key == str(dead.id)
    assert entry.before is not None and json.loads(entry.before)["status"] == "dead"
    assert entry.after is not None and json.loads(entry.after)["status"] == "pending"

    hook = Hook(secret=secret)
    with webhook_server(hook, port=port):
        assert deliver_due(db, settings=rules) == DeliveryReport(sent=1)
    assert [r.valid for r in hook.received] == [True]
    assert only(db).status == "sent"
    with pytest.raises(ValidationError, match="was sent at"):
        retry(outbox, dead.id)
    with pytest.raises(NotFoundError):
        retry(outbox, dead.id + 1000)


def test_one_failing_receiver_does_not_hold_up_the_others(outbox: Context) -> None:
    down = f"http://127.0.0.1:{free_port()}/hook"
    channels.add_channel(outbox, organisation="nctv", kind="webhook", target=down)
    channels.add_channel(outbox, organisation="nctv", kind="email", target="crisis@nctv.example")
    queue(outbox.db, [notice()])
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        report = deliver_due(outbox.db, settings=settings(port))
    assert report == DeliveryReport(sent=1, failed=1) and len(mailbox.messages) == 1


def test_two_deliverers_at_once_send_each_notification_exactly_once(outbox: Context) -> None:
    db = outbox.db
    hook = Hook(delay=0.01)  # slow enough that the two runs overlap
    with webhook_server(hook) as url:
        _, hook.secret = channels.add_channel(
            outbox, organisation="nctv", kind="webhook", target=url
        )
        queue(db, [notice(change=f"tp-{i:03d}") for i in range(30)])
        start = threading.Barrier(2)
        reports: list[DeliveryReport] = []

        def run() -> None:
            start.wait()
            reports.append(deliver_due(db, settings=settings()))

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    deliveries = Counter(r.headers["x-weerbaar-delivery"] for r in hook.received)
    assert len(deliveries) == 30 and set(deliveries.values()) == {1}
    assert all(r.valid for r in hook.received)
    assert sum(r.sent for r in reports) == 30
    assert {n.status for n in list_notifications(db, subject=None)} == {"sent"}


def test_a_notification_of_a_removed_channel_is_not_sent(outbox: Context) -> None:
    hook = Hook()
    with webhook_server(hook) as url:
        channel, hook.secret = channels.add_channel(
            outbox, organisation="nctv", kind="webhook", target=url
        )
        queue(outbox.db, [notice()])
        channels.remove_channel(outbox, channel.id)
        assert deliver_due(outbox.db, settings=settings()) == DeliveryReport(dead=1)
    assert hook.received == []
    row = only(outbox.db)
    assert row.last_error is not None and "removed" in row.last_error
    with pytest.raises(ValidationError, match="was removed"):
        retry(outbox, row.id)


# -- languages ----------------------------------------------------------------------

DUTCH_SUBJECT = "[weerbaar] Dreigingsniveau Terrorisme verhoogd naar 4 Substantieel (landelijk)"
DUTCH_TEXT = (
    "Dreigingsniveau Terrorisme, landelijk: 3 Aanzienlijk → 4 Substantieel\n"
    "Van kracht vanaf 1 maart 2026, 08:30:00 UTC (wijziging tp-2026-001).\n"
    "\n"
    "Onderbouwing: Concrete indications of an attack being prepared.\n"
    "\n"
    "Uw maatregelen die nu van kracht zijn:\n"
    "- Extra toezicht op stations (am-stations)\n"
)
ENGLISH_SUBJECT = (
    "[weerbaar] National terrorism threat level raised to 4 Substantial (Substantieel) (national)"
)
ENGLISH_TEXT = (
    "National terrorism threat level, national: "
    "3 Significant (Aanzienlijk) → 4 Substantial (Substantieel)\n"
    "In force from 1 March 2026, 08:30:00 UTC (change tp-2026-001).\n"
    "\n"
    "Rationale: Concrete indications of an attack being prepared.\n"
    "\n"
    "Your measures that now apply:\n"
    "- Extra surveillance at stations (am-stations)\n"
)
# What webhook receivers parse: keys, machine values and the fixed level labels, titles
# as written in the register; the same bytes in every language.
CANONICAL_BODY = (
    '{"activated":[{"key":"am-stations","title":"Extra toezicht op stations"}],'
    '"after":"4 Substantial (Substantieel)","at":"2026-03-01T08:30:00+00:00",'
    '"before":"3 Significant (Aanzienlijk)","change":"tp-2026-001","deactivated":[],'
    '"event":"level-change","organisation":"nctv",'
    '"raised":true,"rationale":"Concrete indications of an attack being prepared.",'
    '"scale":"dtn","scope":"dtn: national"}'
)


def test_each_channel_reads_its_language_and_every_webhook_gets_the_same_bytes(
    outbox: Context,
) -> None:
    db = outbox.db
    mailbox, dutch_hook, english_hook = Mailbox(), Hook(), Hook()
    with (
        smtp_server(mailbox) as port,
        webhook_server(dutch_hook) as dutch_url,
        webhook_server(english_hook) as english_url,
    ):
        add = functools.partial(channels.add_channel, outbox, organisation="nctv")
        add(kind="email", target="crisis@nctv.example", language="nl")
        add(kind="email", target="duty@nctv.example", language="en")
        _, dutch_hook.secret = add(kind="webhook", target=dutch_url, language="nl")
        _, english_hook.secret = add(kind="webhook", target=english_url, language="en")
        assert queue(db, [notice()]) == 4
        assert deliver_due(db, settings=settings(port)) == DeliveryReport(sent=4)

    mails = {m["To"]: m for m in mailbox.messages}
    dutch, english_mail = mails["crisis@nctv.example"], mails["duty@nctv.example"]
    assert dutch["Subject"] == DUTCH_SUBJECT and dutch["Content-Language"] == "nl"
    assert dutch.get_content().replace("\r\n", "\n") == DUTCH_TEXT
    assert english_mail["Subject"] == ENGLISH_SUBJECT
    assert english_mail["Content-Language"] == "en"
    assert english_mail.get_content().replace("\r\n", "\n") == ENGLISH_TEXT

    [from_dutch], [from_english] = dutch_hook.received, english_hook.received
    assert from_dutch.valid and from_english.valid
    assert from_dutch.body == from_english.body == CANONICAL_BODY.encode()
    rows = {r.target: r for r in list_notifications(db, subject=None)}
    assert (rows[dutch_url].language, rows[english_url].language) == ("nl", "en")
    assert rows[dutch_url].subject == DUTCH_SUBJECT  # the log reads as the receiver's would
    assert {r.body for r in rows.values()} == {CANONICAL_BODY}


@pytest.mark.parametrize(
    ("changes", "dutch", "english"),
    [
        (
            {"before": 4, "after": 2, "raised": False},
            ("verlaagd naar 2 Beperkt (landelijk)", "4 Substantieel → 2 Beperkt"),
            ("lowered to 2 Limited (Beperkt) (national)", "4 Substantial (Substantieel) → 2"),
        ),
        (
            {"before": 3, "after": 3, "raised": False},
            ("vastgesteld op 3 Aanzienlijk (landelijk)", "3 Aanzienlijk → 3 Aanzienlijk"),
            ("set to 3 Significant (Aanzienlijk) (national)", "→ 3 Significant (Aanzienlijk)"),
        ),
        (
            {"before": None, "after": 2},
            ("verhoogd naar 2 Beperkt (landelijk)", "landelijk: geen niveau → 2 Beperkt"),
            ("raised to 2 Limited (Beperkt) (national)", "national: no level → 2 Limited"),
        ),
        (
            {"scope": Scope("dtn", region="Utrecht")},
            ("Substantieel (Utrecht)", "Dreigingsniveau Terrorisme, Utrecht: 3 Aanzienlijk"),
            ("(Substantieel) (Utrecht)", "National terrorism threat level, Utrecht: 3"),
        ),
    ],
)
def test_a_change_is_worded_as_it_went_in_either_language(
    changes: dict[str, object], dutch: tuple[str, str], english: tuple[str, str]
) -> None:
    changed = dataclasses.replace(notice(), **changes)  # type: ignore[arg-type]
    for language, (subject_end, in_text) in (("nl", dutch), ("en", english)):
        words = worded(changed, language)
        assert words.subject.endswith(subject_end), (language, words.subject)
        assert in_text in words.text, (language, words.text)


def test_what_is_classified_is_worded_without_it_in_either_language() -> None:
    hidden = dataclasses.replace(notice(), before=None, after=None, rationale=None, activated=())
    dutch, english_words = worded(hidden, "nl"), worded(hidden, "en")
    assert dutch.subject == (
        "[weerbaar] Dreigingsniveau Terrorisme gewijzigd (landelijk): "
        "meld u aan om het niveau te lezen"
    )
    assert "het niveau is gerubriceerd" in dutch.text
    assert "De onderbouwing is gerubriceerd: lees haar in weerbaar." in dutch.text
    assert english_words.subject.endswith("changed (national): sign in to read the level")
    assert "The rationale is classified" in english_words.text
    for words in (dutch, english_words):
        assert "Substan" not in words.subject + words.text
        assert "Aanzienlijk" not in words.subject + words.text
    payload = hidden.payload()
    assert (payload["before"], payload["after"]) == (None, CLASSIFIED_LEVEL)


def test_measures_go_by_their_readers_title_and_the_dutch_when_there_is_no_english() -> None:
    lowered = dataclasses.replace(
        notice(),
        before=4,
        after=3,
        raised=False,
        activated=(),
        deactivated=(
            NoticeMeasure("am-stations", "Extra toezicht op stations", "Extra surveillance"),
            NoticeMeasure("am-fences", "Hekken rond het Binnenhof"),
        ),
    )
    dutch, english_words = worded(lowered, "nl"), worded(lowered, "en")
    assert dutch.text.endswith(
        "Uw maatregelen die niet langer van kracht zijn:\n"
        "- Extra toezicht op stations (am-stations)\n"
        "- Hekken rond het Binnenhof (am-fences)\n"
    )
    assert english_words.text.endswith(
        "Your measures that no longer apply:\n"
        "- Extra surveillance (am-stations)\n"
        "- Hekken rond het Binnenhof (am-fences)\n"
    )
    titles = [m["title"] for m in lowered.payload()["deactivated"]]  # type: ignore[attr-defined]
    assert titles == ["Extra toezicht op stations", "Hekken rond het Binnenhof"]


def test_wording_leaves_the_language_of_the_work_around_it_as_it_was() -> None:
    with i18n.speaking("nl"):
        assert worded(notice(), "en").subject == ENGLISH_SUBJECT
        assert i18n.language() == "nl"
    with i18n.speaking("en"):
        assert worded(notice(), "nl").subject == DUTCH_SUBJECT
        assert i18n.language() == "en"


def test_a_channel_speaks_the_installations_language_unless_told_otherwise(
    outbox: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    add = functools.partial(channels.add_channel, outbox, organisation="nctv", kind="email")
    installed, _ = add(target="a@nctv.example")
    assert installed.language == "en"  # the tests' installation speaks English
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    assert add(target="b@nctv.example")[0].language == "nl"
    monkeypatch.delenv("WEERBAAR_LANG")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert add(target="c@nctv.example")[0].language == "nl"  # a new installation: Dutch
    assert add(target="d@nctv.example", language="en")[0].language == "en"
    for wrong in ("de", "NL", "nl-BE", ""):
        with pytest.raises(ValidationError, match="use nl or en"):
            add(target="e@nctv.example", language=wrong)
    listed = channels.list_channels(outbox.db)
    assert [c.language for c in listed] == ["en", "nl", "nl", "en"]
    entry = recent_entries(outbox.db, entity="notification_channels")[0]
    assert json.loads(entry.after or "")["language"] == "en"


def test_a_channels_language_changes_for_what_is_queued_after(outbox: Context) -> None:
    db = outbox.db
    channel, _ = channels.add_channel(
        outbox, organisation="nctv", kind="email", target="crisis@nctv.example", language="en"
    )
    queue(db, [notice(change="tp-1")])
    changed = channels.set_channel_language(outbox, channel.id, "nl")
    assert changed == dataclasses.replace(channel, language="nl")
    assert channels.set_channel_language(outbox, channel.id, "nl") == changed  # no change
    queue(db, [notice(change="tp-2")])
    rows = {r.change: r for r in list_notifications(db, subject=None)}
    assert (rows["tp-1"].language, rows["tp-1"].subject) == ("en", ENGLISH_SUBJECT)
    assert (rows["tp-2"].language, rows["tp-2"].subject) == ("nl", DUTCH_SUBJECT)
    entries = recent_entries(db, entity="notification_channels")
    assert len(entries) == 2 and entries[0].actor == outbox.actor
    assert json.loads(entries[0].before or "")["language"] == "en"
    assert json.loads(entries[0].after or "")["language"] == "nl"

    coordinator = dataclasses.replace(outbox, subject=subject("coordinator", "nctv"))
    with pytest.raises(ForbiddenError, match="administrator"):
        channels.set_channel_language(coordinator, channel.id, "en")
    with pytest.raises(ValidationError, match="unknown language 'fr'"):
        channels.set_channel_language(outbox, channel.id, "fr")
    with pytest.raises(NotFoundError):
        channels.set_channel_language(outbox, channel.id + 1000, "en")
    channels.remove_channel(outbox, channel.id)
    with pytest.raises(ValidationError, match="was removed"):
        channels.set_channel_language(outbox, channel.id, "en")


# -- who sees and retries what ------------------------------------------------------


def test_the_log_is_need_to_know(outbox: Context) -> None:
    db = outbox.db
    channels.add_channel(outbox, organisation="nctv", kind="email", target="crisis@nctv.example")
    channels.add_channel(outbox, organisation="min-jenv", kind="email", target="dcc@jenv.example")
    queue(db, [notice("nctv", "tp-1"), notice("min-jenv", "tp-1"), notice("nctv", "tp-2")])

    def orgs(
        who: Subject | None, status: str | None = None, change: str | None = None
    ) -> list[str]:
        found = list_notifications(db, subject=who, status=status, change=change)
        return sorted(n.organisation for n in found)

    assert orgs(None) == ["min-jenv", "nctv", "nctv"]
    assert orgs(subject("coordinator", "nctv")) == ["min-jenv", "nctv", "nctv"]
    assert orgs(subject("administrator", "min-jenv")) == ["min-jenv", "nctv", "nctv"]
    assert orgs(subject("analyst", "min-jenv")) == ["min-jenv"]
    assert orgs(subject("analyst", "nctv"), change="tp-2") == ["nctv"]
    assert orgs(subject("viewer", "elsewhere")) == []
    assert orgs(None, status="sent") == []
    with pytest.raises(ValidationError, match="unknown status 'lost'"):
        list_notifications(db, subject=None, status="lost")

    first = list_notifications(db, subject=None)[0]
    analyst = dataclasses.replace(outbox, subject=subject("analyst", first.organisation))
    with pytest.raises(ForbiddenError, match="retries notifications"):
        retry(analyst, first.id)
    coordinator = dataclasses.replace(outbox, subject=subject("coordinator", "nctv"))
    assert retry(coordinator, first.id).status == "pending"


# -- channels -----------------------------------------------------------------------


BAD_CHANNELS = [
    ("nowhere", "email", "crisis@nctv.example", "no organisation 'nowhere'"),
    ("nctv", "sms", "+31612345678", "unknown kind 'sms'; use email or webhook"),
    ("nctv", "email", "crisis.nctv.example", "exactly one @"),
    ("nctv", "email", "crisis@@nctv.example", "exactly one @"),
    ("nctv", "email", "a@b.example,c@d.example", "exactly one @"),
    ("nctv", "email", "@nctv.example", "a name before the @"),
    ("nctv", "email", "crisis @nctv.example", "spaces, line breaks"),
    ("nctv", "email", "crisis@nctv.example\nBcc: spy@x.example", "spaces, line breaks"),
    ("nctv", "email", "<crisis@nctv.example>", "characters an address here may not"),
    ("nctv", "email", "", "an e-mail address is needed"),
    ("nctv", "webhook", "ftp://files.example/in", "must start with https:// or http://"),
    ("nctv", "webhook", "hooks.example/in", "must start with https:// or http://"),
    ("nctv", "webhook", "https:///in", "names no host"),
    ("nctv", "webhook", "https://hooks.example:99999/in", "port"),
    ("nctv", "webhook", "https://hooks.example/in\r\nX: y", "spaces, line breaks"),
]


def test_bad_channels_are_refused_naming_the_problem(outbox: Context) -> None:
    # One database for all the cases: they are refused before anything is written.
    for organisation, kind, target, problem in BAD_CHANNELS:
        with pytest.raises(ValidationError, match="channel not saved") as caught:
            channels.add_channel(outbox, organisation=organisation, kind=kind, target=target)
        assert problem in str(caught.value), (target, str(caught.value))
    assert channels.list_channels(outbox.db) == []


def test_only_administrators_manage_channels_and_duplicates_are_refused(
    outbox: Context,
) -> None:
    for role in ("coordinator", "analyst"):
        someone = dataclasses.replace(outbox, subject=subject(role, "nctv"))
        with pytest.raises(ForbiddenError, match="administrator"):
            channels.add_channel(someone, organisation="nctv", kind="email", target="a@b.example")
    admin = dataclasses.replace(outbox, subject=subject("administrator", "nctv"))
    channel, secret = channels.add_channel(
        admin, organisation="nctv", kind="email", target="a@b.example"
    )
    assert secret is None and channel.active
    with pytest.raises(DuplicateError):
        channels.add_channel(admin, organisation="nctv", kind="email", target="a@b.example")
    with pytest.raises(NotFoundError):
        channels.remove_channel(admin, channel.id + 1000)
    removed = channels.remove_channel(admin, channel.id)
    assert not removed.active and channels.remove_channel(admin, channel.id) == removed
    # Once removed, the same address may be added again.
    channels.add_channel(admin, organisation="nctv", kind="email", target="a@b.example")


def test_a_webhook_secret_is_shown_once_and_never_listed_or_audited(outbox: Context) -> None:
    db = outbox.db
    channel, secret = channels.add_channel(
        outbox, organisation="nctv", kind="webhook", target="https://hooks.example/in"
    )
    assert secret is not None and len(secret) >= 40
    listed = channels.list_channels(db)
    assert [c.id for c in listed] == [channel.id]
    assert secret not in repr(listed)
    entries = recent_entries(db, entity="notification_channels")
    assert entries[0].action == "create" and entries[0].actor == outbox.actor
    channels.remove_channel(outbox, channel.id)
    entries = recent_entries(db, entity="notification_channels")
    assert entries[0].action == "update" and json.loads(entries[0].after or "")["active"] is False
    assert all(secret not in (e.before or "") + (e.after or "") for e in entries)
    with db.transaction() as connection:
        stored = connection.execute(
            select(notification_channels.c.secret, notification_channels.c.active)
        ).one()
    assert tuple(stored) == (None, False)  # nothing is signed with it any more
    assert queue(db, [notice()]) == 0
    with db.transaction() as connection:
        assert connection.execute(select(notifications.c.id)).first() is None


# -- settings and signatures ---------------------------------------------------------


def test_settings_come_from_the_environment() -> None:
    assert DeliverySettings.from_env({}) == DeliverySettings()
    got = DeliverySettings.from_env(
        {
            "WEERBAAR_SMTP_HOST": "mail.example",
            "WEERBAAR_SMTP_PORT": "587",
            "WEERBAAR_SMTP_FROM": "alerts@weerbaar.example",
            "WEERBAAR_SMTP_STARTTLS": "yes",
            "WEERBAAR_SMTP_USER": "weerbaar",
            "WEERBAAR_SMTP_PASSWORD": "hunter22",
            "WEERBAAR_NOTIFY_ATTEMPTS": "8",
            "WEERBAAR_NOTIFY_BACKOFF": "2.5",
            "WEERBAAR_NOTIFY_TIMEOUT": "3",
        }
    )
    assert (got.smtp_host, got.smtp_port, got.smtp_starttls) == ("mail.example", 587, True)
    assert (got.smtp_user, got.smtp_password, got.smtp_from) == (
        "weerbaar",
        "hunter22",
        "alerts@weerbaar.example",
    )
    assert (got.attempts, got.backoff, got.timeout) == (8, 2.5, 3.0)
    assert "hunter22" not in repr(got)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WEERBAAR_SMTP_PORT", "smtp"),
        ("WEERBAAR_SMTP_PORT", "70000"),
        ("WEERBAAR_SMTP_STARTTLS", "maybe"),
        ("WEERBAAR_SMTP_FROM", "weerbaar"),
        ("WEERBAAR_NOTIFY_ATTEMPTS", "0"),
        ("WEERBAAR_NOTIFY_ATTEMPTS", "five"),
        ("WEERBAAR_NOTIFY_BACKOFF", "-1"),
        ("WEERBAAR_NOTIFY_BACKOFF", "nan"),
        ("WEERBAAR_NOTIFY_TIMEOUT", "0"),
        ("WEERBAAR_SMTP_USER", "weerbaar"),  # without its password
        ("WEERBAAR_SMTP_PASSWORD", "hunter22"),  # without a user
    ],
)
def test_bad_settings_name_their_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable) as caught:
        DeliverySettings.from_env({variable: value})
    assert "hunter22" not in str(caught.value)


def test_the_wait_doubles_after_each_failure_up_to_a_day() -> None:
    rules = DeliverySettings(backoff=30.0)
    waits = [rules.wait_after(n).total_seconds() for n in (1, 2, 3, 4)]
    assert waits == [30.0, 60.0, 120.0, 240.0]
    assert rules.wait_after(100) == dt.timedelta(days=1)


def test_signatures_are_checked_for_content_key_and_age() -> None:
    body = b'{"event":"level-change"}'
    sent = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    stamp = str(int(sent.timestamp()))
    good = sign("k3y", stamp, body)
    assert good.startswith("sha256=") and len(good) == 7 + 64
    assert verify_signature("k3y", stamp, body, good, now=sent + dt.timedelta(seconds=299))
    assert verify_signature("k3y", int(stamp), body, good, now=sent)
    assert not verify_signature("k3y", stamp, body, good, now=sent + dt.timedelta(seconds=301))
    assert not verify_signature("k3y", str(int(stamp) + 1), body, good, now=sent)
    assert not verify_signature("k3y", "soon", body, good, now=sent)
    assert not verify_signature("k3y", stamp, body, "sha256=é", now=sent)
    assert not verify_signature("k3y", stamp, body, "", now=sent)
