"""A push service on localhost that does what Google's or Mozilla's does with a request: checks
the VAPID JWT (RFC 8292) and hands the body on. Here, the test decrypts the body (RFC 8291,
aes128gcm) with the browser's private key and auth secret, as the browser would."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BrowserKeys:
    """What a browser keeps for one subscription: its ECDH key pair and auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> bytes:
        return http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )


def browser_keys() -> BrowserKeys:
    return BrowserKeys(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))


class VapidRejected(AssertionError):
    pass


def verify_vapid(authorization: str, *, audience: str) -> tuple[dict[str, Any], str]:
    """The claims of a `vapid t=<JWT>,k=<public key>` header and the key, if the ES256 signature
    holds and the claims are what RFC 8292 asks; raises VapidRejected otherwise."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidRejected(f"scheme {scheme!r}")
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    token, key = parts["t"], parts["k"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(unb64url(header_b64))
    if header.get("alg") != "ES256":
        raise VapidRejected(f"header {header}")
    signature = unb64url(signature_b64)
    if len(signature) != 64:
        raise VapidRejected("an ES256 signature is r||s, 64 bytes")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    try:
        public.verify(
            encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            ),
            f"{header_b64}.{claims_b64}".encode(),
            ec.ECDSA(hashes.SHA256()),
        )
    except InvalidSignature:
        raise VapidRejected("signature") from None
    claims = json.loads(unb64url(claims_b64))
    now = time.time()
    if claims.get("aud") != audience:
        raise VapidRejected(f"aud {claims.get('aud')!r} is not {audience!r}")
    if not now < claims["exp"] <= now + 24 * 3600:
        raise VapidRejected("exp must be in the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise VapidRejected("sub must be a mailto: or https: URL")
    return claims, key


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    claims: dict[str, Any]
    vapid_key: str


@dataclass
class FakePushService:
    """Answers 201 unless `status` names another code for a path; `delay` holds an answer."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)
    delay: dict[str, float] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"


def _handler(service: FakePushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(service.delay.get(self.path, 0))
            try:
                claims, key = verify_vapid(
                    self.headers.get("Authorization", ""), audience=service.origin
                )
            except (VapidRejected, KeyError, ValueError):
                self._answer(401)
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            service.received.append(Received(self.path, headers, body, claims, key))
            self._answer(service.status.get(self.path, 201))

        def _answer(self, status: int) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def running() -> Iterator[FakePushService]:
    service = FakePushService()
    server = ThreadingHTTPServer((service.host, 0), _handler(service))
    server.daemon_threads = True
    service.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
