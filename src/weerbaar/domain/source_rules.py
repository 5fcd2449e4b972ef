"""What a source record must hold to be polled safely. The secret a source needs is
named, never kept: an environment variable of its own family or a file in the
secrets folder, so that whoever edits a source cannot have the poller send another
secret of the server (its database address, a key file) to an address of their
choosing."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from weerbaar.domain.entities.signals import Source
from weerbaar.domain.enums import AuthScheme
from weerbaar.errors import said

__all__ = ["SECRET_FILE_PATTERN", "SECRET_VARIABLE_PATTERN", "source_problems"]

SECRET_VARIABLE_PATTERN = re.compile(r"WEERBAAR_SOURCE_[A-Z0-9_]{1,64}")
SECRET_FILE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def source_problems(record: Source) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    parts = urlsplit(record.address.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        out.append(
            (
                "address",
                said(
                    "an http or https address, not %(address)s", address=repr(record.address[:200])
                ),
            )
        )
    elif parts.username or parts.password:
        out.append(
            (
                "address",
                said(
                    "no user name or password in the address; name the "
                    "secret's variable or file instead"
                ),
            )
        )
    if record.secret_env and not SECRET_VARIABLE_PATTERN.fullmatch(record.secret_env):
        out.append(("secret_env", said("a variable named WEERBAAR_SOURCE_…, in capitals")))
    if record.secret_file and (
        not SECRET_FILE_PATTERN.fullmatch(record.secret_file) or ".." in record.secret_file
    ):
        out.append(("secret_file", said("a file name in the secrets folder, without a path")))
    if record.secret_env and record.secret_file:
        out.append(("secret_file", said("either a variable or a file, not both")))
    needs_secret = record.auth not in (None, AuthScheme.NONE)
    if needs_secret and not (record.secret_env or record.secret_file):
        out.append(("auth", said("this authentication needs the secret's variable or file")))
    if record.auth is AuthScheme.BASIC and not record.username:
        out.append(("username", said("basic authentication needs a user name")))
    return out
