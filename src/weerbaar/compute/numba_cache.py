"""Where the compiled kernels keep their machine code, chosen before Numba is imported.

The kernels are compiled with ``cache=True``: the first run on a machine compiles them
and writes the machine code next to the kernel module, in ``__pycache__``; later
processes load it. If the package folder is not writable, the cache goes to the user
cache folder (``platformdirs.user_cache_dir("weerbaar")/numba``) through
``NUMBA_CACHE_DIR``, unless that variable is already set. This module does not import
Numba: it must run before Numba reads its configuration.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

__all__ = ["configure_numba_cache"]


def configure_numba_cache(package: Path) -> str:
    """Pick the Numba cache folder for the kernels in ``package``; return where it is.

    ``package`` is the folder of the kernel module: its ``__pycache__`` is used when
    writable, else the user cache folder.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return os.environ["NUMBA_CACHE_DIR"]
    pycache = package / "__pycache__"
    writable = os.access(pycache if pycache.exists() else package, os.W_OK)
    if writable:
        return str(pycache)
    folder = Path(platformdirs.user_cache_dir("weerbaar")) / "numba"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    if "numba" in sys.modules:  # imported by someone else: its config is already read
        sys.modules["numba"].config.CACHE_DIR = str(folder)
    return str(folder)
