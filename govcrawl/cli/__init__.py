"""`govcrawl` console script: the non-crawl commands of contract.md.

Each command lives in its own module under govcrawl.cli with a
`register(subparsers)` function that adds its parser and sets `func`.
Errors the user can fix (bad store, bad argument, bad input) print one line
to stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from govcrawl.registry import RegistryError
from govcrawl.store import StoreError

# One module per command family; each must define register(subparsers).
COMMAND_MODULES = [
    "govcrawl.cli.es",
    "govcrawl.cli.findings",
    "govcrawl.cli.verdicts",
    "govcrawl.cli.report",
    "govcrawl.cli.demo",
    "govcrawl.cli.media",
    "govcrawl.cli.checktext",
    "govcrawl.cli.outbound",
    "govcrawl.cli.store",
    "govcrawl.cli.evidence",
    "govcrawl.cli.serve",
]


class UserError(Exception):
    """A problem with the user's input, reported as one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govcrawl", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        rc = args.func(args)
    except (UserError, RegistryError, StoreError, FileNotFoundError) as e:
        print(f"govcrawl {args.command}: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return int(rc or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
