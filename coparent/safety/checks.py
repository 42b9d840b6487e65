from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from coparent.safety.hotlines import HotlineError, parse


@register()
def safety_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    try:
        parse(settings.COPARENT_SAFETY_HOTLINES)
    except HotlineError as error:
        errors.append(
            Error(
                f"COPARENT_SAFETY_HOTLINES {error}.",
                hint='e.g. [{"name": "Domestic violence hotline", "phone": "+1 800 555 0100", '
                '"url": "https://example.org", "hours": "24/7"}]',
                id="coparent.E020",
            )
        )
    exit_url = urlsplit(settings.COPARENT_QUICK_EXIT_URL)
    if exit_url.scheme != "https" or not exit_url.netloc:
        errors.append(
            Error(
                "COPARENT_QUICK_EXIT_URL must be an https:// address of another site.",
                hint="Quick exit replaces the page with this site; choose a neutral one.",
                id="coparent.E021",
            )
        )
    return errors
