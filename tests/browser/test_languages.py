"""The main pages walked in a real browser in both languages: on a Dutch page no
English word of the interface, on an English page no Dutch one, except proper names
and the Dutch term shown on purpose in brackets beside its translation; each page
says its language on ``<html>`` and offers the switch to the other."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import COORDINATOR, LiveServer
from tests.browser.test_flows import sign_in

PAGES = (
    "/",
    "/themes",
    "/themes/state-threats",
    "/scenarios",
    "/scenarios/diaspora-intimidation",
    "/actors",
    "/organisations",
    "/capabilities",
    "/measures",
    "/measures/m-investment-screening-act",
    "/tiers",
    "/levels",
    "/threat_pictures",
    "/portfolio",
    "/progress",
    "/reports",
    "/infrastructure",
    "/signals",
    "/sessions",
    "/sessions/gra-2019-drones",
    "/cycles",
    "/audit",
    "/account",
    "/public",
)

# The interface's own words: headings, table and field heads, labels, buttons,
# navigation, captions. Record texts are the register's, in the language written.
INTERFACE = "h1, h2, h3, h4, th, dt, label, button, legend, caption, summary, nav a"

# Words of one language that never appear in the other (nor in a proper name here).
ENGLISH = frozenset(
    [
        "the",
        "and",
        "with",
        "for",
        "to",
        "are",
        "this",
        "that",
        "from",
        "which",
        "has",
        "have",
        "not",
        "your",
        "you",
        "each",
        "their",
        "when",
        "where",
        "what",
        "who",
        "how",
        "show",
        "shows",
        "sign",
        "out",
        "new",
        "edit",
        "delete",
        "save",
        "search",
        "measures",
        "scenarios",
        "themes",
        "risk",
        "risks",
        "threat",
        "threats",
        "approach",
        "level",
        "levels",
        "owner",
        "title",
        "name",
        "description",
    ]
)
DUTCH = frozenset(
    [
        "het",
        "een",
        "met",
        "voor",
        "niet",
        "zijn",
        "wordt",
        "worden",
        "deze",
        "dit",
        "naar",
        "bij",
        "ook",
        "maatregelen",
        "dreiging",
        "aanpak",
        "geen",
        "nieuw",
        "wijzigen",
        "opslaan",
        "zoeken",
        "toon",
        "afmelden",
        "niveau",
        "thema's",
        "scenario's",
        "beschrijving",
        "eigenaar",
    ]
)
OTHER = {"nl": ENGLISH, "en": DUTCH}

# Visible elements, without what is marked as another language, as code (keys) or as a
# name shown as written (translate="no": sectors, sources).
_TEXTS = """(selector) => [...document.querySelectorAll(selector)]
  .filter((e) => !e.closest('[lang]:not(html), [translate=no]') && e.offsetParent !== null)
  .map((e) => {
    const c = e.cloneNode(true);
    c.querySelectorAll('code, [lang], [translate=no]').forEach((x) => x.remove());
    return c.textContent;
  })"""


def _foreign_words(text: str, language: str) -> list[str]:
    text = re.sub(r"\([^)]*\)", " ", text)  # the other language's term beside, on purpose
    words = re.findall(r"[a-zà-ÿ'-]+", text.lower())  # need-to-know is one word
    return [w for w in words if w in OTHER[language]]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_main_pages_speak_one_language(
    page: Page, live_server: LiveServer, language: str
) -> None:
    sign_in(page, COORDINATOR)
    page.goto(f"/?lang={language}")
    problems = []
    for path in PAGES:
        answer = page.goto(path)
        assert answer is not None and answer.status == 200, path
        assert page.locator("html").get_attribute("lang") == language, path
        other = "en" if language == "nl" else "nl"
        assert page.locator(f"a[href$='?lang={other}']").count() >= 1, path
        for text in page.evaluate(_TEXTS, INTERFACE):
            found = _foreign_words(text, language)
            if found:
                problems.append(f"{path}: {text.strip()[:100]!r} {found}")
    assert problems == [], "\n".join(problems)
