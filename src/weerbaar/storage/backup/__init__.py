"""Backups as one file, and what makes and reads them.

A backup is a tar archive (readable with ``tar -tvf``) of:

- ``manifest.json``: the format and its version, the weerbaar version and schema
  revision that made it, the database kind, when it was made, the audit trail's name,
  key id and head (entry count and hash) in the snapshot, and the size and SHA-256 of
  every other member;
- ``database.sqlite`` (SQLite's online backup of every page in one step) or
  ``database.pgdump`` (``pg_dump --format=custom`` of one snapshot): the register;
- ``checkpoints/<trail>.log``: the trail's signed checkpoints up to that head;
- ``checkpoint-signing.pub.pem``: the public key that checks them;
- ``keys.sealed``, only when asked for: the trail's key folder, sealed with a
  passphrase (scrypt and AES-256-GCM), since a backup is no place for keys in the
  clear.

Each module here does one mechanical step; the use cases (backing up, verifying,
restoring, with the audit trail checked) are :mod:`weerbaar.services.backups`.
"""
