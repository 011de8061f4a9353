"""Checks that every peer did the same work as GrowthLens: equal answers, or the run fails.

Standard library only; the answers are the ``answer`` objects the children wrote.
"""

from __future__ import annotations

import math


class AnswerMismatchError(AssertionError):
    """A peer's answer differs from GrowthLens's: the comparison would not be of equal work."""


def check_retention(reference: list[dict], other: list[dict], peer: str, where: str) -> None:
    """Raise AnswerMismatchError unless ``other`` has the same months with the same S, E, N."""
    expected = [(row["period"], row["S"], row["E"], row["N"]) for row in reference]
    found = [(row["period"], row["S"], row["E"], row["N"]) for row in other]
    if expected == found:
        return
    if [row[0] for row in expected] != [row[0] for row in found]:
        raise AnswerMismatchError(
            f"{where}: {peer} lists months {_span(found)}, GrowthLens {_span(expected)}."
        )
    differences = [
        f"{mine[0]}: S/E/N {theirs[1:]} against GrowthLens {mine[1:]}"
        for mine, theirs in zip(expected, found, strict=True)
        if mine != theirs
    ]
    raise AnswerMismatchError(
        f"{where}: {peer} differs from GrowthLens in {len(differences)} months, first "
        + "; ".join(differences[:3])
    )


def check_rfm(growthlens: dict, lifetimes: dict, audit: dict, where: str) -> None:
    """Raise AnswerMismatchError unless lifetimes summarised the same paid purchases.

    lifetimes counts days, not orders: its summed frequency must equal the distinct
    (customer, day) pairs with a paid purchase minus the paying customers, both counted
    in the store by an independent query (``audit``).
    """
    pairs = [
        ("paying customers", growthlens["paying_customers"], lifetimes["customers"]),
        ("paid purchases fed to lifetimes", growthlens["paid_purchases"], lifetimes["paid_rows"]),
        ("paying customers in the audit query", growthlens["paying_customers"], audit["customers"]),
        (
            "summed frequency (paid days minus first days)",
            audit["paid_days"] - audit["customers"],
            lifetimes["frequency_sum"],
        ),
    ]
    for name, expected, found in pairs:
        if expected != found:
            raise AnswerMismatchError(f"{where}: {name} is {found}, expected {expected}.")
    if not math.isclose(
        audit["repeat_revenue"], lifetimes["repeat_revenue"], rel_tol=1e-9, abs_tol=0.01
    ):
        raise AnswerMismatchError(
            f"{where}: lifetimes' frequency x monetary value sums to "
            f"{lifetimes['repeat_revenue']:.2f}, the audit query's repeat-day revenue to "
            f"{audit['repeat_revenue']:.2f}."
        )


def check_ingest(expected_rows: int, answer: dict, tool: str, where: str) -> None:
    """Raise AnswerMismatchError unless every row of the file was loaded."""
    loaded = answer.get("rows_loaded")
    if loaded != expected_rows:
        raise AnswerMismatchError(
            f"{where}: {tool} loaded {loaded} rows of {expected_rows}: {answer}."
        )
    for field in ("rows_rejected", "duplicates_skipped"):
        if answer.get(field, 0) != 0:
            raise AnswerMismatchError(f"{where}: {tool} reports {field} = {answer[field]}.")


def check_same(first: dict, other: dict, tool: str, where: str) -> None:
    """Raise AnswerMismatchError when two runs of the same tool answered differently."""
    if first != other:
        raise AnswerMismatchError(f"{where}: two runs of {tool} gave different answers.")


def _span(rows: list[tuple]) -> str:
    if not rows:
        return "none"
    return f"{rows[0][0]}..{rows[-1][0]} ({len(rows)})"
