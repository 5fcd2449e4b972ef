"""``--dask``: batch work on a Dask cluster, for the commands that can spread it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Executor
from typing import Annotated

import typer

from weerbaar.cli.helptext import Lazy
from weerbaar.config import DASK_VARIABLE
from weerbaar.i18n import _
from weerbaar.services.executors import batch_executor

__all__ = ["DaskOption", "on_dask"]

DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask",
        help=Lazy(
            f"Dask scheduler address (default: ${DASK_VARIABLE})",
            lambda: _("Dask scheduler address (default: $%(variable)s)", variable=DASK_VARIABLE),
        ),
    ),
]


@contextlib.contextmanager
def on_dask(address: str | None) -> Iterator[Executor | None]:
    """The executor of a Dask client of the scheduler at ``address``; without one,
    None, so the engines run on this machine's threads with no pool to start."""
    if not address:
        yield None
        return
    with batch_executor(address=address) as executor:
        yield executor
