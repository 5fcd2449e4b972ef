"""Writing a file atomically: readers see the old file or the new one, never half of
one, and a killed writer leaves the old file as it was.

Every file weerbaar writes goes through here: register exports, and the reports
(diagrams, timelines, the profile) drawn from the register.

File mode
---------
A new file is readable and writable by its owner only (:data:`OWNER_ONLY`, 0600),
whatever the umask: exports and reports carry register content, which may be
classified, and on a shared machine the other users should not read it unless
someone decides they may. A file that is replaced keeps its own mode, so a report
someone shared with a group on purpose (0640, say) stays shared when it is redrawn.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

OWNER_ONLY = 0o600


@contextlib.contextmanager
def atomic_file(
    path: Path, mode: str = "w", *, new_file_mode: int = OWNER_ONLY, **kw: object
) -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path``, flush it to disk, and rename it over
    ``path`` at the end (:func:`os.replace`); on an error the temporary file is removed.

    ``mode`` and ``kw`` are :func:`open`'s; the file gets ``new_file_mode`` if ``path``
    does not exist yet, and keeps its mode if it does (see the module's docstring).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        file_mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        file_mode = new_file_mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kw) as handle:  # type: ignore[call-overload]
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, file_mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | Path, data: bytes, *, new_file_mode: int = OWNER_ONLY) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`atomic_file`); return the path."""
    target = Path(path)
    with atomic_file(target, "wb", new_file_mode=new_file_mode) as handle:
        handle.write(data)
    return target
