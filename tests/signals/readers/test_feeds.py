from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import RawSignal, Rejected, SignalKind
from weerbaar.signals.readers import read, read_feed
from weerbaar.signals.text import MAX_TEXT_CHARS


def _items(path: Path) -> list[RawSignal | Rejected]:
    items = list(read_feed(path.read_bytes(), path.name))
    assert all(isinstance(item, RawSignal | Rejected) for item in items)
    return items  # type: ignore[return-value]


def test_rss_with_an_unclosed_tag_keeps_what_feedparser_recovered(signals_dir: Path) -> None:
    first, second, third = _items(signals_dir / "broken-unclosed.rss")
    assert isinstance(first, RawSignal)
    assert first.title == "Storing bij betalingsverkeer door DDoS-aanval"
    assert first.summary == "Meerdere banken meldden een overbelasting van hun betaaldiensten."
    assert first.published_on == dt.date(2026, 11, 26)
    assert first.source == "Nieuwsbrief Digitale Weerbaarheid"
    assert first.language == "nl"
    assert first.kind is SignalKind.NEWS
    assert first.url == "https://example.nl/nieuws/ddos-betalingsverkeer"
    assert first.external_id == "https://example.nl/nieuws/1001"
    assert first.tags == ("cyber", "financiële sector")
    assert first.origin == "broken-unclosed.rss item 1"
    # The item with the unclosed <title> lost its fields; the next one is whole again.
    assert second == Rejected("broken-unclosed.rss item 2", "no title or text")
    assert isinstance(third, RawSignal)
    assert third.title == "Kabelbreuk in de Noordzee onderzocht"
    assert third.published_on == dt.date(2026, 11, 24)


def test_atom_in_windows_1252_keeps_dutch_characters(signals_dir: Path) -> None:
    first, second = _items(signals_dir / "atom-cp1252.xml")
    assert isinstance(first, RawSignal)
    assert first.title == "Oefening drinkwatervoorziening in Zoë's regio geëvalueerd"
    assert first.summary == (
        "Het café-overleg over de coördinatie leverde een ‘leerpunt’ op: één crisisplan per regio."
    )
    assert first.published_on == dt.date(2026, 11, 27)
    assert first.language == "nl"
    assert first.url == "https://example.nl/oefening-drinkwater"
    assert first.tags == ("drinkwater",)
    # No summary: the content is used; no date: the feed's updated date; no link: no url.
    assert isinstance(second, RawSignal)
    assert second.summary.startswith("De gemeente heeft het plan geüpdatet")
    assert "<" not in second.summary
    assert second.published_on == dt.date(2026, 11, 28)
    assert second.url is None
    assert second.external_id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6b"


def test_dates_titles_and_their_rejections(signals_dir: Path) -> None:
    items = _items(signals_dir / "dates.rss")
    assert [type(item).__name__ for item in items] == [
        "RawSignal", "RawSignal", "RawSignal", "RawSignal", "Rejected", "Rejected", "Rejected",
    ]  # fmt: skip
    dated, undated, title_only, untitled = items[:4]
    assert isinstance(dated, RawSignal)
    assert dated.published_on == dt.date(2026, 11, 27)
    assert dated.language == "en"
    assert isinstance(undated, RawSignal)
    assert undated.title == "Undated advisory on satellite jamming"
    assert undated.published_on == dt.date(2026, 11, 28)  # the channel's lastBuildDate
    assert isinstance(title_only, RawSignal)
    assert (title_only.title, title_only.summary) == ("Title only, nothing else", "")
    assert title_only.text == "Title only, nothing else"
    assert isinstance(untitled, RawSignal)
    assert untitled.summary.startswith("An item without a title whose text")
    assert len(untitled.title) <= 120
    assert untitled.summary.startswith(untitled.title)
    assert items[4:] == [
        Rejected("dates.rss item 5", "publication date 2099-01-01 is in the future"),
        Rejected("dates.rss item 6", "publication date 1984-01-02 is before 1990"),
        Rejected("dates.rss item 7", "no title or text"),
    ]


def test_no_date_anywhere_is_rejected(signals_dir: Path) -> None:
    rejected, dated = _items(signals_dir / "undated.rss")
    assert rejected == Rejected("undated.rss item 1", "no publication date")
    assert isinstance(dated, RawSignal)
    assert dated.title == "This one has a date"
    assert dated.source == "Undated channel"
    assert dated.language is None


def test_source_argument_overrides_the_feed_title(signals_dir: Path) -> None:
    path = signals_dir / "undated.rss"
    items = list(read_feed(path.read_bytes(), path.name, source="NOS"))
    assert isinstance(items[1], RawSignal)
    assert items[1].source == "NOS"


def test_a_huge_entry_is_cut_and_accepted() -> None:
    summary = "Lange tekst over een cyberaanval. " * 31_000  # more than 1 MB
    assert len(summary) > 1_000_000
    title = "Zeer lange titel " * 50
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Groot</title>'
        f"<item><title>{title}</title><description>{summary}</description>"
        "<pubDate>Wed, 25 Nov 2026 07:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()
    (item,) = read_feed(feed, "groot.rss")
    assert isinstance(item, RawSignal)
    assert len(item.summary) == MAX_TEXT_CHARS
    assert item.summary.startswith("Lange tekst over een cyberaanval.")
    assert len(item.title) == 500
    assert item.published_on == dt.date(2026, 11, 25)


def test_entity_declarations_are_refused(signals_dir: Path) -> None:
    path = signals_dir / "entity.rss"
    with pytest.raises(FileFormatError, match=r"entity\.rss: declares XML entities"):
        list(read_feed(path.read_bytes(), path.name))
    # Also when hidden in UTF-16.
    utf16 = path.read_text(encoding="utf-8").replace('<?xml version="1.0"?>', "")
    with pytest.raises(FileFormatError, match="declares XML entities"):
        list(read_feed(utf16.encode("utf-16"), "entity16.rss"))


def test_an_empty_file_is_not_a_feed(signals_dir: Path) -> None:
    path = signals_dir / "empty.xml"
    with pytest.raises(FileFormatError, match=r"empty\.xml: is empty"):
        list(read_feed(path.read_bytes(), path.name))
    with pytest.raises(FileFormatError, match=r"empty\.xml: cannot tell"):
        list(read(path.read_bytes(), path.name))


def test_an_html_page_is_not_a_feed(signals_dir: Path) -> None:
    path = signals_dir / "page.html"
    with pytest.raises(FileFormatError, match=r"page\.html: not an RSS or Atom feed"):
        list(read(path.read_bytes(), path.name))
    well_formed = b"<html><head><title>Nieuws</title></head><body><p>Geen feed</p></body></html>"
    with pytest.raises(FileFormatError, match=r"nieuws\.html: not an RSS or Atom feed"):
        list(read_feed(well_formed, "nieuws.html"))


def test_text_that_is_not_xml_at_all_is_refused() -> None:
    with pytest.raises(FileFormatError, match=r"x\.rss: not an RSS or Atom feed"):
        list(read_feed(b"dit is geen feed", "x.rss"))


def test_an_encoding_name_that_is_not_text_is_refused() -> None:
    with pytest.raises(FileFormatError, match="names an encoding that is not readable"):
        list(read_feed(b'<?xml version="1.0" encoding="ab\x90"?><rss/>', "feed.xml"))


def test_markup_that_trips_feedparser_is_refused_not_a_crash() -> None:
    # feedparser's lenient parser raises KeyError('tags') on this stray end tag.
    broken = b"<entry><category>x</item></channel><channel></category>"
    with pytest.raises(FileFormatError, match="not an RSS or Atom feed that can be read"):
        list(read_feed(broken, "broken.xml"))


def test_an_empty_channel_yields_nothing() -> None:
    feed = b'<rss version="2.0"><channel><title>Leeg</title></channel></rss>'
    assert list(read_feed(feed, "leeg.rss")) == []


def test_rss_1_0_and_unsafe_links() -> None:
    feed = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.org/"><title>RDF nieuws</title>
    <link>https://example.org/</link><description>x</description><dc:language>nl</dc:language>
  </channel>
  <item rdf:about="https://example.org/a"><title>Artikel A</title>
    <link>javascript:alert(1)</link><dc:date>2026-11-20T10:00:00Z</dc:date></item>
</rdf:RDF>"""
    (item,) = read_feed(feed, "rdf.xml")
    assert isinstance(item, RawSignal)
    assert item.title == "Artikel A"
    assert item.published_on == dt.date(2026, 11, 20)
    assert item.language == "nl"
    assert item.url is None


def test_content_that_names_a_file_does_not_read_that_file(
    signals_dir: Path,
) -> None:
    path = (signals_dir / "dates.rss").resolve()
    with pytest.raises(FileFormatError, match="not an RSS or Atom feed"):
        list(read_feed(str(path).encode(), "path.txt"))


_LAUGHS = (
    '<!DOCTYPE rss [<!ENTITY l0 "lollollollollollollollollol">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)
_LAUGHING_ITEM = (
    '<rss version="2.0"><channel><title>t</title><item><title>&l9;</title>'
    "<pubDate>Wed, 25 Nov 2026 07:00:00 GMT</pubDate></item></channel></rss>"
)


@pytest.mark.parametrize("encoding", ["utf-7", "cp037", "utf-32", "utf-16-be"])
def test_entity_declarations_are_refused_in_every_encoding_feedparser_reads(
    encoding: str,
) -> None:
    # feedparser converts the feed from its declared encoding before parsing, so a
    # declaration spelled in UTF-7 or EBCDIC does not show in the raw bytes.
    feed = f'<?xml version="1.0" encoding="{encoding}"?>{_LAUGHS}{_LAUGHING_ITEM}'.encode(encoding)
    if encoding == "utf-7":  # Python writes "<!" as they are; UTF-7 may also shift them
        feed = feed.replace(b"<!ENTITY", b"+ADwAIQ-ENTITY")
        assert b"<!ENTITY" not in feed
    with pytest.raises(FileFormatError, match=r"laughs\.rss: declares XML entities"):
        list(read_feed(feed, "laughs.rss"))


def test_a_document_type_with_declarations_is_refused_a_plain_one_is_read() -> None:
    declared = '<?xml version="1.0"?><!DOCTYPE rss [<!ATTLIST rss x CDATA "y">]>' + (
        _LAUGHING_ITEM.replace("&l9;", "Titel")
    )
    with pytest.raises(FileFormatError, match=r"dtd\.rss: declares"):
        list(read_feed(declared.encode(), "dtd.rss"))
    netscape = (
        '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        ' "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
    ) + _LAUGHING_ITEM.replace("&l9;", "Titel")
    (item,) = read_feed(netscape.encode(), "rss091.rss")
    assert isinstance(item, RawSignal)
    assert item.title == "Titel"


def test_an_external_document_type_is_never_fetched(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY e "LOADED">')
    feed = f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd.as_uri()}">' + _LAUGHING_ITEM.replace(
        "&l9;", "a &e; b"
    )
    items = list(read_feed(feed.encode(), "external.rss"))
    assert all("LOADED" not in getattr(item, "title", "") for item in items)
    assert len(items) == 1


@pytest.mark.parametrize(
    "reference", ["&#x110000;", "&#xD800;", "&#99999999999999999999999;", "&#1114112;"]
)
def test_a_character_reference_to_no_character_is_replaced_not_fatal(reference: str) -> None:
    # Not well-formed XML, so feedparser falls back on its lenient parser, which
    # raised ValueError or OverflowError on these.
    feed = (
        '<rss version="2.0"><channel><title>t</title>'
        f"<item><title>Storing {reference} gemeld</title>"
        "<pubDate>Wed, 25 Nov 2026 07:00:00 GMT</pubDate></item>"
        "<item><title>Tweede</title><pubDate>Wed, 25 Nov 2026 07:00:00 GMT</pubDate></item>"
        "</channel></rss>"
    )
    first, second = read_feed(feed.encode(), "refs.rss")
    assert isinstance(first, RawSignal)
    assert first.title == "Storing \ufffd gemeld"
    assert isinstance(second, RawSignal)
    declared = '<?xml version="1.0" encoding="utf-16"?>' + feed
    in_utf16 = list(read_feed(declared.encode("utf-16"), "refs16.rss"))
    assert [item.title for item in in_utf16 if isinstance(item, RawSignal)] == [
        "Storing \ufffd gemeld",
        "Tweede",
    ]
