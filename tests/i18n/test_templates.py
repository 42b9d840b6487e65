"""No visible text outside translation tags: every template is read with Django's own Lexer, the
translated parts are set aside, and what a reader would see (text and the attributes a browser
shows or reads aloud) must hold no words."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

TEMPLATES = Path(__file__).resolve().parents[2] / "coparent" / "templates"
# Stands for anything a tag or variable puts in the page: it is not text of the template's own.
HOLE = "\ue000"
# Shown as they are in every language (the glossary keeps them); signs such as "·" hold no letter
# and pass anyway.
ALLOWED = {"coparent", "SHA-256", "QR", "PDF", "CSV", "JSON", "API", "URL"}
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
WORD = re.compile(r"[^\W\d_]", re.UNICODE)


def template_files(suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in suffixes)


def untranslated_source(source: str) -> str:
    """The template with every tag, variable, comment and translated block replaced by HOLE."""
    out: list[str] = []
    skipping: str | None = None  # the end tag of a block whose content is not text of ours
    for token in Lexer(source).tokenize():
        content = token.contents.strip()
        if skipping:
            if token.token_type == TokenType.BLOCK and content.split()[0] == skipping:
                skipping = None
            continue
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            name = content.split()[0] if content else ""
            if name in ("blocktranslate", "blocktrans"):
                skipping = "end" + name
            elif name == "comment":
                skipping = "endcomment"
            elif name == "verbatim":
                skipping = "endverbatim"
        out.append(HOLE)
    return "".join(out)


def words(text: str) -> str:
    text = " ".join(text.replace(HOLE, " ").split())
    left = " ".join(part for part in text.split() if part not in ALLOWED)
    return left if WORD.search(left) else ""


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        for name, value in attrs:
            # An input button shows its value; a <button>'s value is data, its content is shown.
            kind = dict(attrs).get("type")
            shown = name in VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input" and kind in ("submit", "button")
            )
            if shown and value and words(value):
                self.found.append(f'{tag}[{name}]="{words(value)}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and words(data):
            self.found.append(words(data))


def html_problems(path: Path) -> list[str]:
    parser = VisibleText()
    parser.feed(untranslated_source(path.read_text()))
    parser.close()
    return parser.found


@pytest.mark.parametrize(
    "path", template_files((".html",)), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_html_templates_show_no_text_outside_translation(path: Path) -> None:
    assert html_problems(path) == []


@pytest.mark.parametrize(
    "path", template_files((".txt",)), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_email_templates_show_no_text_outside_translation(path: Path) -> None:
    found = [words(line) for line in untranslated_source(path.read_text()).splitlines()]
    assert [line for line in found if line] == []


def test_the_check_catches_english_outside_tags() -> None:
    source = (
        '{% load i18n %}<p title="Hello there">{% translate "Fine" %} Left behind</p>'
        "{% blocktranslate %}Also fine{% endblocktranslate %}{# fine #}"
        "{% comment %}Not shown{% endcomment %}<script>const ok = 'code';</script> coparent ·"
    )
    parser = VisibleText()
    parser.feed(untranslated_source(source))
    assert parser.found == ['p[title]="Hello there"', "Left behind"]
