"""Pass tokens and codes.

A token is base64url(version || pass id || start || end || Ed25519 signature): 97 bytes, no
personal data, and unforgeable without the server's pass key (a separate key file from the
record's). Anyone holding the public key can check a token offline; the server also checks
that the pass was not revoked. The short code is an HMAC of the pass id: 12 characters of
Crockford base32 (60 bits), only ever looked up under a rate limit. A gate's link token is an
HMAC of the gate's random link key, so it can be shown again but not rebuilt from the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

VERSION = 1
_PAYLOAD = struct.Struct(">B16sqq")
SIGNATURE_SIZE = 64
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 12


@cache
def _private_key(path: str) -> Ed25519PrivateKey:
    file = Path(path)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(file.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def private_key() -> Ed25519PrivateKey:
    return _private_key(settings.PASS_SIGNING_KEY_FILE)


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass(frozen=True)
class TokenClaims:
    pass_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime


class BadToken(ValueError):
    """The token was not made by this server, or was changed since."""


def make_token(pass_id: uuid.UUID, starts_at: datetime, ends_at: datetime) -> str:
    payload = _PAYLOAD.pack(
        VERSION, pass_id.bytes, int(starts_at.timestamp()), int(ends_at.timestamp())
    )
    raw = payload + private_key().sign(payload)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_token(token: str) -> TokenClaims:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        raise BadToken from None
    if (
        len(raw) != _PAYLOAD.size + SIGNATURE_SIZE
        or base64.urlsafe_b64encode(raw).decode().rstrip("=") != token
    ):
        raise BadToken
    payload, signature = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    try:
        public_key().verify(signature, payload)
    except InvalidSignature:
        raise BadToken from None
    version, pass_bytes, start, end = _PAYLOAD.unpack(payload)
    if version != VERSION:
        raise BadToken
    return TokenClaims(
        uuid.UUID(bytes=pass_bytes),
        datetime.fromtimestamp(start, UTC),
        datetime.fromtimestamp(end, UTC),
    )


def make_code(pass_id: uuid.UUID) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"pass-code:" + pass_id.bytes, hashlib.sha256
    ).digest()
    number = int.from_bytes(digest[:8]) >> 4  # 60 bits
    chars = []
    for _ in range(CODE_LENGTH):
        number, digit = divmod(number, 32)
        chars.append(CODE_ALPHABET[digit])
    code = "".join(chars)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalise_code(text: str) -> str:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != CODE_LENGTH:
        return ""
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def gate_token(link_key: str) -> str:
    """A gate link's token: 256 bits, derived from the gate's random key and SECRET_KEY, so the
    server can show it again while a copy of the database alone cannot rebuild it."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"gate-link:" + link_key.encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
