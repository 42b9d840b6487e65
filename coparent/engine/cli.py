"""`coparent schedule ...`: preview a schedule spec as JSON, without Django."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

from coparent.engine.spec import SpecError, parse_family_spec, parse_spec
from coparent.engine.timeline import window


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line on stderr, like every other failure of this command, instead of the usage.
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="coparent schedule", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    preview = commands.add_parser(
        "preview", help="print the timeline, nights and counts of a spec as JSON"
    )
    preview.add_argument("spec", help="path to a schedule spec (JSON), or - for stdin")
    preview.add_argument("--from", dest="first", type=_day, required=True, metavar="YYYY-MM-DD")
    preview.add_argument(
        "--to", dest="last", type=_day, required=True, metavar="YYYY-MM-DD", help="exclusive"
    )
    return parser


def _error(message: str) -> int:
    print(f"coparent schedule: error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.last <= args.first:
        return _error("--to must be after --from")
    try:
        text = sys.stdin.read() if args.spec == "-" else Path(args.spec).read_text("utf-8")
    except OSError as error:
        return _error(f"cannot read {args.spec}: {error.strerror}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return _error(f"malformed JSON in {args.spec}: {error.msg} at line {error.lineno}")
    try:
        if isinstance(data, dict) and "children" in data:
            schedules = parse_family_spec(data)
            output = {
                "children": {
                    child: schedule.timeline(*window(schedule, args.first, args.last)).to_json()
                    for child, schedule in schedules.items()
                }
            }
        else:
            schedule = parse_spec(data)
            output = schedule.timeline(*window(schedule, args.first, args.last)).to_json()
    except SpecError as error:
        return _error(f"invalid spec: {error}")
    json.dump(output, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
