"""The `coparent` command: the project's own subcommands, then everything Django's manage.py has.

`schedule preview` and `verify` run without Django or a database, so a court clerk can check a
bundle on any machine with Python and `cryptography` installed.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable

# Subcommands that must not need settings or a database: name -> "module:function(argv) -> int".
PURE_COMMANDS = {
    "schedule": "coparent.engine.cli:main",
    # A bundle (zip) goes to coparent.tlog.verify; a court report (PDF) has its attached bundle
    # extracted and checked the same way, then its printed entries matched against it.
    "verify": "coparent.reports.verify:main",
}


def _load(target: str) -> Callable[[list[str]], int]:
    module_name, _, function = target.partition(":")
    return getattr(importlib.import_module(module_name), function)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] in PURE_COMMANDS:
        return _load(PURE_COMMANDS[argv[1]])(argv[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coparent.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
