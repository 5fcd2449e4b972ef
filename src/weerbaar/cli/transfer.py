"""``weerbaar import``, ``weerbaar export`` and ``weerbaar demo load``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import formats
from weerbaar.cli.progress import progress_bar
from weerbaar.cli.render import console
from weerbaar.cli.state import State, state
from weerbaar.domain.register import ENTITIES
from weerbaar.i18n import N_, _, ngettext, vocabulary
from weerbaar.services.demo import load_demo
from weerbaar.services.transfer import (
    ImportMode,
    ImportSummary,
    export_register,
    import_register,
)

FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help=N_("json, yaml, csv, xlsx, graphml or stix (default: from the file name)"),
    ),
]


def _summary(summary: ImportSummary, title: str) -> None:
    table = Table(title=escape(title), title_justify="left")
    table.add_column(_("entity"), justify="left")
    for column in (_("created"), _("updated"), _("unchanged")):
        table.add_column(column, justify="right")
    for spec in ENTITIES:
        counts = (
            summary.created.get(spec.name, 0),
            summary.updated.get(spec.name, 0),
            summary.unchanged.get(spec.name, 0),
        )
        if any(counts):
            table.add_row(escape(vocabulary.entity_title(spec.name)), *map(str, counts))
    console().print(table)


def export(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help=N_(
                "file to write (.json, .yaml, .xlsx, .graphml, .stix.json) or a folder for CSV"
                " files"
            )
        ),
    ],
    format: FormatOption = None,
) -> None:
    fmt = format or formats.guess_format(path)
    if fmt == formats.STIX:
        from weerbaar.services.stix_export import export_stix

        made = export_stix(state(ctx).database(), subject=None)
        written = formats.write(path, made.bundle, fmt=fmt)
        count = made.records
    else:
        data = export_register(state(ctx).database())
        written = formats.write(path, data, fmt=format)
        names = formats.GRAPHML_ENTITIES if fmt == "graphml" else [spec.name for spec in ENTITIES]
        count = sum(len(data[name]) for name in names)
    places = ", ".join(map(str, written[:3]))
    if len(written) > 3:
        places = ngettext(
            "%(files)s and %(num)d more file",
            "%(files)s and %(num)d more files",
            len(written) - 3,
            files=places,
        )
    said = ngettext(
        "exported %(num)d record to %(places)s",
        "exported %(num)d records to %(places)s",
        count,
        places=places,
    )
    console().print(escape(said))


def import_(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help=N_("a .json/.yaml/.xlsx/.graphml file, a .csv file or a folder of CSV files")
        ),
    ],
    format: FormatOption = None,
    entity: Annotated[
        str | None,
        typer.Option(
            "--entity", help=N_("which entity a single CSV file holds (default: its name)")
        ),
    ] = None,
    mode: Annotated[
        ImportMode,
        typer.Option(
            "--mode",
            help=N_(
                "upsert: create new records and update changed ones; create: refuse keys that exist"
            ),
        ),
    ] = ImportMode.UPSERT,
) -> None:
    st = state(ctx)
    doc = formats.read(path, fmt=format, entity=entity)
    with progress_bar(_("importing %(file)s", file=path.name)) as progress:
        summary = import_register(st.context(), doc=doc, mode=mode, progress=progress)
    _summary(
        summary,
        _(
            "imported %(file)s: %(count)s records written",
            file=path.name,
            count=summary.written,
        ),
    )


def load_demo_command(st: State) -> None:
    with progress_bar(_("loading the demo profile")) as progress:
        summary = load_demo(st.context(), progress=progress)
    _summary(summary, _("demo profile loaded: %(count)s records written", count=summary.written))
