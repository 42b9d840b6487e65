"""Render the PWA icons in coparent/static/icons from the favicon's drawing, with Debian's Chromium.

Run once after changing coparent/static/favicon.svg (`.venv/bin/python scripts/render-icons.py`);
the PNGs are committed, so nothing renders them at build or run time.
"""

import re
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "coparent" / "static"
BACKGROUND = "#1d2b36"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 32 32">'


def glyph() -> str:
    """The favicon's figures, without its rounded background square."""
    drawing = (STATIC / "favicon.svg").read_text()
    inner = re.search(r"<svg[^>]*>(.*)</svg>", drawing, re.S)
    assert inner is not None
    return re.sub(r"<rect[^>]*/>", "", inner.group(1), count=1)


def rounded(size: int) -> str:
    """The favicon itself, transparent corners: the ordinary icon."""
    return SVG.format(size=size) + (STATIC / "favicon.svg").read_text().split(">", 1)[1]


def full_bleed(size: int, scale: float) -> str:
    """A square with no transparency and the figures inside the maskable safe zone."""
    pad = 16 * (1 - scale)
    return (
        SVG.format(size=size)
        + f'<rect width="32" height="32" fill="{BACKGROUND}"/>'
        + f'<g transform="translate({pad} {pad}) scale({scale})">{glyph()}</g></svg>'
    )


def badge(size: int) -> str:
    """Android's status-bar badge: only the shape counts, in white on transparent."""
    white = re.sub(r'(fill|stroke)="#[0-9a-f]{6}"', r'\1="#fff"', glyph())
    return SVG.format(size=size) + f'<g transform="translate(0 -2.5)">{white}</g></svg>'


ICONS = {
    "icon-192.png": (192, rounded(192)),
    "icon-512.png": (512, rounded(512)),
    "icon-maskable-192.png": (192, full_bleed(192, 0.72)),
    "icon-maskable-512.png": (512, full_bleed(512, 0.72)),
    "apple-touch-icon.png": (180, full_bleed(180, 0.9)),
    "badge-96.png": (96, badge(96)),
}

if __name__ == "__main__":
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        for name, (size, svg) in ICONS.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(f'<body style="margin:0;background:transparent">{svg}</body>')
            clip = {"x": 0, "y": 0, "width": size, "height": size}
            page.screenshot(path=str(STATIC / "icons" / name), omit_background=True, clip=clip)
            page.close()
        browser.close()
