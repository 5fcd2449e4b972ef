from weerbaar.bench.memory import children_peak_rss, current_rss, peak_rss, reset_peak


def test_the_process_reports_its_resident_set() -> None:
    assert current_rss() > 2**20
    assert children_peak_rss() >= 0


def test_the_peak_says_what_it_covers() -> None:
    whole, label = peak_rss(reset=False)
    assert whole > 2**20 and label == "process lifetime peak"
    if reset_peak():
        since, label = peak_rss(reset=True)
        assert 0 < since <= whole and label == "high-water mark during the run"
