"""The server's VAPID key pair (RFC 8292): it signs every push request, and browsers bind each
subscription to its public half. Kept in a file like the record signing key (PUSH_VAPID_KEY_FILE,
default var/push-vapid.pem, mode 0600), created on first use. Replacing it orphans every
subscription: push services refuse requests signed with another key."""

from __future__ import annotations

import base64
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid02

_cache: dict[str, tuple[tuple[int, int, int], Vapid02]] = {}
_cache_lock = threading.Lock()


def _key_path() -> Path:
    return Path(settings.PUSH_VAPID_KEY_FILE)


def _create(file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL: two processes starting at once must not write two different keys.
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def vapid() -> Vapid02:
    """The key pair, created on first use; re-read when the file is replaced."""
    file = _key_path()
    try:
        stat = file.stat()
    except FileNotFoundError:
        _create(file)
        stat = file.stat()
    stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        cached = _cache.get(str(file))
        if cached is not None and cached[0] == stamp:
            return cached[1]
    loaded = Vapid02.from_pem(file.read_bytes())
    with _cache_lock:
        _cache[str(file)] = (stamp, loaded)
    return loaded


def application_server_key() -> str:
    """The public key as browsers take it (`applicationServerKey`): the uncompressed P-256 point,
    base64url without padding."""
    point = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()
