"""Hand-built metrics results, shaped like the JSON of ``growthlens metrics``.

The figures of the case files are worked out by hand from their events (see each
function), so tests of insights and narratives do not depend on the metrics code.
"""

from __future__ import annotations

import calendar


def period_row(
    label: str,
    *,
    S: int,
    E: int,
    new_first_time: int,
    returning: int = 0,
    revenue: float,
    paid_purchases: int = 0,
    complete: bool = True,
    joined_and_churned: int = 0,
) -> dict:
    """Return one month of a metrics result; retained, churned and the rates follow from
    S, E and N as the metric contract defines them."""
    year, month = (int(part) for part in label.split("-"))
    new = new_first_time + returning
    retained = E - new
    churned = S - retained
    crr = None if S == 0 else retained / S * 100
    return {
        "period": label,
        "start": f"{label}-01",
        "end": f"{label}-{calendar.monthrange(year, month)[1]:02d}",
        "complete": complete,
        "S": S,
        "E": E,
        "N": new,
        "new_first_time": new_first_time,
        "returning": returning,
        "retained": retained,
        "churned": churned,
        "joined_and_churned": joined_and_churned,
        "crr": crr,
        "churn_rate": None if crr is None else 100 - crr,
        "revenue": revenue,
        "paid_purchases": paid_purchases,
        "free_orders": 0,
        "refunds": 0,
    }


def metrics_result(
    periods: list[dict],
    *,
    as_of: str,
    clv: dict | None = None,
    cohorts: list[dict] | None = None,
    model: str = "transactional",
    window: str = "period",
) -> dict:
    """Return a whole metrics result around ``periods``."""
    return {
        "grain": "month",
        "window": window,
        "model": model,
        "as_of": as_of,
        "periods": periods,
        "cohorts": cohorts or [],
        "clv": clv or not_estimable_clv("no complete period has customers at its start"),
    }


def not_estimable_clv(reason: str, **parts) -> dict:
    values = {
        "apv": None,
        "paid_purchases": 0,
        "paying_customers": 0,
        "window_years": None,
        "frequency_per_year": None,
        "pooled_churn": None,
        "lifespan_years": None,
        "clv": None,
        "estimable": False,
        "reason": reason,
    }
    values.update(parts)
    return values


def invented_numbers_metrics() -> dict:
    """invented_numbers.csv with --grain month --window auto --as-of 2024-06-30.

    May: N1, N2, N3 subscribe and pay 30.00 each: S 0, E 3, revenue 90.00.
    June: N3 cancels, N1 and N2 pay: S 3, E 2, retained 2, churned 1, CRR 2/3,
    revenue 60.00. CLV: APV 150/5 = 30.00, frequency 5/3/(40/365.25) = 15.2188,
    lifespan 1/(1/3) months = 0.25 years, CLV = 114.14.
    """
    return metrics_result(
        [
            period_row("2024-05", S=0, E=3, new_first_time=3, revenue=90.0, paid_purchases=3),
            period_row("2024-06", S=3, E=2, new_first_time=0, revenue=60.0, paid_purchases=2),
        ],
        as_of="2024-06-30",
        model="subscription",
        window="subscription",
        cohorts=[{"cohort": "2024-05", "size": 3, "cells": []}],
        clv={
            "apv": 30.0,
            "paid_purchases": 5,
            "paying_customers": 3,
            "window_years": 40 / 365.25,
            "frequency_per_year": 5 / 3 / (40 / 365.25),
            "pooled_churn": 100 / 3,
            "lifespan_years": 0.25,
            "clv": 30.0 * (5 / 3 / (40 / 365.25)) * 0.25,
            "estimable": True,
            "reason": None,
        },
    )


def partial_last_period_metrics() -> dict:
    """partial_last_period.csv with --grain month --window period; data stops 2024-03-10.

    Four customers pay 20.00 in January and February; in March only P1 and P2 have paid
    so far. March is incomplete.
    """
    return metrics_result(
        [
            period_row("2024-01", S=0, E=4, new_first_time=4, revenue=80.0, paid_purchases=4),
            period_row("2024-02", S=4, E=4, new_first_time=0, revenue=80.0, paid_purchases=4),
            period_row(
                "2024-03",
                S=4,
                E=2,
                new_first_time=0,
                revenue=40.0,
                paid_purchases=2,
                complete=False,
            ),
        ],
        as_of="2024-03-10",
        cohorts=[{"cohort": "2024-01", "size": 4, "cells": []}],
        clv=not_estimable_clv(
            "no churn was observed in complete periods",
            apv=20.0,
            paid_purchases=10,
            paying_customers=4,
            pooled_churn=0.0,
        ),
    )


def no_churn_yet_metrics(lifespan_years: float | None = None) -> dict:
    """no_churn_yet.csv with --window auto --from 2024-01-01 --to 2024-03-31 --as-of
    2024-03-31, optionally with --lifespan-years.

    Nobody cancels, so pooled churn is 0 / 5 and CLV is not estimable; with a lifespan of
    3 years CLV = 10.00 × (8 / 3 / (91 / 365.25)) × 3 = 321.10.
    """
    frequency = 8 / 3 / (91 / 365.25)
    if lifespan_years is None:
        clv = not_estimable_clv(
            "no churn observed: pooled churn is 0",
            apv=10.0,
            paid_purchases=8,
            paying_customers=3,
            frequency_per_year=frequency,
            pooled_churn=0.0,
        )
    else:
        clv = {
            "apv": 10.0,
            "paid_purchases": 8,
            "paying_customers": 3,
            "window_years": 91 / 365.25,
            "frequency_per_year": frequency,
            "pooled_churn": 0.0,
            "lifespan_years": lifespan_years,
            "clv": 10.0 * frequency * lifespan_years,
            "estimable": True,
            "reason": None,
        }
    return metrics_result(
        [
            period_row("2024-01", S=0, E=2, new_first_time=2, revenue=20.0, paid_purchases=2),
            period_row("2024-02", S=2, E=3, new_first_time=1, revenue=30.0, paid_purchases=3),
            period_row("2024-03", S=3, E=3, new_first_time=0, revenue=30.0, paid_purchases=3),
        ],
        as_of="2024-03-31",
        model="subscription",
        window="subscription",
        cohorts=[
            {"cohort": "2024-01", "size": 2, "cells": []},
            {"cohort": "2024-02", "size": 1, "cells": []},
        ],
        clv=clv,
    )


def segmented_metrics() -> dict:
    """Two channels over two complete months, with the overall figures they add up to.

    At the start of each month 10 customers are active (5 per channel).
    February: email keeps 4 of 5, social 4 of 5 -> overall CRR 80.00.
    March: email keeps 2 of 5, social 5 of 5 -> overall CRR 70.00 (-10.00 points).
    Contributions to the change: email 100 × (2/10 − 4/10) = −20.00 points,
    social 100 × (5/10 − 4/10) = +10.00 points.
    Revenue: email 100.00 -> 50.00 (−50.00, −50.00%), social 100.00 -> 130.00 (+30.00).
    """
    email = [
        period_row("2024-02", S=5, E=5, new_first_time=1, revenue=100.0, paid_purchases=5),
        period_row("2024-03", S=5, E=5, new_first_time=3, revenue=50.0, paid_purchases=5),
    ]
    social = [
        period_row("2024-02", S=5, E=5, new_first_time=1, revenue=100.0, paid_purchases=5),
        period_row("2024-03", S=5, E=5, new_first_time=0, revenue=130.0, paid_purchases=5),
    ]
    overall = [
        period_row("2024-02", S=10, E=10, new_first_time=2, revenue=200.0, paid_purchases=10),
        period_row("2024-03", S=10, E=10, new_first_time=3, revenue=180.0, paid_purchases=10),
    ]
    result = metrics_result(overall, as_of="2024-03-31")
    result["segment"] = "channel"
    result["segments"] = [
        {"value": "email", "periods": email, "cohorts": [], "clv": {}},
        {"value": "social", "periods": social, "cohorts": [], "clv": {}},
    ]
    return result


def mix_and_rate_metrics() -> dict:
    """Three channels whose mix and rate effects on retention disagree, February to March.

    At the start of the month (S) and retained (CRR = retained / S):
    - paid:   February 10, 6 kept (60.00%); March 10, 8 kept (80.00%)
    - social: February 5, 4 kept (80.00%); March 20, 15 kept (75.00%)
    - email:  February 5, 5 kept (100.00%); March 10, 9 kept (90.00%)
    Overall: February 20, 15 kept (75.00%); March 40, 32 kept (80.00%): +5.00 points.

    Shares of S: February paid 0.50, social 0.25, email 0.25; March 0.25, 0.50, 0.25.
    Rate effect = February share x change of rate:
      paid 0.50 x 20 = +10.00, social 0.25 x -5 = -1.25, email 0.25 x -10 = -2.50.
    Mix effect = change of share x March rate:
      paid -0.25 x 80 = -20.00, social +0.25 x 75 = +18.75, email 0 x 90 = 0.00.
    The six effects add up to +5.00. Social's share grew (mix +18.75) while its own
    retention fell; paid is the channel whose retention rose and lifted the total.
    Revenue: paid 100.00 -> 120.00, social 50.00 -> 200.00, email 100.00 -> 80.00.
    """
    channels = {
        "paid": [
            period_row("2024-02", S=10, E=10, new_first_time=4, revenue=100.0),
            period_row("2024-03", S=10, E=10, new_first_time=2, revenue=120.0),
        ],
        "social": [
            period_row("2024-02", S=5, E=20, new_first_time=16, revenue=50.0),
            period_row("2024-03", S=20, E=15, new_first_time=0, revenue=200.0),
        ],
        "email": [
            period_row("2024-02", S=5, E=10, new_first_time=5, revenue=100.0),
            period_row("2024-03", S=10, E=10, new_first_time=1, revenue=80.0),
        ],
    }
    overall = [
        period_row("2024-02", S=20, E=40, new_first_time=25, revenue=250.0),
        period_row("2024-03", S=40, E=35, new_first_time=3, revenue=400.0),
    ]
    result = metrics_result(overall, as_of="2024-03-31")
    result["segment"] = "channel"
    result["segments"] = [
        {"value": name, "periods": periods, "cohorts": [], "clv": {}}
        for name, periods in channels.items()
    ]
    return result


def draft_sentence_of(prompt: str) -> str:
    """Return the draft sentence a prompt asks the model to reword."""
    from analytics.narrative.prompt import PROMPT_STYLES

    for style in PROMPT_STYLES:
        if style.instruction in prompt:
            return prompt.rsplit(style.instruction, 1)[1].splitlines()[0]
    raise AssertionError(f"no draft sentence in prompt {prompt!r}")


def echo(prompt: str) -> str:
    """A scripted answer: the draft sentence unchanged, placeholders and all."""
    return draft_sentence_of(prompt)
