from __future__ import annotations

from pathlib import Path

import pytest

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import ActorSighting, RawSignal, SignalKind
from weerbaar.signals.readers import KINDS, read


@pytest.mark.parametrize(
    ("file", "kind"),
    [
        ("atom-cp1252.xml", SignalKind.NEWS),
        ("signals-cp1252.csv", SignalKind.NEWS),
        ("wrong-types.json", SignalKind.NEWS),
        ("broken.jsonl", SignalKind.NEWS),
        ("misp-event.json", SignalKind.REPORT),
    ],
)
def test_sniffing(signals_dir: Path, file: str, kind: SignalKind) -> None:
    path = signals_dir / file
    signals = [i for i in read(path.read_bytes(), path.name) if isinstance(i, RawSignal)]
    assert signals
    assert {signal.kind for signal in signals} == {kind}


def test_sniffing_stix_also_a_bare_object(stix_dir: Path) -> None:
    path = stix_dir / "interop-objectmarking-test.json"
    (campaign,) = read(path.read_bytes(), path.name)
    assert isinstance(campaign, RawSignal)
    assert campaign.kind is SignalKind.CAMPAIGN
    path = stix_dir / "apt1.json"
    assert any(isinstance(i, ActorSighting) for i in read(path.read_bytes(), path.name))


def test_sniffing_skips_bom_and_whitespace() -> None:
    feed = b'\xef\xbb\xbf\n  <rss version="2.0"><channel><title>T</title></channel></rss>'
    assert list(read(feed, "feed")) == []


def test_kind_overrides_sniffing_and_unknown_kinds_are_refused(signals_dir: Path) -> None:
    path = signals_dir / "bad-date.csv"
    data = path.read_bytes()
    assert len(list(read(data, "export.txt", kind="csv"))) == 5
    with pytest.raises(FileFormatError, match="kinds are feed, json, csv, stix, misp"):
        read(data, "export.txt", kind="xlsx")
    with pytest.raises(FileFormatError, match=r"export\.txt: cannot tell"):
        read(data, "export.txt")
    assert KINDS == ("feed", "json", "csv", "stix", "misp")
