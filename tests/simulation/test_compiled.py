import os
from pathlib import Path

import platformdirs
import pytest

from weerbaar.simulation import compiled


def test_kernel_info_reports_threads_and_cache() -> None:
    info = compiled.kernel_info()
    assert info["threads"] >= 1
    assert info["import_seconds"] >= 0
    for name in ("pass_rank", "pass_impact", "sort_segments"):
        assert set(info[name]) == {"cache_hits", "cache_misses"}


def test_cache_goes_to_the_user_folder_when_the_package_is_read_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import numba.core.config as numba_config

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(numba_config, "CACHE_DIR", vars(numba_config)["CACHE_DIR"])  # restored
    monkeypatch.setattr(os, "access", lambda *_: False)
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda _: str(tmp_path))
    folder = compiled._configure_cache()
    assert folder == str(tmp_path / "numba")
    assert Path(folder).is_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == folder
    assert vars(numba_config)["CACHE_DIR"] == folder


def test_an_explicit_cache_folder_is_respected(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert compiled._configure_cache() == str(tmp_path)
