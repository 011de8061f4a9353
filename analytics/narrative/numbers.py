"""Finding the numbers in a text and the display forms that facts allow.

Two numbers are equal when their digits are equal once thousands separators are dropped
(so ``1234.50`` equals ``1,234.50`` but ``66.7`` does not equal ``66.67``) and they carry
the same unit: percent, percentage points or none. A currency symbol is not compared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from analytics.insights import Fact

PERCENT_UNIT = "%"
POINTS_UNIT = "points"

_NUMBER = re.compile(
    r"(?<![\d.,])(?P<sign>[+\-\u2212])?(?P<currency>[$€£¥₹])?"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<unit>\s?%|\s*per\s?cent\b|\s+(?:percentage\s+)?points?\b|\s*pts?\b|\s*pp\b)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NumberToken:
    """A number found in a text."""

    text: str
    sign: str  # "+", "-" or "" when written without a sign
    digits: str  # without thousands separators
    unit: str  # PERCENT_UNIT, POINTS_UNIT or ""
    position: int

    @property
    def key(self) -> tuple[str, str]:
        return self.digits, self.unit


def find_numbers(text: str) -> list[NumberToken]:
    """Return every number in ``text`` with its sign and unit."""
    tokens = []
    for match in _NUMBER.finditer(text):
        sign = (match.group("sign") or "").replace("\u2212", "-")
        tokens.append(
            NumberToken(
                text=match.group(0).strip(),
                sign=sign,
                digits=match.group("digits").replace(",", ""),
                unit=_unit(match.group("unit")),
                position=match.start(),
            )
        )
    return tokens


def number_forms(facts: Iterable[Fact]) -> dict[tuple[str, str], list[tuple[Fact, str]]]:
    """Map each number a fact may be written as to the facts (and signs) it stands for.

    A fact contributes the numbers of its display string and, for a change, of its
    magnitude; a period contributes its year, a segment the numbers in its name.
    """
    forms: dict[tuple[str, str], list[tuple[Fact, str]]] = {}
    for fact in facts:
        for text in (fact.formatted, fact.magnitude):
            if not text:
                continue
            for token in find_numbers(text):
                entry = (fact, token.sign)
                if entry not in forms.setdefault(token.key, []):
                    forms[token.key].append(entry)
    return forms


def _unit(unit: str | None) -> str:
    if not unit:
        return ""
    unit = unit.strip().lower()
    if unit == "%" or unit.startswith("per"):
        return PERCENT_UNIT
    return POINTS_UNIT
