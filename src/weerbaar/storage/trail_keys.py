"""The keys that protect the audit trail, kept in a folder apart from the database.

Two keys: the chain key (32 random bytes; HMAC-SHA256 over every entry) and the
checkpoint signing key (Ed25519; signs the head now and then, see
:mod:`weerbaar.storage.checkpoints`). ``weerbaar init`` creates both when the folder
has none, readable by the owner only. Whoever holds the database but not this folder
can neither rewrite the trail nor forge an entry unseen, so keep the folder (and the
checkpoints) on other storage than the database and back it up separately.

Where the folder is comes from :class:`weerbaar.config.TrailConfig`, read once at
start (``WEERBAAR_KEY_DIR``, by default the user's configuration folder).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from weerbaar.config import TrailConfig
from weerbaar.domain.audit import ChainKey
from weerbaar.errors import TrailKeyError

CHAIN_KEY_FILE = "audit-chain.key"
SIGNING_KEY_FILE = "checkpoint-signing.pem"
PUBLIC_KEY_FILE = "checkpoint-signing.pub.pem"


@dataclass(frozen=True, slots=True)
class TrailKeys:
    secret: bytes
    signing: Ed25519PrivateKey | None  # None where only the public key is at hand
    public: Ed25519PublicKey

    def chain_key(self, trail: str) -> ChainKey:
        return ChainKey(self.secret, trail)

    @property
    def key_id(self) -> str:
        return ChainKey(self.secret, "").key_id

    def sign(self, payload: bytes) -> bytes:
        if self.signing is None:
            raise TrailKeyError("the checkpoint signing key is not at hand; only the public key")
        return self.signing.sign(payload)

    def signed(self, payload: bytes, signature: bytes) -> bool:
        try:
            self.public.verify(signature, payload)
        except InvalidSignature:
            return False
        return True


def keys_exist(config: TrailConfig) -> bool:
    return (config.key_dir / CHAIN_KEY_FILE).exists()


def load_keys(config: TrailConfig) -> TrailKeys:
    folder = config.key_dir
    chain_file = folder / CHAIN_KEY_FILE
    try:
        secret = bytes.fromhex(chain_file.read_text("ascii").strip())
    except FileNotFoundError as exc:
        raise TrailKeyError(
            f"the audit trail's key is missing: no {chain_file}. Restore the key folder from "
            "its backup (or set WEERBAAR_KEY_DIR to where it is); `weerbaar init` creates "
            "keys only for a trail that has none yet"
        ) from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise TrailKeyError(f"cannot read the audit trail's key {chain_file}: {exc}") from exc
    if len(secret) < 32:
        raise TrailKeyError(f"{chain_file} holds {len(secret)} bytes; a chain key has 32")
    signing: Ed25519PrivateKey | None = None
    try:
        private_pem = (folder / SIGNING_KEY_FILE).read_bytes()
    except FileNotFoundError:
        private_pem = None
    except OSError as exc:
        raise TrailKeyError(f"cannot read {folder / SIGNING_KEY_FILE}: {exc}") from exc
    try:
        if private_pem is not None:
            loaded = serialization.load_pem_private_key(private_pem, password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise TrailKeyError(f"{folder / SIGNING_KEY_FILE} is not an Ed25519 key")
            signing = loaded
        public_pem = (folder / PUBLIC_KEY_FILE).read_bytes()
        public = serialization.load_pem_public_key(public_pem)
    except FileNotFoundError as exc:
        raise TrailKeyError(f"the checkpoint key is missing: no {exc.filename}") from exc
    except (OSError, ValueError, TypeError) as exc:
        raise TrailKeyError(f"cannot read the checkpoint key in {folder}: {exc}") from exc
    if not isinstance(public, Ed25519PublicKey):
        raise TrailKeyError(f"{folder / PUBLIC_KEY_FILE} is not an Ed25519 public key")
    if signing is not None and signing.public_key() != public:
        raise TrailKeyError(f"the checkpoint keys in {folder} do not belong together")
    return TrailKeys(secret, signing, public)


def create_keys(config: TrailConfig) -> TrailKeys:
    """New keys in an empty key folder, each file readable by its owner only."""
    folder = config.key_dir
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        signing = Ed25519PrivateKey.generate()
        private_pem = signing.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public_pem = signing.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        # The public key first and the chain key last: a folder counts as keyed once
        # the chain key is there, so a crash halfway leaves no half-made key set.
        _write_new(folder / PUBLIC_KEY_FILE, public_pem, 0o644)
        _write_new(folder / SIGNING_KEY_FILE, private_pem, 0o600)
        _write_new(folder / CHAIN_KEY_FILE, (secrets.token_hex(32) + "\n").encode(), 0o600)
    except FileExistsError as exc:
        raise TrailKeyError(
            f"{exc.filename} already exists without a chain key beside it; move the key "
            f"folder {folder} aside and run `weerbaar init` again"
        ) from exc
    except OSError as exc:
        raise TrailKeyError(f"cannot create the audit trail's keys in {folder}: {exc}") from exc
    return load_keys(config)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def ensure_keys(config: TrailConfig) -> TrailKeys:
    return load_keys(config) if keys_exist(config) else create_keys(config)
