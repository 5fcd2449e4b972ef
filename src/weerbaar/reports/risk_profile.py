"""The national risk profile as a document: HTML, PDF (WeasyPrint, CSS paged media,
tagged as PDF/UA) or Markdown, from templates an organisation may restyle.

A copy is made whole or not at all: the output path is checked before anything is
read, a classified copy's number is reserved before it is typeset (it is printed on
every page) and withdrawn if the copy cannot be made, and the file is written
atomically, so a failure leaves no partial file behind.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import os
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.languages import LANGUAGES
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.formats.atomic import write_atomic
from weerbaar.i18n import gettext as _
from weerbaar.reports.profile_figures import ProfileFigures, profile_figures
from weerbaar.services.context import Context
from weerbaar.services.risk_profile import (
    Copy,
    Profile,
    build_profile,
    edition_for,
    issue_copy,
    reserve_copy,
    spoil_copy,
)
from weerbaar.services.rounds import newest_round
from weerbaar.services.transfer import Progress
from weerbaar.services.visibility import visibility
from weerbaar.storage.repository import Repository

__all__ = [
    "FORMATS",
    "TEMPLATE_FILES",
    "MadeProfile",
    "copy_template",
    "make_profile",
    "profile_html",
    "profile_markdown",
    "profile_pdf",
]

FORMATS = ("pdf", "html", "md")
# The files of a template folder; a folder may hold any of them (the rest are the
# shipped ones) and a logo (logo.svg or logo.png) for the cover.
TEMPLATE_FILES = ("profile.html", "cover.html", "profile.css", "profile.md")
LOGOS = {"logo.svg": "image/svg+xml", "logo.png": "image/png"}
SHIPPED = Path(__file__).parent / "templates" / "profile"
RECIPIENT_LENGTH = 200
STEPS = 4  # read the register, draw, typeset, write
PDF_VARIANT = "pdf/ua-1"  # tagged: government publications must be accessible


@dataclass(frozen=True, slots=True)
class MadeProfile:
    """A copy that was made: where, which edition, its hash, and its number."""

    path: Path
    format: str
    level: str
    marking: str
    language: str
    sha256: str
    copy: Copy | None
    scenarios: int
    pages: int | None  # a PDF's page count


def _refused(place: str, reason: str) -> ValidationError:
    return ValidationError([Issue(place, "", reason)], summary=said("report not made"))


def format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise _refused(
            "--output",
            said(
                "%(path)s: the file name must end in %(formats)s",
                path=str(path),
                formats=", ".join("." + f for f in FORMATS),
            ),
        )
    return fmt


def _check_output(path: Path) -> None:
    """Refuse an output path that cannot be written before any work is done."""
    folder = path.parent if str(path.parent) else Path(".")
    reason = None
    if path.is_dir():
        reason = said("%(path)s is a folder", path=str(path))
    elif not folder.is_dir():
        reason = said("the folder %(folder)s does not exist", folder=str(folder))
    elif not os.access(folder, os.W_OK | os.X_OK) or (
        path.exists() and not os.access(path, os.W_OK)
    ):
        reason = said("%(path)s cannot be written", path=str(path))
    if reason is not None:
        raise _refused("--output", reason)


def _template_dir(folder: Path | None) -> Path | None:
    if folder is not None and not folder.is_dir():
        raise _refused(
            "--template", said("the template folder %(folder)s does not exist", folder=str(folder))
        )
    return folder


def _environment(folder: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if folder is not None:
        loaders.append(jinja2.FileSystemLoader(folder))
    loaders.append(jinja2.FileSystemLoader(SHIPPED))
    # Sandboxed: a template folder is not code, so it reaches no Python internals.
    return SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _template_error(exc: Exception) -> ValidationError:
    """Where in which template file it went wrong, as far as Jinja can tell."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if line is None:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if Path(frame.filename).name in TEMPLATE_FILES:
                name, line = frame.filename, frame.lineno
                break
    place = f"{Path(name).name} line {line}" if name and line else (name or "--template")
    return _refused(place, said("template error: %(message)s", message=str(exc)))


def _render(folder: Path | None, name: str, **values: object) -> str:
    try:
        return _environment(folder).get_template(name).render(_=_, **values)
    except jinja2.TemplateError as exc:
        raise _template_error(exc) from None


def _read(folder: Path | None, name: str) -> str:
    for candidate in ([folder / name] if folder else []) + [SHIPPED / name]:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return ""


def _logo(folder: Path | None) -> str | None:
    for name, mime in LOGOS.items():
        for base in [folder, SHIPPED] if folder else [SHIPPED]:
            file = base / name
            if file.is_file():
                data = base64.b64encode(file.read_bytes()).decode("ascii")
                return f"data:{mime};base64,{data}"
    return None


def _edition_text(p: Profile) -> str:
    if p.public:
        return _("Public edition")
    return _("Classified edition, up to %(level)s", level=p.level_name)


def _marking_text(p: Profile, copy: Copy | None) -> str:
    if copy is None:
        return p.marking_name.upper()
    return " · ".join(
        [
            p.marking_name.upper(),
            _("copy %(number)s", number=copy.number),
            copy.recipient,
        ]
    )


def _toc(p: Profile) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The table of contents: the ids and titles the template gives its headings."""
    return [
        (
            "summary",
            _("Summary"),
            [("summary-top", _("The highest risks")), ("summary-moved", _("What moved"))],
        ),
        (
            "method",
            _("The method in brief"),
            [
                ("method-criteria", _("Interests and criteria")),
                ("method-classes", _("Classes and thresholds")),
                ("method-likelihood", _("Likelihood, weights and uncertainty")),
            ],
        ),
        ("themes", _("Per theme"), [(f"theme-{i}", t.name) for i, t in enumerate(p.themes, 1)]),
        (
            "sheets",
            _("Scenario sheets"),
            [(f"sheet-{i}", s.title) for i, s in enumerate(p.sheets, 1)],
        ),
        (
            "annexes",
            _("Annexes"),
            [
                ("annex-scores", _("All scores")),
                ("annex-weights", _("Weight profiles and the ranking's sensitivity")),
                ("annex-organisations", _("Participating organisations")),
            ],
        ),
    ]


def profile_html(
    p: Profile,
    figures: ProfileFigures,
    *,
    copy: Copy | None = None,
    template: Path | None = None,
    for_print: bool = False,
) -> str:
    """The profile as one standalone HTML page (no script, no outside resource).

    ``for_print`` embeds the figures as SVG images rather than inline SVG: the same
    vectors, but WeasyPrint then parses each with its own XML parser instead of
    running the page's HTML parser and style cascade over thousands of SVG
    elements, which more than halves the time to typeset the PDF."""
    return _render(
        template,
        "profile.html",
        p=p,
        figures=_as_images(figures, p) if for_print else _trusted(figures),
        copy=copy,
        css=_markup(_read(template, "profile.css")),  # the template's own, as trusted as it
        marking_text=_marking_text(p, copy),
        edition_text=_edition_text(p),
        made_on=i18n.format_date(p.made_on, "long"),
        toc=_toc(p),
        logo=_logo(template),
    )


def _trusted(figures: ProfileFigures) -> ProfileFigures:
    """The figures as markup: weerbaar draws them, and matplotlib escapes their text."""
    return dataclasses.replace(
        figures,
        diagram=_markup(figures.diagram),
        portfolio=None if figures.portfolio is None else _markup(figures.portfolio),
        levels=None if figures.levels is None else _markup(figures.levels),
        trends={theme: _markup(svg) for theme, svg in figures.trends.items()},
    )


def _markup(text: str) -> Markup:
    """Text to put into the page unescaped: only what weerbaar made itself (figures,
    whose text matplotlib escapes) or the template folder's own stylesheet."""
    return Markup(text)  # noqa: S704 - never the register's text, see the callers


def _as_images(figures: ProfileFigures, p: Profile) -> ProfileFigures:
    """The figures as ``<img>`` elements of SVG data, each with its text alternative."""
    themes = {t.key: t.name for t in p.themes}
    return ProfileFigures(
        diagram=_image(figures.diagram, _("Risk diagram of %(round)s", round=p.round_name)),
        portfolio=None
        if figures.portfolio is None
        else _image(figures.portfolio, _("Portfolio heatmap")),
        levels=None if figures.levels is None else _image(figures.levels, _("Threat levels")),
        trends={
            theme: _image(svg, _("Signals about %(theme)s", theme=themes.get(theme, theme)))
            for theme, svg in figures.trends.items()
        },
    )


def _image(svg: str, alt: str) -> Markup:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="figure" alt="{}" src="data:image/svg+xml;base64,{}">').format(
        alt, data
    )


def profile_markdown(p: Profile, *, copy: Copy | None = None, template: Path | None = None) -> str:
    """The profile as Markdown, for editing into other documents (no figures)."""
    return _render(
        template,
        "profile.md",
        p=p,
        copy=copy,
        marking_text=_marking_text(p, copy),
        edition_text=_edition_text(p),
        made_on=i18n.format_date(p.made_on, "long"),
        cell=_cell,
    )


def _cell(text: object) -> str:
    """A Markdown table cell: no pipe or line break can break the table."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def profile_pdf(html: str) -> tuple[bytes, int]:
    """Typeset the HTML as a tagged PDF (PDF/UA-1); the PDF and its page count."""
    import weasyprint

    from weerbaar.reports import _pdf_pages

    _pdf_pages.install()
    try:
        # Everything the page shows is inside it (figures and logo as data: URIs); a
        # template may not make the typesetter read a file or ask a server.
        inside = weasyprint.URLFetcher(allowed_protocols={"data"})
        document = weasyprint.HTML(string=html, url_fetcher=inside).render(pdf_variant=PDF_VARIANT)
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    except Exception as exc:  # noqa: BLE001 - a stylesheet can break the layout in many ways
        raise _refused(
            "profile.css", said("typesetting failed: %(message)s", message=str(exc))
        ) from None
    assert pdf is not None  # without a target, write_pdf returns the bytes
    return pdf, len(document.pages)


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise _refused(
            "--lang",
            said(
                "unknown language %(language)s; known: %(known)s",
                language=repr(language),
                known=", ".join(LANGUAGES),
            ),
        )
    return language


def _recipient(ctx: Context, recipient: str | None) -> str:
    name = " ".join((recipient or ctx.actor).split())
    if not name or len(name) > RECIPIENT_LENGTH:
        raise _refused(
            "--recipient",
            said("the recipient's name must be 1 to %(n)s characters", n=RECIPIENT_LENGTH),
        )
    if not name.isprintable():  # it is printed on every page, and goes on the trail
        raise _refused("--recipient", said("the recipient's name may hold no control characters"))
    return name


def make_profile(
    ctx: Context,
    *,
    round_key: str | None,
    level: str,
    language: str,
    output: Path,
    recipient: str | None = None,
    organisation: str | None = None,
    template: Path | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> MadeProfile:
    """Make one copy of the round's profile for ``ctx.subject`` (None: the operator).

    A classified copy is numbered and addressed to ``recipient`` (default: whoever
    makes it); every copy, public or not, is on the audit trail with its hash.
    ``round_key`` None is the newest round the edition's reader may see."""
    _check_output(output)
    fmt = format_of(output)
    folder = _template_dir(template)
    _language(language)
    ctx.db.keys()  # every copy goes on the trail: without its key, stop before the work
    edition = edition_for(ctx.subject, level, organisation=organisation)
    named = _recipient(ctx, recipient)  # checked even where the edition names no one
    addressee = None if edition.public else named
    step = progress or (lambda done, total: None)
    step(0, STEPS)
    if round_key is None:
        round_key = _newest(ctx, edition.reader)
    with i18n.speaking(language):
        p = build_profile(ctx.db, edition, round_key=round_key, today=today)
        step(1, STEPS)
        figures = None
        if fmt != "md":
            until = dt.datetime.combine(p.made_on, dt.time.max, dt.UTC)
            since = dt.datetime.combine(max(p.since, dt.date(1900, 1, 1)), dt.time.min, dt.UTC)
            assert p.assessed is not None
            figures = profile_figures(
                ctx.db,
                edition.reader,
                current=p.assessed,
                earlier=p.earlier,
                since=since,
                until=until,
            )
        step(2, STEPS)
        copy = None
        if addressee is not None:
            copy = reserve_copy(
                ctx,
                round_key=round_key,
                level=level,
                marking=p.marking,
                language=language,
                fmt=fmt,
                recipient=addressee,
            )
        try:
            content, pages = _typeset(p, figures, fmt=fmt, copy=copy, template=folder)
            step(3, STEPS)
            _write(output, content)
            digest = issue_copy(
                ctx,
                copy=copy,
                round_key=round_key,
                level=level,
                marking=p.marking,
                language=language,
                fmt=fmt,
                content=content,
            )
        except BaseException:
            if copy is not None:
                spoil_copy(ctx, copy)
            raise
    step(STEPS, STEPS)
    return MadeProfile(
        path=output,
        format=fmt,
        level=level,
        marking=p.marking,
        language=language,
        sha256=digest,
        copy=copy,
        scenarios=len(p.keys),
        pages=pages,
    )


def _newest(ctx: Context, reader: Subject) -> str:
    with ctx.db.transaction() as connection:
        return newest_round(Repository(connection), visibility(connection, reader)).key


def _typeset(
    p: Profile,
    figures: ProfileFigures | None,
    *,
    fmt: str,
    copy: Copy | None,
    template: Path | None,
) -> tuple[bytes, int | None]:
    if fmt == "md":
        return profile_markdown(p, copy=copy, template=template).encode("utf-8"), None
    assert figures is not None
    if fmt == "pdf":
        return profile_pdf(profile_html(p, figures, copy=copy, template=template, for_print=True))
    return profile_html(p, figures, copy=copy, template=template).encode("utf-8"), None


def _write(output: Path, content: bytes) -> None:
    try:
        write_atomic(output, content)
    except OSError as exc:
        raise _refused(
            "--output",
            said("%(path)s cannot be written: %(reason)s", path=str(output), reason=exc.strerror),
        ) from None


def copy_template(folder: Path, *, names: Sequence[str] = TEMPLATE_FILES) -> list[Path]:
    """Copy the shipped template into ``folder`` to restyle; existing files are kept."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name in names:
        target = folder / name
        if not target.exists():
            target.write_bytes((SHIPPED / name).read_bytes())
            made.append(target)
    return made
