"""The message catalogues: every message the code and templates mark is translated
into Dutch, with the same placeholders; a template holds no sentence outside the
catalogue (the templates not yet translated are listed, and the list must shrink,
never hide one that is done); the language of a request or command is chosen as
documented, and dates and numbers take its form."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from weerbaar import i18n
from weerbaar.config import language_from_env
from weerbaar.errors import ConfigError
from weerbaar.reports.glossary import glossary_markdown

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "src/weerbaar/web/templates"
DUTCH = ROOT / "src/weerbaar/data" / i18n.catalogue_path("nl")

# Templates whose text is still English only: each is translated in turn, and then
# leaves this list (the test below fails if one here has no literal text left).
NOT_YET_TRANSLATED: set[str] = set()

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[.\d]*[sdf]")


def _extracted(tmp_path: Path) -> list[Message]:
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [
            str(pybabel),
            "--quiet",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "-k",
            "N_",
            "-k",
            "pgettext:1c,2",
            "-k",
            "NP_:1c,2",
            "-k",
            "said",
            "-k",
            "said_in:1c,2",
            "--no-location",
            "--omit-header",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def test_every_message_has_its_dutch_translation(tmp_path: Path) -> None:
    with DUTCH.open("rb") as handle:
        dutch = read_po(handle, locale="nl")
    problems = []
    for message in _extracted(tmp_path):
        found = dutch.get(message.id, context=message.context)
        if found is None or not found.string or "fuzzy" in found.flags:
            problems.append(f"no Dutch for {message.id!r} (run scripts/catalogues, translate)")
            continue
        ids: list[str] = (
            [str(i) for i in message.id] if isinstance(message.id, tuple) else [str(message.id)]
        )
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if not isinstance(text, str) or not text or set(PLACEHOLDER.findall(text)) - wanted:
                problems.append(f"{message.id!r}: Dutch {text!r} has other placeholders")
    assert problems == []


class _Literals(HTMLParser):
    """Text a person reads that is written into a template as it stands."""

    READ = frozenset({"aria-label", "placeholder", "alt", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"code", "script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in self.READ or (name.startswith("data-") and name.endswith("ing")):
                self._note(value or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"code", "script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._note(data)

    def _note(self, text: str) -> None:
        # Attributes of a tag that a Jinja block cut in two read as text: not words.
        text = re.sub(r'[\w-]+="[^"]*"', " ", text)
        words = re.findall(r"[A-Za-z][a-z]+", text)
        if [w for w in words if w != "weerbaar"]:
            self.found.append(" ".join(text.split()))


def _literal_text(template: Path) -> list[str]:
    source = template.read_text(encoding="utf-8")
    # Jinja's own parts are code, not text: their translated strings are in _("…").
    source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    parser = _Literals()
    parser.feed(source)
    return parser.found


def test_no_template_holds_a_sentence_outside_the_catalogue() -> None:
    literal = {t.name: _literal_text(t) for t in sorted(TEMPLATES.glob("*.html"))}
    untranslated = {name for name, found in literal.items() if found}
    done_but_listed = NOT_YET_TRANSLATED - untranslated
    assert done_but_listed == set(), "translated now: take them off NOT_YET_TRANSLATED"
    new = {name: literal[name] for name in untranslated - NOT_YET_TRANSLATED}
    assert new == {}


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9,en;q=0.5,nl;q=0.4", "en"),
        ("fr", None),
        ("", None),
        ("nl;q=abc, en", "en"),
    ],
)
def test_accept_language_picks_the_best_of_ours(header: str, chosen: str | None) -> None:
    assert i18n.from_accept_language(header) == chosen


def test_dates_and_numbers_take_the_languages_form() -> None:
    day = dt.date(2026, 12, 4)
    with i18n.speaking("nl"):
        assert i18n.format_date(day) == "4 december 2026"
        assert i18n.format_number(1234.5) == "1.234,5"
        assert i18n.gettext("Sign in") == "Aanmelden"
        assert i18n.ngettext("%(num)d security key", "%(num)d security keys", 2) == (
            "2 beveiligingssleutels"
        )
    with i18n.speaking("en"):
        assert i18n.format_date(day) == "4 December 2026"
        assert i18n.format_number(1234.5) == "1,234.5"
        assert i18n.gettext("Sign in") == "Sign in"


def test_the_language_setting() -> None:
    assert language_from_env({}) == "nl"  # a new installation speaks Dutch
    assert language_from_env({"LANG": "en_GB.UTF-8"}) == "en"
    assert language_from_env({"LANG": "C.UTF-8"}) == "nl"
    assert language_from_env({"LANG": "en_GB.UTF-8", "WEERBAAR_LANG": "nl"}) == "nl"
    with pytest.raises(ConfigError, match="WEERBAAR_LANG='fr'"):
        language_from_env({"WEERBAAR_LANG": "fr"})


def test_the_glossary_is_in_step_with_the_catalogue_and_reference_data() -> None:
    written = (ROOT / "docs/glossary.md").read_text(encoding="utf-8")
    assert written == glossary_markdown(), "run: weerbaar glossary > docs/glossary.md"
    assert "| Versterkte aanpak | Strengthened approach |" in written
    assert "| Stg. Geheim | State secret — secret |" in written
