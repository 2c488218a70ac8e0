"""`govcrawl serve`: the inspector's desk in the browser (govcrawl.web.app)."""

from govcrawl.web.app import create_app

__all__ = ["create_app"]
