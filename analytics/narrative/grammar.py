"""The GBNF grammar that restricts the model to words, punctuation and known placeholders.

Free text may contain no digit, no bracket and no line break, so every figure the model
writes has to be one of the draft's placeholders; the grammar also makes the text end
with a full stop.
"""

from __future__ import annotations

from collections.abc import Iterable


def placeholder_grammar(placeholders: Iterable[str], *, sentences: int | None = None) -> str:
    """Return a GBNF grammar for text made of words and the given placeholders ("F1", ...),
    with exactly ``sentences`` sentences when given."""
    names = sorted(set(placeholders), key=_natural_key)
    if sentences is None:
        root = 'root ::= sentence (" " sentence)*'
    else:
        root = "root ::= sentence" + ' " " sentence' * (max(sentences, 1) - 1)
    rules = [
        root,
        "sentence ::= piece (gap piece)* stop",
        "piece ::= word" + (" | placeholder" if names else ""),
        "word ::= [A-Za-z] [A-Za-z'-]*",
        'gap ::= " " | ", " | "; " | " (" | ") " | " - "',
        'stop ::= "." | ")."',
    ]
    if names:
        alternatives = " | ".join(f'"[{name}]"' for name in names)
        rules.append(f"placeholder ::= {alternatives}")
    return "\n".join(rules) + "\n"


def _natural_key(name: str) -> tuple[str, int]:
    digits = "".join(character for character in name if character.isdigit())
    return name.rstrip("0123456789"), int(digits) if digits else 0
