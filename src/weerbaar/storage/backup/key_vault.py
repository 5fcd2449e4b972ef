"""The trail's key folder sealed with a passphrase, for a backup that carries it.

scrypt turns the passphrase into a 256-bit key (costly to guess: 128 MiB and a
fraction of a second per try), AES-256-GCM seals the key files with it, bound to the
trail and key they belong to, so a sealed key set cannot be passed off as another
backup's. A wrong passphrase and an altered sealed member look the same: both fail
the seal's check, and nothing is unsealed.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from weerbaar.errors import FileFormatError, TrailKeyError, UnauthenticatedError, said
from weerbaar.storage.trail_keys import CHAIN_KEY_FILE, PUBLIC_KEY_FILE, SIGNING_KEY_FILE

# In the order they are written into a key folder: the chain key last, since a folder
# counts as keyed once it is there (as trail_keys.create_keys writes them).
KEY_FILES = (PUBLIC_KEY_FILE, SIGNING_KEY_FILE, CHAIN_KEY_FILE)

# OWASP's scrypt parameters for passwords; the upper bounds refuse a manifest that
# would make reading it cost gigabytes.
_N, _R, _P = 2**17, 8, 1
_MAX_N, _MAX_R, _MAX_P = 2**20, 16, 4


@dataclass(frozen=True, slots=True)
class Sealing:
    """How a key set was sealed; it goes into the manifest (none of it is secret)."""

    salt: bytes
    nonce: bytes
    n: int = _N
    r: int = _R
    p: int = _P

    def as_plain(self) -> dict[str, Any]:
        return {
            "kdf": "scrypt",
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "cipher": "AES-256-GCM",
            "nonce": base64.b64encode(self.nonce).decode("ascii"),
        }

    @classmethod
    def from_plain(cls, plain: dict[str, Any], *, where: str) -> Sealing:
        sealing = None
        if plain.get("kdf") == "scrypt" and plain.get("cipher") == "AES-256-GCM":
            try:
                sealing = cls(
                    salt=base64.b64decode(plain["salt"], validate=True),
                    nonce=base64.b64decode(plain["nonce"], validate=True),
                    n=int(plain["n"]),
                    r=int(plain["r"]),
                    p=int(plain["p"]),
                )
            except (KeyError, TypeError, ValueError, binascii.Error):
                sealing = None
        if sealing is None or not sealing.bounded():
            raise FileFormatError(
                said(
                    "%(file)s: the sealed keys are described in a way this weerbaar does not know",
                    file=where,
                )
            )
        return sealing

    def bounded(self) -> bool:
        """Whether the parameters are sound and cost no more than a reader can bear."""
        return (
            2 <= self.n <= _MAX_N
            and self.n & (self.n - 1) == 0
            and 1 <= self.r <= _MAX_R
            and 1 <= self.p <= _MAX_P
            and len(self.nonce) == 12
            and len(self.salt) >= 16
        )


def _key(passphrase: str, sealing: Sealing) -> bytes:
    kdf = Scrypt(salt=sealing.salt, length=32, n=sealing.n, r=sealing.r, p=sealing.p)
    return kdf.derive(passphrase.encode("utf-8"))


def seal(key_dir: Path, passphrase: str, *, bound_to: str) -> tuple[Sealing, bytes]:
    """The key files of ``key_dir`` sealed under ``passphrase``: how, and the sealed bytes."""
    if not passphrase:
        raise TrailKeyError(said("the passphrase that seals the keys may not be empty"))
    files: dict[str, str] = {}
    for name in KEY_FILES:
        try:
            files[name] = base64.b64encode((key_dir / name).read_bytes()).decode("ascii")
        except FileNotFoundError:
            if name == CHAIN_KEY_FILE:
                raise TrailKeyError(
                    said(
                        "there are no keys to add to the backup: no %(file)s",
                        file=str(key_dir / name),
                    )
                ) from None
    sealing = Sealing(salt=secrets.token_bytes(16), nonce=secrets.token_bytes(12))
    plain = json.dumps(files, sort_keys=True).encode("utf-8")
    sealed = AESGCM(_key(passphrase, sealing)).encrypt(
        sealing.nonce, plain, bound_to.encode("utf-8")
    )
    return sealing, sealed


def unseal(sealing: Sealing, sealed: bytes, passphrase: str, *, bound_to: str) -> dict[str, bytes]:
    """The key files (name → content) sealed in ``sealed``."""
    try:
        plain = AESGCM(_key(passphrase, sealing)).decrypt(
            sealing.nonce, sealed, bound_to.encode("utf-8")
        )
    except InvalidTag:
        raise UnauthenticatedError(
            said(
                "the passphrase does not open the keys in this backup (or the sealed keys "
                "were altered): nothing was restored"
            )
        ) from None
    files = json.loads(plain)
    return {name: base64.b64decode(files[name]) for name in KEY_FILES if name in files}


def place(key_dir: Path, files: dict[str, bytes]) -> None:
    """Write the key files into ``key_dir``, which holds no chain key: each new, owner
    only; a file already there is left as it is if it is the same, else refused."""
    try:
        key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in KEY_FILES:
            if name not in files:
                continue
            path = key_dir / name
            mode = 0o644 if name == PUBLIC_KEY_FILE else 0o600
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            except FileExistsError:
                if path.read_bytes() != files[name]:
                    raise TrailKeyError(
                        said(
                            "%(file)s is there already and is not the backup's: keys are "
                            "never overwritten. Point WEERBAAR_KEY_DIR at an empty folder",
                            file=str(path),
                        )
                    ) from None
                continue
            with os.fdopen(descriptor, "wb") as file:
                file.write(files[name])
                file.flush()
                os.fsync(file.fileno())
    except OSError as exc:
        raise TrailKeyError(
            said(
                "cannot write the keys into %(folder)s: %(detail)s", folder=str(key_dir), detail=exc
            )
        ) from exc


def binding(trail: str, key_id: str) -> str:
    """What sealed keys are bound to: the trail and key they belong to."""
    return f"weerbaar-backup-keys/{trail}/{key_id}"


def same_public_key(pem: bytes, public: Ed25519PublicKey) -> bool:
    """Whether the PEM ``pem`` is the public key ``public``."""
    try:
        loaded = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        return False
    raw = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return isinstance(loaded, Ed25519PublicKey) and loaded.public_bytes(
        *raw
    ) == public.public_bytes(*raw)
