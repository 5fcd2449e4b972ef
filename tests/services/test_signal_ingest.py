"""Taking signals in from real files and a local web server: bad items reported, good
ones stored once, repeats grouped, actors from threat intelligence in the register,
the same result from a local pool and from Dask."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import distributed
import pytest

from tests.helpers import seed_small_register, trail_config
from weerbaar.domain.access import Marking, Subject
from weerbaar.errors import ForbiddenError
from weerbaar.reference.access import roles
from weerbaar.services.context import Context
from weerbaar.services.executors import batch_executor
from weerbaar.services.horizon import theme_trends
from weerbaar.services.records import create_record, list_records
from weerbaar.services.signal_ingest import ingest, signal_key
from weerbaar.services.signal_sources import open_inputs
from weerbaar.services.trail_check import verify_trail
from weerbaar.signals.dedupe import fingerprint
from weerbaar.signals.items import ActorSighting, RawSignal
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def threads() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


@pytest.fixture
def served() -> Iterator[str]:
    """tests/data/signals over HTTP on a free local port."""
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(DATA / "signals")
    )
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_broken_feeds_over_http_bad_items_reported_good_ones_stored(
    ctx: Context, db: Database, served: str, threads: ThreadPoolExecutor
) -> None:
    names = ["broken-unclosed.rss", "atom-cp1252.xml", "dates.rss", "undated.rss", "entity.rss"]
    names += ["signals-cp1252.csv", "bad-date.csv", "broken.jsonl", "page.html", "missing.rss"]
    report = ingest(ctx, open_inputs([f"{served}/{n}" for n in names]), executor=threads)
    reasons = {r.origin: r.reason for r in report.rejections}
    assert reasons[f"{served}/missing.rss"].endswith("HTTP 404")
    assert "<!ENTITY" in reasons[f"{served}/entity.rss"]
    assert reasons["bad-date.csv line 5"] == "unreadable publication date 'next tuesday'"
    assert reasons["dates.rss item 5"] == "publication date 2099-01-01 is in the future"
    assert reasons["broken-unclosed.rss item 2"] == "no title or text"
    assert "not an RSS or Atom feed" in reasons[f"{served}/page.html"]
    stored = {s.title: s for s in list_records(db, entity_name="signals")}
    assert report.created == len(stored) > 0 and report.rejected == len(reasons)
    assert "Ransomware hits port logistics" in stored
    # Windows-1252 with its Dutch letters intact, and the language the feed declares.
    assert any("ë" in title or "é" in title for title in stored)
    assert stored["Ransomware hits port logistics"].language == "en"
    assert stored["Ransomware hits port logistics"].published_on == dt.date(2026, 11, 27)

    again = ingest(ctx, open_inputs([f"{served}/{n}" for n in names]), executor=threads)
    assert (again.created, again.already_in) == (0, report.created)
    assert len(list_records(db, entity_name="signals")) == len(stored)


def test_the_stix_examples_bring_their_actors(
    ctx: Context, db: Database, threads: ThreadPoolExecutor
) -> None:
    report = ingest(ctx, open_inputs([str(DATA / "stix")]), executor=threads)
    # Every bundle reads; the folder's SOURCE.md is no input, and the campaign marked
    # TLP:RED is not taken in publicly: it needs an owner to be kept to.
    rejected = {r.origin.rsplit("/", 1)[-1]: r.reason for r in report.rejections}
    [red] = [origin for origin in rejected if "interop-objectmarking" in origin]
    assert set(rejected) == {"SOURCE.md", red} and "TLP:RED" in rejected[red]
    assert {"apt1", "ugly-gorilla", "unit-61398"} <= set(report.actors_created)
    actors = {a.key: a for a in list_records(db, entity_name="actors")}
    assert actors["apt1"].kind == "state" and actors["apt1"].intent == "unknown"
    reports = [s for s in list_records(db, entity_name="signals") if s.kind == "report"]
    apt1 = next(s for s in reports if "APT1" in s.title)
    assert {"apt1", "ugly-gorilla"} <= set(apt1.actors)
    again = ingest(ctx, open_inputs([str(DATA / "stix")]), executor=threads)
    assert again.created == 0 and not again.actors_created
    assert set(again.actors_known) >= {"apt1", "ugly-gorilla"}


def _theme(ctx: Context, key: str) -> None:
    create_record(
        ctx,
        entity_name="themes",
        raw={"key": key, "name": key, "name_en": key, "tier": "continued_focus"},
    )


def _event(source: str, day: int, title: str) -> RawSignal:
    return RawSignal(
        title=title,
        summary="",
        published_on=dt.date(2026, 11, day),
        source=source,
        origin=f"{source} item 1",
        language="nl",
    )


def test_every_signal_a_chunk_writes_has_its_entry_and_the_trail_verifies(
    ctx: Context, db: Database, threads: ThreadPoolExecutor
) -> None:
    _theme(ctx, "cyber")
    items = [
        _event(f"krant-{i}", 1 + i % 20, f"Storing nummer {i} bij een haven") for i in range(23)
    ]
    report = ingest(ctx, items, executor=threads, chunk=5)
    assert report.created == 23
    with db.transaction() as connection:
        entries = [e for e in audit_log.ascending(connection) if e.entity == "signals"]
    stored = {s.key: s for s in list_records(db, entity_name="signals")}
    assert sorted(e.key for e in entries) == sorted(stored)
    assert all(e.action == "create" and e.actor == ctx.actor for e in entries)
    for entry in entries:
        after = json.loads(entry.after or "")
        assert after["version"] == 1 and after["title"] == stored[entry.key].title
    assert verify_trail(db).intact


def test_one_event_from_twenty_sources_counts_once_with_twenty(
    ctx: Context, db: Database, threads: ThreadPoolExecutor
) -> None:
    _theme(ctx, "cyber")
    story = "Ransomware-aanval legt drinkwaterbedrijf Vitens plat; klanten zonder facturen"
    items = [_event(f"krant-{i}", 20, story + (" (ANP)" if i % 2 else "")) for i in range(20)]
    items.append(_event("krant-x", 21, "Storm veroorzaakt stroomstoringen in Zeeland en Brabant"))
    report = ingest(ctx, items, executor=threads, chunk=7)
    # The first "(ANP)" version nearly repeats the first report; every later copy of
    # either wording repeats one exactly; all point at the first report.
    assert (report.created, report.exact_repeats, report.near_repeats) == (21, 18, 1)
    signals = {s.key: s for s in list_records(db, entity_name="signals")}
    first = signals[signal_key("krant-0", fingerprint(items[0].text))]
    group = [s for s in signals.values() if s.duplicate_of == first.key]
    assert len(group) == 19 and first.duplicate_of is None
    assert first.theme == "cyber" and first.theme_by == "model"
    (trend,) = theme_trends(db, until=dt.date(2026, 11, 21))
    assert trend.volume[-2] == 1 and trend.weight[-2] == 20


def test_a_killed_run_leaves_whole_chunks_and_a_rerun_completes(
    ctx: Context, db: Database, threads: ThreadPoolExecutor
) -> None:
    items = [
        _event(f"bron-{i}", 1 + i % 20, f"Bericht {i}: {' '.join(str(i * k) for k in range(9))}")
        for i in range(30)
    ]

    def stop(done: int) -> None:
        if done >= 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(ctx, items, executor=threads, chunk=10, progress=stop)
    assert len(list_records(db, entity_name="signals")) == 10
    report = ingest(ctx, items, executor=threads, chunk=10)
    assert (report.already_in, report.created) == (10, 20)


def test_a_viewer_may_not_take_signals_in(ctx: Context, threads: ThreadPoolExecutor) -> None:
    viewer = Subject("v", roles()["viewer"], "nctv", "stg-g")
    with pytest.raises(ForbiddenError, match="cannot take signals in"):
        ingest(
            Context(db=ctx.db, actor="web:v", subject=viewer),
            [_event("x", 1, "iets")],
            executor=threads,
        )


def _stored(db: Database) -> list[tuple[object, ...]]:
    return sorted(
        (s.key, s.theme, s.language, s.duplicate_of, s.theme_confidence, s.fingerprint)
        for s in list_records(db, entity_name="signals")
    )


def test_local_pool_and_dask_give_the_same_result(tmp_path: Path) -> None:
    inputs = [str(DATA / "signals"), str(DATA / "stix" / "poisonivy.json")]
    results = []
    with distributed.LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        for address in (None, cluster.scheduler_address):
            url = f"sqlite:///{tmp_path}/{'dask' if address else 'local'}.db"
            database = Database(url, trail=trail_config())
            database.upgrade()
            context = Context(db=database, actor="test:ingest")
            _theme(context, "cyber")
            with batch_executor(address=address, workers=2) as executor:
                report = ingest(context, open_inputs(inputs), executor=executor, chunk=4)
            results.append((report.created, report.rejected, _stored(database)))
            database.dispose()
    assert results[0][0] > 0
    assert results[0] == results[1]


def test_actors_with_like_names_get_their_own_keys(
    ctx: Context, db: Database, threads: ThreadPoolExecutor
) -> None:
    sightings = [
        ActorSighting("threat-actor--1", "APT-1", state=True),
        ActorSighting("threat-actor--2", "APT 1", state=False),
        ActorSighting("threat-actor--3", "apt-1", state=True),  # the first one again
    ]
    report_item = dataclasses.replace(
        _event("intel", 3, "Rapport over twee groepen"),
        actors=("threat-actor--1", "threat-actor--2", "threat-actor--9"),
    )
    report = ingest(ctx, [report_item, *sightings], executor=threads)
    second = "apt-1-" + hashlib.sha256(b"threat-actor--2").hexdigest()[:8]
    assert report.actors_created == ["apt-1", second] and report.actors_known == ["apt-1"]
    (stored,) = list_records(db, entity_name="signals")
    assert stored.actors == tuple(sorted(("apt-1", second)))  # the unknown third is left out


def test_a_hidden_actor_is_neither_linked_nor_numbered_around(
    ctx: Context, db: Database, threads: ThreadPoolExecutor
) -> None:
    seed_small_register(ctx)
    create_record(
        ctx,
        entity_name="actors",
        raw={"key": "apt-1", "name": "APT 1", "kind": "state", "intent": "high",
             "capability": "high", "classification": "stg-c", "owned_by": "nctv"},
    )  # fmt: skip
    outsider = Subject("analyst-x", roles()["analyst"], "min-jenv", "dep-v")
    taker = Context(db=db, actor="web:analyst-x", subject=outsider)
    red = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
    report = ingest(
        taker,
        [
            dataclasses.replace(_event("intel", 3, "Report on APT 1"), actors=("ta--1",)),
            ActorSighting("ta--1", "APT 1", state=True),
            ActorSighting("ta--2", "Red group", state=False, markings=(red,)),
        ],
        executor=threads,
    )
    # Not linked to the hidden actor; its key as if "apt-1" were any other actor's.
    new_key = "apt-1-" + hashlib.sha256(b"ta--1").hexdigest()[:8]
    assert report.actors_known == [] and report.actors_created == [new_key]
    (stored,) = list_records(db, entity_name="signals", subject=outsider)
    assert stored.actors == (new_key,)
    # An actor marked TLP:RED is kept to an owner the run does not have: not taken in.
    [rejected] = report.rejections
    assert "TLP:RED" in rejected.reason


def test_taking_in_never_runs_into_what_the_taker_may_not_see(
    ctx: Context, db: Database, threads: ThreadPoolExecutor
) -> None:
    seed_small_register(ctx)  # organisations nctv and min-jenv
    _theme(ctx, "cyber")
    story = "Ransomware-aanval legt drinkwaterbedrijf Vitens plat; klanten zonder facturen"
    secret = Marking("stg-c", "nctv")
    hidden = ingest(ctx, [_event("krant-0", 20, story)], executor=threads, marking=secret)
    assert hidden.created == 1
    outsider = Subject("analyst-x", roles()["analyst"], "min-jenv", "stg-g")
    taker = Context(db=db, actor="web:analyst-x", subject=outsider)
    report = ingest(taker, [_event("krant-0", 20, story)], executor=threads)
    # The same item, public now: its own record, no repeat of the hidden one.
    assert (report.created, report.already_in, report.exact_repeats) == (1, 0, 0)
    (seen,) = list_records(db, entity_name="signals", subject=outsider)
    assert seen.duplicate_of is None and seen.key not in hidden.keys
