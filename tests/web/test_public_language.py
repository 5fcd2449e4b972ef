"""The public summary reads wholly in its reader's language: headings, tier names,
theme names, approaches, measures, organisations and the self-help advice are Dutch
for a Dutch reader and English for an English one, on the page, in its Markdown and
in the HTML file; its JSON holds both, whoever asks."""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from weerbaar import i18n
from weerbaar.reference.public import self_help
from weerbaar.services.public_summary import as_html, as_markdown, public_summary
from weerbaar.storage.db import Database

HEADINGS = {
    "nl": (
        "Hoe Nederland zich voorbereidt op risico's en dreigingen",
        "Versterkte aanpak",
        "Onverminderde inzet op weerbaarheid",
        "Risico's waarop wordt voorbereid",
        "Wat er wordt gedaan",
        "Wat u zelf kunt doen",
        "Bron van het advies:",
    ),
    "en": (
        "How the Netherlands prepares for risks and threats",
        "Strengthened approach",
        "Continued focus on resilience",
        "Risks prepared for",
        "What is being done",
        "What you can do yourself",
        "Source of the advice:",
    ),
}
OTHER = {"nl": "en", "en": "nl"}


def _themes(db: Database) -> list[tuple[str, str, str]]:
    """(key, Dutch name, English name) of every theme the summary shows whose two
    names differ."""
    summary = public_summary(db)
    return [
        (t.key, t.name, t.name_en)
        for tier in summary.tiers
        for t in tier.themes
        if t.name_en and t.name_en != t.name
    ]


def _text(page: str) -> str:
    return html.unescape(page)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_public_page_reads_in_one_language(
    app: FastAPI, demo_db: Database, language: str
) -> None:
    themes = _themes(demo_db)
    assert len(themes) >= 5
    advice = self_help().general[0]
    with TestClient(app) as client:
        page = client.get(f"/public?lang={language}")
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    text = _text(page.text)
    for heading in HEADINGS[language]:
        assert heading in text, heading
    for heading in HEADINGS[OTHER[language]]:
        assert heading not in text, heading
    for key, dutch, english in themes:
        own, other = (dutch, english) if language == "nl" else (english, dutch)
        assert f'<h3 id="theme-{key}">{own}</h3>' in text
        assert f">{other}<" not in text and f"({other})" not in text
    own_advice, other_advice = (
        (advice.text, advice.text_en) if language == "nl" else (advice.text_en, advice.text)
    )
    assert own_advice in text and other_advice not in text


def test_dutch_readers_see_dutch_statuses_and_organisations(
    app: FastAPI, demo_db: Database
) -> None:
    summary = public_summary(demo_db)
    measures = [m for tier in summary.tiers for t in tier.themes for m in t.measures]
    owner = next(m.owner for m in measures if m.owner.name_en and m.owner.name_en != m.owner.name)
    with TestClient(app) as client:
        dutch = _text(client.get("/public?lang=nl").text)
        english = _text(client.get("/public?lang=en").text)
    assert f"— {owner.name} " in dutch and f"— {owner.name_en} " not in dutch
    assert f"— {owner.name_en} " in english and f"— {owner.name} " not in english
    assert "(in uitvoering)" in dutch and "(in progress)" not in dutch
    assert "(in progress)" in english and "(in uitvoering)" not in english


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_markdown_reads_in_one_language(app: FastAPI, demo_db: Database, language: str) -> None:
    with TestClient(app) as client:
        markdown = client.get(f"/public.md?lang={language}").text
    unescaped = re.sub(r"\\(.)", r"\1", markdown)
    assert unescaped.startswith(f"# {HEADINGS[language][0]}\n")
    for heading in HEADINGS[OTHER[language]]:
        assert heading not in unescaped, heading
    for _key, dutch, english in _themes(demo_db):
        own, other = (dutch, english) if language == "nl" else (english, dutch)
        assert f"### {own}\n" in unescaped and f"### {other}\n" not in unescaped


def test_the_html_file_speaks_the_language_it_is_written_in(demo_db: Database) -> None:
    summary = public_summary(demo_db)
    with i18n.speaking("nl"):
        dutch, dutch_md = _text(as_html(summary)), as_markdown(summary)
    with i18n.speaking("en"):
        english, english_md = _text(as_html(summary)), as_markdown(summary)
    assert '<html lang="nl">' in dutch and '<html lang="en">' in english
    for heading in HEADINGS["nl"]:
        assert heading in dutch and heading not in english, heading
    for heading in HEADINGS["en"]:
        assert heading in english and heading not in dutch, heading
    assert dutch_md != english_md
    advice = self_help()
    assert advice.source_nl in dutch and advice.source in english


def test_the_json_holds_both_languages_whoever_asks(app: FastAPI) -> None:
    with TestClient(app) as client:
        dutch = client.get("/public.json?lang=nl").json()
        english = client.get("/public.json?lang=en").json()
    assert dutch == english
    theme = dutch["tiers"][0]["themes"][0]
    assert theme["name"] and theme["name_en"] and theme["name"] != theme["name_en"]
    assert len(theme["advice"]) == len(theme["advice_en"])
    assert [a.text for a in self_help().general] == dutch["advice"]
    assert [a.text_en for a in self_help().general] == dutch["advice_en"]


def test_every_piece_of_advice_has_both_languages() -> None:
    advice = self_help()
    items = [*advice.general, *(a for per_theme in advice.themes.values() for a in per_theme)]
    assert items
    for item in items:
        assert item.text and item.text_en and item.text != item.text_en
    assert advice.source_nl and advice.source_nl != advice.source
