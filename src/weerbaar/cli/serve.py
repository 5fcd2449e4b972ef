"""``weerbaar serve``: the web app and API."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.errors import ConfigError
from weerbaar.formats.atomic import write_atomic
from weerbaar.i18n import N_, _
from weerbaar.reference.access import classification_levels
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.storage.db import Database

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

FORWARDED_ALLOW_IPS_VARIABLE = "WEERBAAR_FORWARDED_ALLOW_IPS"
# Beside the trail's keys, the folder readable by the service's account alone.
FIRST_PASSWORD_FILE = "first-administrator-password"  # noqa: S105 - a file name
# Where prometheus_client's processes share their figures (its own variable).
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def ensure_first_admin(
    ctx: Context,
    db: Database,
    *,
    password: str | None,
    terminal: bool = True,
    password_file: Path | None = None,
) -> None:
    """With no administrator yet, create ``admin`` with ``password`` (from the
    settings), or with a new one shown once (it is not stored anywhere but as its
    hash). Other accounts do not count: the demo profile brings its own experts and
    assessors, and someone must still be able to administer the installation.

    A new password is printed only to a ``terminal``. Otherwise the output goes to a
    log (a service's journal, a container's log), where a password must never be: it
    is then written to ``password_file``, readable by this account alone, and only
    the file is named."""
    known = accounts.list_users(db)
    if any(user.role == "administrator" for user in known):
        return
    if any(user.username == "admin" for user in known):
        console().print(
            escape(
                _(
                    "No administrator, and the name admin is taken: add one with "
                    "weerbaar user add NAME --role administrator …"
                )
            )
        )
        return
    from weerbaar.storage.repository import Repository

    with db.transaction() as connection:
        orgs = Repository(connection).fetch("organisations")
    if not orgs:
        raise ConfigError(
            _(
                "no organisations in the register: load some first (weerbaar demo load, "
                "or weerbaar import FILE); the first administrator belongs to one"
            )
        )
    home = next((o for o in orgs if o.key == "nctv"), orgs[0])
    given = password
    password = given or secrets.token_urlsafe(15)
    kept = None if given or terminal else _keep_password(password, password_file)
    levels = classification_levels().keys
    try:
        accounts.add_user(
            ctx,
            username="admin",
            password=password,
            role="administrator",
            organisation=home.key,
            clearance=levels[-1],
            display_name="Administrator",
        )
    except BaseException:
        if kept is not None:
            kept.unlink(missing_ok=True)
        raise
    out = console()
    out.print(
        _(
            "Created the first administrator: %(user)s (%(organisation)s).",
            user="[bold]admin[/]",
            organisation=escape(home.key),
        )
    )
    if kept is not None:
        out.print(
            escape(
                _(
                    "Its password is in %(file)s, readable by this account only: sign in "
                    "with it, then delete the file.",
                    file=str(kept),
                )
            )
        )
    elif not given:
        said = escape(_("Password (shown once, change it with weerbaar user passwd):"))
        out.print(f"{said} [bold]{escape(password)}[/]")


def _keep_password(password: str, password_file: Path | None) -> Path:
    """``password`` in ``password_file``, readable by its owner alone, before the
    account exists: a password nobody can read would lock the installation out."""
    if password_file is None:
        raise ConfigError(
            _(
                "no administrator yet, and no terminal to show a new password on: set "
                "WEERBAAR_ADMIN_PASSWORD for the first start, or add one with weerbaar "
                "user add NAME --role administrator …"
            )
        )
    try:
        return write_atomic(password_file, (password + "\n").encode("utf-8"))
    except OSError as exc:
        raise ConfigError(
            _(
                "cannot write the first administrator's password to %(file)s (%(problem)s): "
                "set WEERBAAR_ADMIN_PASSWORD for the first start instead",
                file=str(password_file),
                problem=exc.strerror or str(exc),
            )
        ) from exc


def trusted_proxies(value: str | None) -> list[str]:
    """The proxies named in ``--forwarded-allow-ips``: addresses or networks, comma
    separated. Anything else is refused rather than guessed at, as a proxy trusted by
    mistake lets every client choose the address it is audited and throttled under."""
    names = [part.strip() for part in (value or "").split(",") if part.strip()]
    for name in names:
        try:
            ipaddress.ip_network(name, strict=False)
        except ValueError as exc:
            raise ConfigError(
                _(
                    "--forwarded-allow-ips: %(name)s is not an IP address or network",
                    name=repr(name),
                )
            ) from exc
    return names


def server_config(
    app: FastAPI, *, host: str, port: int, forwarded_allow_ips: list[str]
) -> uvicorn.Config:
    """How uvicorn runs the app. Proxy headers (X-Forwarded-For, X-Forwarded-Proto)
    are read only from the proxies named; with none named they are ignored, whoever
    sends them (uvicorn would otherwise trust any client on 127.0.0.1).

    uvicorn leaves logging as the command set it (weerbaar.log_format), so its lines
    come in the same format as the rest; its access log is off, as it writes the query
    string: the app writes its own (weerbaar.web.request_ids)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or None,
    )


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help=N_("address to listen on"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help=N_("port"))] = 8000,
    secure_cookies: Annotated[
        bool, typer.Option(help=N_("mark cookies Secure (behind HTTPS)"))
    ] = False,
    notify_interval: Annotated[
        float,
        typer.Option(
            min=0,
            help=N_(
                "seconds between rounds of delivering due notifications (0: never; then "
                "run `weerbaar worker` beside it)"
            ),
        ),
    ] = 30.0,
    poll_interval: Annotated[
        float,
        typer.Option(
            min=0,
            help=N_(
                "seconds between looks for sources due to be polled (0: never; then run "
                "`weerbaar worker` beside it)"
            ),
        ),
    ] = 60.0,
    workers: Annotated[
        int,
        typer.Option(
            min=0,
            max=64,
            help=N_(
                "worker processes, each on its own core (0: one per core; 1: this process alone)"
            ),
        ),
    ] = 0,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            envvar=FORWARDED_ALLOW_IPS_VARIABLE,
            help=N_(
                "comma-separated addresses or networks of the reverse proxies whose "
                "X-Forwarded-For and X-Forwarded-Proto are believed (default: none)"
            ),
        ),
    ] = None,
) -> None:
    import uvicorn

    proxies = trusted_proxies(forwarded_allow_ips)
    st = state(ctx)
    db = st.database()
    db.keys()  # without the audit trail's key every edit would fail: say so at start
    ensure_first_admin(
        st.context(),
        db,
        password=st.settings.web.admin_password,
        terminal=sys.stdout.isatty(),
        password_file=st.settings.trail.key_dir / FIRST_PASSWORD_FILE,
    )
    url = f"http://{host}:{port}/"
    console().print(escape(_("weerbaar on %(url)s  (API: /api/v1/docs)", url=url)))
    web = dataclasses.replace(
        st.settings.web,
        secure_cookies=secure_cookies,
        notify_interval=notify_interval or None,
        poll_interval=poll_interval or None,
        warm_engines=True,
    )
    settings = dataclasses.replace(st.settings, web=web)
    count = workers or len(os.sched_getaffinity(0)) or 1
    if count == 1:
        from weerbaar.web.app import create_app

        app = create_app(settings, db=db)
        uvicorn.Server(server_config(app, host=host, port=port, forwarded_allow_ips=proxies)).run()
        return
    # Each worker opens the database itself after the fork: connections must not
    # cross it.
    db.dispose()
    folder = Path(tempfile.mkdtemp(prefix="weerbaar-metrics-"))
    arbiter = os.getpid()
    try:
        # prometheus_client looks for its shared folder as it is first imported, which
        # is with the app's modules, just below.
        os.environ[METRICS_DIR_VARIABLE] = str(folder)
        from weerbaar.web.app import create_app
        from weerbaar.web.workers import run_workers

        shared = dataclasses.replace(
            settings, web=dataclasses.replace(settings.web, metrics_dir=folder)
        )
        run_workers(
            lambda: create_app(shared),
            host=host,
            port=port,
            workers=count,
            forwarded_allow_ips=proxies,
            logs=settings.logs,
            metrics_dir=folder,
        )
    finally:
        # A worker leaves through here too, being a fork of this process: the folder
        # is removed only when the arbiter stops, not under the workers that remain.
        if os.getpid() == arbiter:
            shutil.rmtree(folder, ignore_errors=True)
