"""`scrapy crawl` with one-line errors for bad sweep input.

Scrapy's own crawl command would print a traceback for a broken registry;
contract §1 wants one clear line naming file and row, and a non-zero exit
before anything is crawled.  Everything else is Scrapy's command unchanged.
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from govcrawl.checks.rules import LexiconError
from govcrawl.registry import RegistryError
from govcrawl.store import Store, StoreError


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts: Any) -> None:
        super().process_options(args, opts)
        # validated before Scrapy starts its engine (and its log banner)
        if args and args[0] in ("sweep", "probe", "media"):
            spargs = dict(getattr(opts, "spargs", {}) or {})
            try:
                self._validate(args[0], spargs, self.settings.get("GOVCRAWL_COLUMN_TYPES") or None)
            except (RegistryError, StoreError, ValueError, UsageError, LexiconError) as e:
                print(f"scrapy crawl {args[0]}: {e}", file=sys.stderr)
                sys.exit(2)

    def _create_crawler(self, spidercls: Any) -> Any:
        self._crawler = super()._create_crawler(spidercls)
        return self._crawler

    def run(self, args: list[str], opts: Any) -> None:
        super().run(args, opts)
        crawler = getattr(self, "_crawler", None)
        try:
            stats = crawler.stats if crawler is not None else None
        except RuntimeError:  # the crawl never started (Scrapy has logged why)
            stats = None
        if stats is not None and stats.get_value("govcrawl/store/close_failed"):
            print(f"scrapy crawl {args[0]}: the store could not be written (see the error above); the "
                  "inspection is not finished (with JOBDIR the same command resumes it)", file=sys.stderr)
            self.exitcode = 1
        elif stats is not None and stats.get_value("govcrawl/dist/redis_failed"):
            print(f"scrapy crawl {args[0]}: Redis stayed unreachable (see the error above); this worker "
                  "stopped, the inspection goes on when a worker is started again", file=sys.stderr)
            self.exitcode = 1
        elif stats is not None and stats.get_value("govcrawl/inspection/status") in ("interrupted", "failed"):
            # stopped before its end (Ctrl-C, SIGTERM, a site whose checks could not run)
            print(f"scrapy crawl {args[0]}: the inspection is {stats.get_value('govcrawl/inspection/status')}"
                  " (no verdicts); with JOBDIR the same command completes it", file=sys.stderr)
            self.exitcode = 1

    @staticmethod
    def _validate(spider: str, spargs: dict[str, str], column_types: str | None = None) -> None:
        if spider == "sweep":
            from govcrawl.spiders.sweep import parse_args

            parse_args(spargs.get("registry"), spargs.get("store"), spargs.get("as_of"), spargs.get("sites"))
        elif spider == "media":
            from govcrawl.spiders.media import parse_args as media_args

            media_args(spargs.get("registry"), spargs.get("store"), spargs.get("as_of"),
                       spargs.get("accounts"))
        else:
            from govcrawl.registry import load_registry

            if not spargs.get("registry"):
                raise UsageError("missing -a registry=PATH")
            load_registry(spargs["registry"])
        # data users maintain is validated here too, so a bad edit is one line, not a traceback
        from govcrawl.checks.rules import load_column_rules

        load_column_rules(column_types)
        store = spargs.get("store")
        if store:
            Store(store).close()  # creates it, or fails on an unusable file
