"""The server's VAPID key pair (RFC 8292): it signs every push request, and browsers bind each
subscription to its public half. Kept in a file like the record signing key (PUSH_VAPID_KEY_FILE,
default var/push-vapid.pem, mode 0600), created on first use. Replacing it orphans every
subscription: push services refuse requests signed with another key."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid02

from coparent.core.keyfile import KeyFile


def _key_path() -> Path:
    return Path(settings.PUSH_VAPID_KEY_FILE)


def _new_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


_key_file = KeyFile(_new_pem, Vapid02.from_pem)


def vapid() -> Vapid02:
    """The key pair, created on first use; re-read when the file is replaced."""
    return _key_file.load(_key_path())


def application_server_key() -> str:
    """The public key as browsers take it (`applicationServerKey`): the uncompressed P-256 point,
    base64url without padding."""
    point = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()
