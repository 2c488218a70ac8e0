"""Wording checks (content.* rules): a library with no Scrapy dependency.

    from govcrawl.text import get_checker
    hits = get_checker().check(text, date=datetime.date(2024, 5, 1), where="text")
"""

from govcrawl.text.checker import TextChecker, TextHit, default_lexicon_dir, get_checker
from govcrawl.text.lexicon import LexiconError

__all__ = ["TextChecker", "TextHit", "LexiconError", "get_checker", "default_lexicon_dir"]
