"""The server's Ed25519 signing key for checkpoints, kept in a file outside the database.

A database dump alone must not be enough to forge a checkpoint, so the key lives in
RECORD_SIGNING_KEY_FILE (default var/record-signing.key, mode 0600), created on first use.
`coparent records rotate-key` retires the current key (its verifier key stays published, so old
exports still verify) and starts a new one.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from coparent.tlog import Signer, generate_signer, signer_from_string


def key_name() -> str:
    """The name in every signature line: the server's host, so a verifier sees whose key it is."""
    host = urlsplit(settings.SITE_URL).netloc or "coparent.localhost"
    return f"{host}/coparent-record"


def _key_path() -> Path:
    return Path(settings.RECORD_SIGNING_KEY_FILE)


def _retired_path() -> Path:
    return _key_path().with_name(_key_path().name + ".retired")


@cache
def _load(path: str) -> Signer:
    file = Path(path)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        signer = generate_signer(key_name())
        try:
            # O_EXCL: two processes starting at once must not write two different keys.
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(signer.to_string() + "\n")
    return signer_from_string(file.read_text().strip())


def signer() -> Signer:
    return _load(str(_key_path()))


def verifier_key() -> str:
    return signer().verifier.to_string()


def retired_verifier_keys() -> list[str]:
    path = _retired_path()
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def rotate() -> str:
    """Retire the current key and create a new one; returns the new verifier key."""
    old = verifier_key()
    with _retired_path().open("a") as handle:
        handle.write(old + "\n")
    _key_path().unlink()
    _load.cache_clear()
    return verifier_key()
