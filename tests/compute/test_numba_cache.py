import os
from pathlib import Path

import platformdirs
import pytest

from weerbaar.compute.numba_cache import configure_numba_cache
from weerbaar.simulation import compiled

PACKAGE = Path(compiled.__file__).resolve().parent


def test_cache_goes_to_the_user_folder_when_the_package_is_read_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import numba.core.config as numba_config

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(numba_config, "CACHE_DIR", vars(numba_config)["CACHE_DIR"])  # restored
    monkeypatch.setattr(os, "access", lambda *_: False)
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda _: str(tmp_path))
    folder = configure_numba_cache(PACKAGE)
    assert folder == str(tmp_path / "numba")
    assert Path(folder).is_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == folder
    assert vars(numba_config)["CACHE_DIR"] == folder


def test_an_explicit_cache_folder_is_respected(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert configure_numba_cache(PACKAGE) == str(tmp_path)


def test_a_writable_package_keeps_its_cache_beside_the_kernels(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert configure_numba_cache(tmp_path) == str(tmp_path / "__pycache__")
