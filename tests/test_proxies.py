"""Client addresses behind (or without) reverse proxies: X-Forwarded-For counts only when the
connection comes from a listed proxy, and `check --deploy` says when the setting looks wrong."""

from __future__ import annotations

import ipaddress

import pytest
from django.core import checks
from django.test import Client, RequestFactory, override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coparent.core.http import client_address, throttle_key_for_address
from tests.cast import PASSWORD, Cast
from tests.test_security import PRODUCTION, run_coparent


def address(remote: str, forwarded: str | None = None) -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        # No proxy configured: the header is anyone's to write and is ignored.
        ([], "203.0.113.9", "6.6.6.6", "203.0.113.9"),
        # A proxy is configured, but this client connects directly: still ignored.
        (["10.0.0.1"], "203.0.113.9", "6.6.6.6", "203.0.113.9"),
        # Through the proxy: the address the proxy saw, not what the client prepended.
        (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        # Two proxies of ours (a CIDR and an address): skip both from the right.
        (["10.0.0.0/8", "192.0.2.1"], "10.1.2.3", "6.6.6.6, 203.0.113.9, 192.0.2.1", "203.0.113.9"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:1::5, 2001:db8::2", "2001:db8:1::5"),
        (["2001:db8::/32"], "2001:db8::1", "2a00:1450::1", "2a00:1450::1"),
        # A dual-stack server sees an IPv4 proxy as an IPv4-mapped IPv6 address.
        (["10.0.0.1"], "::ffff:10.0.0.1", "203.0.113.9", "203.0.113.9"),
        # From the proxy without the header (its own health check): the proxy itself.
        (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
        # A garbled hop from the proxy is not taken as an address.
        (["10.0.0.1"], "10.0.0.1", "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address(settings, proxies, remote, forwarded, expected) -> None:
    settings.TRUSTED_PROXIES = proxies
    assert address(remote, forwarded) == expected


@pytest.mark.django_db
def test_a_direct_client_cannot_pick_its_throttle_key(cast: Cast, settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for n in range(5):  # a new forged address on every guess
        Client().post(
            "/accounts/login/",
            {"email": cast.alice.email, "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    blocked = Client().post(
        "/accounts/login/",
        {"email": cast.alice.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert blocked.status_code == 429


# Not ::/64, where IPv4-mapped addresses live; the last /64 has no neighbour after it.
ipv6_prefixes = st.integers(min_value=1, max_value=2**64 - 2)


@given(prefix=ipv6_prefixes, one=st.integers(0, 2**64 - 1), two=st.integers(0, 2**64 - 1))
def test_an_ipv6_client_counts_as_its_whole_64(prefix: int, one: int, two: int) -> None:
    """A subscriber gets a /64 and can use every address in it: one key for all of them."""
    first = str(ipaddress.IPv6Address((prefix << 64) | one))
    second = str(ipaddress.IPv6Address((prefix << 64) | two))
    assert throttle_key_for_address(first) == throttle_key_for_address(second)
    neighbour = str(ipaddress.IPv6Address(((prefix + 1) << 64) | one))
    assert throttle_key_for_address(neighbour) != throttle_key_for_address(first)


@given(st.ip_addresses(v=4))
def test_ipv4_counts_by_the_address_whether_or_not_it_is_mapped(address) -> None:
    assert throttle_key_for_address(str(address)) == str(address)
    assert throttle_key_for_address(f"::ffff:{address}") == str(address)


def test_an_ipv6_client_cannot_pick_its_throttle_key(cast: Cast, settings) -> None:
    for n in range(5):  # a new address of its own /64 on every guess
        Client().post(
            "/accounts/login/",
            {"email": cast.alice.email, "password": "wrong"},
            REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}",
        )
    blocked = Client().post(
        "/accounts/login/",
        {"email": cast.alice.email, "password": PASSWORD},
        REMOTE_ADDR="2001:db8:1:2:ffff::99",
    )
    assert blocked.status_code == 429
    elsewhere = Client().post(
        "/accounts/login/",
        {"email": cast.alice.email, "password": PASSWORD},
        REMOTE_ADDR="2001:db8:1:3::1",
    )
    assert elsewhere.status_code == 302


def security_checks(*, deploy: bool = False) -> list[checks.CheckMessage]:
    return checks.run_checks(tags=[checks.Tags.security], include_deployment_checks=deploy)


def ids(messages: list[checks.CheckMessage]) -> set[str]:
    return {m.id for m in messages if m.id and m.id.startswith("coparent.")}


def test_the_checks_report_a_wrong_proxy_setting(settings, monkeypatch) -> None:
    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    settings.TRUSTED_PROXIES = ["10.0.0.1", "10.0.0.300", "0.0.0.0/0"]
    found = ids(security_checks(deploy=True))
    assert {"coparent.E001", "coparent.W003"} <= found
    assert "coparent.E001" in ids(security_checks()), "a bad entry is an error without --deploy"

    settings.TRUSTED_PROXIES = []
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert "coparent.W002" in ids(security_checks(deploy=True))
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert not ids(security_checks(deploy=True))

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    assert "coparent.W001" in ids(security_checks(deploy=True))


def test_check_deploy_warns_when_production_trusts_no_proxy(tmp_path) -> None:
    import secrets

    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(64), "COPARENT_VAR_DIR": str(tmp_path)}
    env["TRUSTED_PROXIES"] = ""
    result = run_coparent("check", "--deploy", env=env)
    assert "coparent.W002" in result.stdout + result.stderr


@given(forwarded=st.text(max_size=200), proxied=st.booleans())
@hypothesis_settings(max_examples=200)
def test_whatever_the_header_says_the_answer_is_an_address_we_can_stand_behind(
    forwarded: str, proxied: bool
) -> None:
    """A direct client gets its own address whatever it writes; through the proxy the answer is
    the proxy or an address that parses, never a proxy of ours unless nothing else is there."""
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"]):
        remote = "10.0.0.1" if proxied else "203.0.113.9"
        found = address(remote, forwarded)
        if not proxied:
            assert found == "203.0.113.9"
        else:
            assert found == remote or ipaddress.ip_address(found)
