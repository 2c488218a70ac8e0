"""The column-type rule table (lexicons/column_types.yaml), loaded and validated once.

Users edit the table; a wrong entry must stop the sweep at start with the file and
line, never be skipped silently (style.md §6).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from govcrawl.text.lexicon import LexiconError, read_lexicon

COLUMN_TYPES = ("news", "notice", "other", "stats", "interaction", "static")
_RULE_KEYS = {"type", "names", "not_names", "tags", "pattern", "stale_days"}




@dataclass(frozen=True)
class ColumnRule:
    ctype: str
    names: tuple[str, ...] = ()
    not_names: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    stale_days: int | None = None
    line: int = 0

    def matches(self, name: str, tag: str = "") -> bool:
        name = name or ""
        if any(n in name for n in self.not_names):
            return False
        if tag and tag.strip() in self.tags:
            return True
        if any(n in name for n in self.names):
            return True
        return bool(self.pattern and self.pattern.search(name))


@dataclass
class ColumnRules:
    rules: list[ColumnRule] = field(default_factory=list)
    path: str = ""

    def classify(self, name: str | None, tag: str | None = None) -> tuple[str, int | None]:
        """(type, stale_days or None) of a column; unknown columns are `static` only when
        nothing matches — they are still judged for blankness."""
        for r in self.rules:
            if r.matches(name or "", tag or ""):
                return r.ctype, r.stale_days
        return "unknown", None


def default_lexicon_dir() -> Path:
    env = os.environ.get("GOVCRAWL_LEXICONS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "lexicons"


def _str_list(v: object, where: str, key: str) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, (str, int)):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, (str, int)) for x in v):
        raise LexiconError(f"{where}: '{key}' must be a list of strings")
    return tuple(str(x).strip() for x in v if str(x).strip())


def parse_column_rules(text: str, path: str = "column_types.yaml") -> ColumnRules:
    """Parse and validate the rule table; LexiconError names file and line."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else {}
        finally:
            loader.dispose()
        data = data or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise LexiconError(f"{path}{line}: YAML syntax error: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise LexiconError(f"{path}:1: expected a mapping with a 'rules:' list")
    # line numbers of each rule, from the composed node tree
    lines: list[int] = []
    if node is not None:
        for k, v in node.value:
            if k.value == "rules":
                lines = [item.start_mark.line + 1 for item in v.value]
    out: list[ColumnRule] = []
    for i, raw in enumerate(data["rules"]):
        ln = lines[i] if i < len(lines) else 0
        where = f"{path}:{ln}"
        if not isinstance(raw, dict):
            raise LexiconError(f"{where}: a rule must be a mapping")
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise LexiconError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        ctype = raw.get("type")
        if ctype not in COLUMN_TYPES:
            raise LexiconError(f"{where}: type {ctype!r} is not one of {', '.join(COLUMN_TYPES)}")
        pat = None
        if raw.get("pattern"):
            try:
                pat = re.compile(str(raw["pattern"]))
            except re.error as e:
                raise LexiconError(f"{where}: bad pattern: {e}") from None
        days = raw.get("stale_days")
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days <= 0):
            raise LexiconError(f"{where}: stale_days must be a positive whole number of days")
        rule = ColumnRule(ctype=ctype, names=_str_list(raw.get("names"), where, "names"),
                          not_names=_str_list(raw.get("not_names"), where, "not_names"),
                          tags=_str_list(raw.get("tags"), where, "tags"), pattern=pat,
                          stale_days=days, line=ln)
        if not (rule.names or rule.tags or rule.pattern):
            raise LexiconError(f"{where}: a rule needs names, tags or a pattern")
        out.append(rule)
    return ColumnRules(rules=out, path=path)


@lru_cache(maxsize=8)
def load_column_rules(path: str | None = None) -> ColumnRules:
    """The rule table from `path` (or lexicons/column_types.yaml), cached per path."""
    p = Path(path) if path else default_lexicon_dir() / "column_types.yaml"
    if p.is_dir():
        p = p / "column_types.yaml"
    return parse_column_rules(read_lexicon(p, "column type table"), str(p))
