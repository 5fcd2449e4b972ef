"""The national risk profile as a document: read back from the PDF's own text.

Typesetting the whole demo takes seconds, so the PDF tests run on SQLite; the same
contents on PostgreSQL are read as Markdown (``test_the_profile_reads_the_same``)."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import http.server
import json
import random
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import Destination
from sqlalchemy import select

from weerbaar import i18n
from weerbaar.config import TrailConfig
from weerbaar.domain.access import Subject
from weerbaar.errors import (
    ForbiddenError,
    NotFoundError,
    TrailKeyError,
    ValidationError,
    WeerbaarError,
)
from weerbaar.reference.access import roles
from weerbaar.reports.risk_profile import MadeProfile, make_profile
from weerbaar.services.context import Context
from weerbaar.services.records import update_record
from weerbaar.services.risk_profile import edition_for
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository
from weerbaar.storage.tables import audit_entries, report_copies

ROUND = "gra-2019"
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def analyst(organisation: str = "nctv", clearance: str = "stg-g") -> Subject:
    return Subject(f"analyst-{organisation}", roles()["analyst"], organisation, clearance)


def flat(text: str) -> str:
    """The text as one line, without hyphens: pdftotext joins a line broken after a
    hyphen and drops the hyphen, so both sides of a comparison go without."""
    return " ".join(text.replace("-", "").split())


def pages(path: Path) -> list[str]:
    """The text of each page, as poppler's pdftotext reads it (a twentieth of the
    time pypdf takes over a hundred pages)."""
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    text = done.stdout.decode("utf-8").split("\f")
    assert text[-1].strip() == ""  # every page ends in a form feed
    return text[:-1]


def html_text(path: Path) -> str:
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))))


def outline(path: Path) -> list[tuple[int, str, int]]:
    """The PDF's bookmarks (one per heading): depth, title, page number."""
    reader = PdfReader(path)

    def walk(items: list[Any], depth: int) -> Iterator[tuple[int, str, int]]:
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                assert isinstance(item, Destination)
                page = reader.get_destination_page_number(item)
                assert page is not None
                yield depth, str(item.title), page + 1

    return list(walk(reader.outline, 0))


def seen_scenarios(db: Database, reader: Subject) -> dict[str, str]:
    with db.transaction() as connection:
        repo = Repository(connection)
        found = visibility(connection, reader).filter("scenarios", repo.fetch("scenarios"))
    return {s.key: s.title for s in found}


def make(ctx: Context, tmp_path: Path, name: str, **kw: Any) -> MadeProfile:
    kw.setdefault("round_key", ROUND)
    kw.setdefault("language", "nl")
    return make_profile(ctx, output=tmp_path / name, **kw)


@sqlite_only
def test_a_classified_copy_carries_marking_copy_number_and_recipient_on_every_page(
    demo_register: Database, tmp_path: Path
) -> None:
    ctx = Context(db=demo_register, actor="analyst-nctv", subject=analyst())
    made = make(ctx, tmp_path, "profile.pdf", level="dep-v", recipient="M. de Vries")
    assert made.copy is not None and made.pages is not None and made.pages > 20
    text = pages(made.path)
    assert len(text) == made.pages
    with i18n.speaking("nl"):
        copy = i18n.gettext("copy %(number)s", number=made.copy.number)
    marking = "DEPARTEMENTAAL VERTROUWELIJK"
    for number, page in enumerate(text, 1):
        line = flat(page)
        assert marking in line and copy in line and "M. de Vries" in line, number
    # Every scenario the analyst may see at dep-v has its sheet: title and key.
    everything = flat("\n".join(text))
    expected = seen_scenarios(demo_register, edition_for(analyst(), "dep-v").reader)
    for key, title in expected.items():
        assert flat(key) in everything and flat(title) in everything, key
    # The copy is on record, with the file's hash, and so is the audit entry.
    digest = hashlib.sha256(made.path.read_bytes()).hexdigest()
    assert made.sha256 == digest
    with demo_register.engine.connect() as connection:
        row = connection.execute(select(report_copies)).one()
        entry = connection.execute(
            select(audit_entries).where(audit_entries.c.entity == "report_copies")
        ).one()
    assert (row.number, row.sha256, row.recipient, row.made_by) == (
        made.copy.number,
        digest,
        "M. de Vries",
        "analyst-nctv",
    )
    after = json.loads(entry.after)
    assert (entry.action, entry.actor, after["sha256"], after["level"]) == (
        "report",
        "analyst-nctv",
        digest,
        "dep-v",
    )


@sqlite_only
def test_the_table_of_contents_page_numbers_are_the_pages_of_the_headings(
    demo_register: Database, tmp_path: Path
) -> None:
    made = make(Context(db=demo_register, actor="op"), tmp_path, "p.pdf", level="public")
    text = pages(made.path)
    printed = [
        int(m.group(1))
        for page in text
        for m in re.finditer(r"\.{4,}\s*(\d+)\s*$", page, flags=re.MULTILINE)
    ]
    # The contents list the chapters (depth 1) and their sections (depth 2), as the
    # outline has them; the heading of the contents itself is not listed.
    with i18n.speaking("nl"):
        contents = i18n.gettext("Contents")
    headings = [(t, page) for depth, t, page in outline(made.path) if depth in (1, 2)]
    headings = [(t, page) for t, page in headings if t != contents]
    assert len(printed) == len(headings) > 60
    assert printed == [page for _, page in headings]
    # And each heading is on the page the outline names.
    for title, page in headings:
        assert flat(title)[:40] in flat(text[page - 1]), (title, page)


@sqlite_only
@pytest.mark.parametrize("seed", [3, 11])
def test_nothing_above_the_level_or_outside_the_organisations_appears(
    demo_register: Database, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    operator = Context(db=demo_register, actor="test:setup")
    scrambled = scramble(operator, rng)
    assert scrambled["scenarios"] > 30
    reader = analyst(rng.choice(["nctv", "min-jenv", "min-bzk"]), "stg-c")
    level = rng.choice(["dep-v", "stg-c"])
    ctx = Context(db=demo_register, actor=reader.username, subject=reader)
    made_pdf = make(ctx, tmp_path, "p.pdf", level=level)
    made_html = make(ctx, tmp_path, "p.html", level=level, language="en")
    made_md = make(ctx, tmp_path, "p.md", level=level)
    documents = {
        "pdf": flat("\n".join(pages(made_pdf.path))),
        "html": html_text(made_html.path),
        "md": flat(made_md.path.read_text(encoding="utf-8")),
    }
    edition = edition_for(reader, level)
    hidden, visible = split(demo_register, edition.reader)
    assert hidden["scenarios"], "the scramble hid no scenario"
    corpus = " ".join(text for texts in visible.values() for text in texts)
    telling = {t for texts in hidden.values() for t in texts if t not in corpus}
    assert len(telling) > 20
    for kind, text in documents.items():
        leaked = sorted(t for t in telling if t in text)
        assert leaked == [], (kind, leaked[:5])
    seen = seen_scenarios(demo_register, edition.reader)
    for key in seen:
        assert flat(key) in documents["pdf"] and flat(key) in documents["md"], key


MARKED = (
    "scenarios",
    "themes",
    "measures",
    "actors",
    "decisions",
    "threat_pictures",
    "alerts",
    "level_states",
)
LEVELS = ("public", "dep-v", "stg-c", "stg-g")
ORGANISATIONS = ("nctv", "min-jenv", "min-bzk", "min-def")


def scramble(ctx: Context, rng: random.Random) -> dict[str, int]:
    """Give the register's records random markings; count those that took."""
    with ctx.db.transaction() as connection:
        repo = Repository(connection)
        records = {name: [r.key for r in repo.fetch(name)] for name in MARKED}
    done = dict.fromkeys(MARKED, 0)
    for name, keys in records.items():
        for key in keys:
            changes = {
                "classification": rng.choice(LEVELS),
                "owned_by": rng.choice((None, *ORGANISATIONS)),
                "shared_with": rng.sample(ORGANISATIONS, rng.randint(0, 2)),
            }
            try:
                update_record(ctx, entity_name=name, key=key, changes=changes)
            except WeerbaarError:
                continue  # a record kept by its own use case keeps its marking
            done[name] += 1
    return done


TELLING_FIELDS = ("title", "title_en", "name", "name_en", "narrative", "narrative_en")


def texts_of(record: Any) -> list[str]:
    """What would give a record away: its title and name, a narrative's opening, and a
    key that is not an ordinary word."""
    values = dataclasses.asdict(record)
    out = [flat(str(record.key))] if "-" in str(record.key) and len(str(record.key)) > 8 else []
    for name in TELLING_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and len(value.strip()) >= 12:
            out.append(flat(value)[:60])
    return out


def split(db: Database, reader: Subject) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The telling texts of the records the reader may not see, and of all they may."""
    hidden: dict[str, list[str]] = {}
    visible: dict[str, list[str]] = {}
    with db.transaction() as connection:
        repo = Repository(connection)
        seen = visibility(connection, reader)
        for name in (*MARKED, "organisations", "rounds", "cycles"):
            everything = repo.fetch(name)
            allowed = {r.key for r in seen.filter(name, everything)}
            for record in everything:
                side = visible if record.key in allowed else hidden
                side.setdefault(name, []).extend(texts_of(record))
                if record.key in allowed:
                    side[name].extend(
                        flat(str(v)) for v in dataclasses.asdict(record).values() if v
                    )
    return hidden, visible


@sqlite_only
def test_the_public_edition_holds_public_records_only_in_english(
    demo_register: Database, tmp_path: Path
) -> None:
    operator = Context(db=demo_register, actor="test:setup")
    update_record(
        operator,
        entity_name="scenarios",
        key="vpn-mass-exploitation",
        changes={"classification": "dep-v"},
    )
    made = make(
        Context(db=demo_register, actor="analyst-nctv", subject=analyst()),
        tmp_path,
        "public.pdf",
        level="public",
        language="en",
    )
    assert made.copy is None and made.marking == "public"
    text = pages(made.path)
    assert all("PUBLIC" in flat(page) for page in text)
    everything = flat("\n".join(text))
    assert flat("vpn-mass-exploitation") not in everything
    assert "National risk profile" in everything and "Summary" in everything
    public = seen_scenarios(demo_register, edition_for(None, "public").reader)
    assert "vpn-mass-exploitation" not in public and len(public) > 50
    assert all(flat(key) in everything for key in public)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_profile_reads_the_same(demo_register: Database, tmp_path: Path, language: str) -> None:
    made = make(
        Context(db=demo_register, actor="op"), tmp_path, "p.md", level="dep-v", language=language
    )
    text = made.path.read_text(encoding="utf-8")
    heading = "Nationaal risicoprofiel" if language == "nl" else "National risk profile"
    assert text.count(heading) == 1 and made.copy is not None
    marking = "DEPARTEMENTAAL VERTROUWELIJK" if language == "nl" else "DEPARTMENTAL CONFIDENTIAL"
    assert text.startswith(f"**{marking} · ")
    for key in seen_scenarios(demo_register, edition_for(None, "dep-v").reader):
        assert f"({key})" in text


# -- bad input: a clear message, and nothing left behind ------------------------------


def nothing_made(db: Database, folder: Path) -> None:
    assert [p.name for p in folder.iterdir()] == []
    with db.engine.connect() as connection:
        assert connection.execute(select(report_copies)).all() == []
        assert (
            connection.execute(
                select(audit_entries).where(audit_entries.c.entity == "report_copies")
            ).all()
            == []
        )


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@sqlite_only
def test_an_unknown_round_is_refused(demo_register: Database, out: Path) -> None:
    ctx = Context(db=demo_register, actor="analyst-nctv", subject=analyst())
    with pytest.raises(NotFoundError, match="no-such-round"):
        make(ctx, out, "p.pdf", level="dep-v", round_key="no-such-round")
    nothing_made(demo_register, out)


@sqlite_only
def test_without_the_trail_key_nothing_is_made(
    demo_register: Database, out: Path, tmp_path: Path
) -> None:
    keyless = Database(demo_register.url, trail=TrailConfig.within(tmp_path / "elsewhere"))
    try:
        with pytest.raises(TrailKeyError):
            make(Context(db=keyless, actor="op"), out, "p.pdf", level="public")
    finally:
        keyless.dispose()
    nothing_made(demo_register, out)


@sqlite_only
@pytest.mark.parametrize("level", ["public", "dep-v"])
def test_a_recipient_with_control_characters_is_refused(
    demo_register: Database, out: Path, level: str
) -> None:
    with pytest.raises(ValidationError, match="control characters") as caught:
        make(Context(db=demo_register, actor="op"), out, "p.md", level=level, recipient="M.\x07")
    assert caught.value.issues[0].place == "--recipient"
    nothing_made(demo_register, out)


@sqlite_only
def test_a_level_above_the_clearance_is_refused(demo_register: Database, out: Path) -> None:
    ctx = Context(db=demo_register, actor="a", subject=analyst(clearance="dep-v"))
    with pytest.raises(ForbiddenError, match="clearance"):
        make(ctx, out, "p.pdf", level="stg-c")
    with pytest.raises(ValidationError, match="unknown classification"):
        make(ctx, out, "p.pdf", level="secret")
    guest = Subject("expert-1", roles()["expert"], "rivm", "stg-g")
    with pytest.raises(ForbiddenError, match="guest"):
        make(Context(db=demo_register, actor="e", subject=guest), out, "p.pdf", level="public")
    nothing_made(demo_register, out)


@sqlite_only
@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("missing/p.pdf", "does not exist"),
        ("p.docx", "must end in"),
        (".", "is a folder"),
    ],
)
def test_an_output_path_that_cannot_be_written_is_refused(
    demo_register: Database, out: Path, name: str, says: str
) -> None:
    with pytest.raises(ValidationError, match=says) as caught:
        make(Context(db=demo_register, actor="op"), out, name, level="dep-v")
    assert caught.value.issues[0].place == "--output"
    nothing_made(demo_register, out)


@sqlite_only
def test_a_write_that_fails_late_withdraws_the_copy_number(
    demo_register: Database, tmp_path: Path
) -> None:
    # /proc takes no new files, whoever asks: the write fails after typesetting.
    with pytest.raises(ValidationError, match="cannot be written"):
        make_profile(
            Context(db=demo_register, actor="op"),
            round_key=ROUND,
            level="dep-v",
            language="nl",
            output=Path("/proc/weerbaar-profile.md"),
        )
    with demo_register.engine.connect() as connection:
        assert connection.execute(select(report_copies)).all() == []


@sqlite_only
@pytest.mark.parametrize(
    ("file", "content", "says"),
    [
        ("profile.html", "<h1>{% if %}</h1>", "profile.html line 1"),
        ("cover.html", "<p>\n{{ p.no_such_field }}</p>", "cover.html line 2"),
        ("profile.md", "{{ p.round_name }\n", "profile.md line 1"),
        # The sandbox: no way from a template into Python's internals.
        ("profile.md", "{{ p.__class__.__mro__ }}", "profile.md"),
    ],
)
def test_a_template_with_an_error_is_named_with_its_line(
    demo_register: Database, tmp_path: Path, out: Path, file: str, content: str, says: str
) -> None:
    template = tmp_path / "template"
    template.mkdir()
    (template / file).write_text(content, encoding="utf-8")
    name = "p.md" if file.endswith(".md") else "p.html"
    with pytest.raises(ValidationError) as caught:
        make(Context(db=demo_register, actor="op"), out, name, level="dep-v", template=template)
    assert says in str(caught.value) and "template error" in str(caught.value)
    nothing_made(demo_register, out)


@sqlite_only
def test_a_template_makes_the_typesetter_fetch_nothing_outside(
    demo_register: Database, tmp_path: Path
) -> None:
    asked: list[str] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    secret = tmp_path / "secret.txt"
    secret.write_text("NOT FOR THE REPORT", encoding="utf-8")
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        template = tmp_path / "template"
        template.mkdir()
        (template / "cover.html").write_text(
            f'<section class="cover"><p class="marking-line">{{{{ marking_text }}}}</p>'
            f'<img src="{url}/logo.png" alt="x"><img src="{secret.as_uri()}" alt="y">'
            f'<object data="{secret.as_uri()}"></object></section>',
            encoding="utf-8",
        )
        (template / "profile.css").write_text(
            f'@import url("{url}/more.css"); body {{ background: url("{url}/b.png"); }}',
            encoding="utf-8",
        )
        made = make(
            Context(db=demo_register, actor="op"),
            tmp_path,
            "p.pdf",
            level="public",
            template=template,
        )
        server.shutdown()
    assert asked == []
    assert "NOT FOR THE REPORT" not in "\n".join(pages(made.path))


@sqlite_only
def test_a_restyled_template_replaces_the_shipped_files_it_holds(
    demo_register: Database, tmp_path: Path
) -> None:
    template = tmp_path / "template"
    template.mkdir()
    (template / "cover.html").write_text(
        '<section class="cover"><p class="marking-line">{{ marking_text }}</p>'
        '<h1>Veiligheidsregio Utrecht</h1><img src="{{ logo }}" alt="logo"></section>',
        encoding="utf-8",
    )
    (template / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', encoding="utf-8"
    )
    made = make(
        Context(db=demo_register, actor="op"), tmp_path, "p.html", level="public", template=template
    )
    text = made.path.read_text(encoding="utf-8")
    assert "Veiligheidsregio Utrecht" in text and '<nav class="toc"' in text
    assert 'src="data:image/svg+xml;base64,' in text
    with pytest.raises(ValidationError, match="does not exist"):
        make(
            Context(db=demo_register, actor="op"),
            tmp_path,
            "q.html",
            level="public",
            template=tmp_path / "nowhere",
        )
