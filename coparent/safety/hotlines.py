"""The help lines an operator lists on the safety page (COPARENT_SAFETY_HOTLINES, JSON).

The operator knows where their families live; we do not, so no number is built in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Hotline:
    name: str
    phone: str = ""
    text: str = ""
    url: str = ""
    hours: str = ""

    @property
    def tel(self) -> str:
        """The number as a tel: link wants it: digits and a leading plus only."""
        digits = "".join(c for c in self.phone if c.isdigit())
        return ("+" if self.phone.strip().startswith("+") else "") + digits


class HotlineError(ValueError):
    pass


FIELDS = ("name", "phone", "text", "url", "hours")


def parse(raw: str) -> list[Hotline]:
    """Parse the setting; raise HotlineError with a sentence an operator can act on."""
    if not raw.strip():
        return []
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise HotlineError(f"is not valid JSON ({error.msg} at character {error.pos})") from None
    if not isinstance(data, list):
        raise HotlineError("must be a JSON list of objects")
    lines = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise HotlineError(f"entry {i} is not an object")
        unknown = sorted(set(item) - set(FIELDS))
        if unknown:
            raise HotlineError(f"entry {i} has unknown keys {', '.join(unknown)}")
        if not all(isinstance(v, str) for v in item.values()):
            raise HotlineError(f"entry {i} has a value that is not a string")
        if not item.get("name", "").strip():
            raise HotlineError(f"entry {i} has no name")
        if not (item.get("phone") or item.get("text") or item.get("url")):
            raise HotlineError(f"entry {i} needs a phone, text or url")
        url = item.get("url", "")
        if url and urlsplit(url).scheme != "https":
            raise HotlineError(f"entry {i}'s url must start with https://")
        lines.append(Hotline(**{k: item[k].strip() for k in item}))
    return lines
