"""The catalogs are whole: every message of the source is in each language's catalog, translated
and not fuzzy, nothing obsolete lingers, and the compiled .mo kept beside it says the same."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

SOURCE = Path(settings.BASE_DIR)
CATALOGS = sorted(SOURCE.glob("locale/*/LC_MESSAGES/django.po"))


def language_of(po: Path) -> str:
    return po.parent.parent.name


def load(po: Path) -> Catalog:
    with po.open("rb") as file:
        return read_po(file, locale=language_of(po).replace("-", "_"))


def ids(catalog: Catalog) -> set[tuple[str | None, str, str | None]]:
    found = set()
    for message in catalog:
        if not message.id:
            continue
        singular, plural = message.id if isinstance(message.id, tuple) else (message.id, None)
        found.add((message.context, singular, plural))
    return found


def test_there_is_a_spanish_catalog_and_settings_offer_each_catalog() -> None:
    assert "es" in [language_of(po) for po in CATALOGS]
    offered = dict(settings.LANGUAGES)
    assert set(offered) == {"en"} | {language_of(po) for po in CATALOGS}
    assert offered["es"] == "Spanish"


@pytest.mark.parametrize("po", CATALOGS, ids=language_of)
def test_every_message_is_translated_and_none_is_fuzzy_or_obsolete(po: Path) -> None:
    catalog = load(po)
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (not message.string or (isinstance(message.string, tuple) and not all(message.string)))
    ]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert untranslated == [], f"{len(untranslated)} untranslated in {po}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {po}"
    assert list(catalog.obsolete) == [], f"obsolete entries in {po}: run make messages"
    if language_of(po) == "es":
        assert (catalog.num_plurals, catalog.plural_expr) == (2, "(n != 1)")


@pytest.mark.parametrize("po", CATALOGS, ids=language_of)
def test_the_compiled_catalog_matches_its_po_file(po: Path) -> None:
    """The .mo files are kept in the repository so a clean clone runs without gettext tools;
    `make messages` compiles them. A .po edited without compiling fails here."""
    with po.with_suffix(".mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for message in load(po):
        if not message.id or message.fuzzy:
            continue
        context = f"{message.context}\x04" if message.context else ""
        if isinstance(message.id, tuple):
            if message.string:
                for n, text in enumerate(message.string):
                    # Babel writes a missing plural form as the English one.
                    expected[(context + message.id[0], n)] = text or message.id[min(n, 1)]
        elif message.string:
            expected[context + message.id] = message.string
    compiled = {key: value for key, value in compiled.items() if key != ""}
    assert compiled == expected


def test_the_catalogs_hold_exactly_the_messages_of_the_source(tmp_path: Path, monkeypatch) -> None:
    """What `make messages` would extract now is what the catalogs hold: no message added to
    the code without reaching the translators, none left behind after the code dropped it."""
    (tmp_path / "coparent").symlink_to(SOURCE, target_is_directory=True)
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[str(tmp_path / "locale")]):
        call_command(
            "makemessages",
            locale=["es"],
            ignore_patterns=["coparent/static/*", "coparent/locale/*"],
            symlinks=True,
            verbosity=0,
        )
    fresh = ids(load(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    for po in CATALOGS:
        held = ids(load(po))
        assert sorted(fresh - held, key=str) == [], f"missing from {po}: run make messages"
        assert sorted(held - fresh, key=str) == [], f"no longer in the source, in {po}"
