"""The `coparent` console command: operator subcommands and the idempotent demo loader."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from coparent.accounts.models import User
from coparent.families.models import Child, Family, Membership, Role
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def test_family_list_prints_public_id_then_name(cast: Cast, capsys) -> None:
    call_command("family", "list")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{cast.family_a.public_id}\tFamily A", f"{cast.family_b.public_id}\tFamily B"]


def test_demo_loads_two_unrelated_families_once(db: None, capsys) -> None:
    call_command("demo")
    counts = (
        User.objects.count(),
        Family.objects.count(),
        Membership.objects.count(),
        Child.objects.count(),
    )
    call_command("demo")
    assert (
        User.objects.count(),
        Family.objects.count(),
        Membership.objects.count(),
        Child.objects.count(),
    ) == counts
    assert "already present" in capsys.readouterr().out

    family_a, family_b = Family.objects.order_by("created_at")
    roles_a = sorted(Membership.objects.filter(family=family_a).values_list("role", flat=True))
    assert roles_a == sorted([Role.PARENT, Role.PARENT, Role.CAREGIVER, Role.PROFESSIONAL])
    assert Child.objects.filter(family=family_a).count() == 2
    assert Membership.objects.filter(family=family_b, role=Role.PARENT).count() == 2
    assert Child.objects.filter(family=family_b).count() == 1
    people_a = set(Membership.objects.filter(family=family_a).values_list("user", flat=True))
    people_b = set(Membership.objects.filter(family=family_b).values_list("user", flat=True))
    assert not people_a & people_b


def test_renaming_a_demo_family_does_not_make_a_second_one_on_restart(db: None, capsys) -> None:
    from coparent.families import services

    call_command("demo")
    morgan = User.objects.get(email="morgan@demo.coparent.test")
    family_a = Family.objects.get(name="Brightwater and Fenwick")
    services.family_rename(family=family_a, actor=morgan, name="Our renamed family")
    families = Family.objects.count()
    call_command("demo")
    assert Family.objects.count() == families
    assert "already present" in capsys.readouterr().out


def test_a_demo_loaded_before_the_marker_existed_is_recognised(db: None, capsys) -> None:
    """The migration marks the demo families of databases that loaded it by name before."""
    import importlib

    from django.apps import apps

    from coparent.demo.models import DemoFamily

    call_command("demo")
    DemoFamily.objects.all().delete()
    migration = importlib.import_module("coparent.demo.migrations.0001_initial")
    migration.mark_existing(apps, None)
    families = Family.objects.count()
    call_command("demo")
    assert Family.objects.count() == families
    assert "already present" in capsys.readouterr().out


def test_the_console_entry_point_fronts_django(capsys) -> None:
    from coparent.cli import main

    assert main(["coparent", "help", "family"]) == 0
    assert "Operator commands for families." in capsys.readouterr().out
