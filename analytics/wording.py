"""Singular or plural nouns for counts in messages: ``1 customer``, ``2 customers``."""

from __future__ import annotations


def noun_form(count: float, singular: str, plural: str | None = None) -> str:
    """Return ``singular`` when ``count`` is exactly 1, else ``plural``
    (default: ``singular`` + "s")."""
    if count == 1:
        return singular
    return plural if plural is not None else f"{singular}s"


def count_phrase(count: float, singular: str, plural: str | None = None) -> str:
    """Return the count with thousands separators and the noun that agrees with it:
    ``1 row``, ``1,234 rows``, ``0 rows``."""
    if isinstance(count, float) and count.is_integer():
        count = int(count)
    return f"{count:,} {noun_form(count, singular, plural)}"
