"""Caveats that limit what the figures can support."""

from __future__ import annotations

from analytics.insights import formatting as fmt
from analytics.insights.headline import MAX_PLAUSIBLE_LIFESPAN_YEARS, PeriodSelection
from analytics.insights.model import InsightWarning
from analytics.wording import count_phrase, noun_form

MAX_COHORTS_NAMED = 3

# Warning code that analytics.metrics.caveats sets when the subscription model runs on
# data without subscription events. The narrative explains it in its own words.
NO_SUBSCRIPTION_EVENTS = "no_subscription_events"

# Stable causes of an unestimable CLV, derived from the metrics' own fields.
CLV_NO_PAID_PURCHASE = "no_paid_purchase"
CLV_NO_CHURN = "no_churn"
CLV_NO_COMPLETE_PERIOD = "no_complete_period"
CLV_IMPLAUSIBLE = "implausible_lifespan"
CLV_OTHER = "other"


def period_warnings(
    selection: PeriodSelection, grain: str, as_of: str | None
) -> list[InsightWarning]:
    """Warn about an incomplete latest period and about too few complete periods."""
    warnings = []
    if selection.incomplete is not None:
        name = str(selection.incomplete["period"])
        words = fmt.format_period(name, grain, _text(selection.incomplete.get("start")))
        cutoff = f" (data runs to {as_of})" if as_of else ""
        warnings.append(
            InsightWarning(
                "incomplete_period",
                f"{_capitalize(words)} is incomplete{cutoff}; its figures are partial and it "
                "is left out of comparisons.",
                period=name,
            )
        )
    if selection.complete_count == 0:
        warnings.append(
            InsightWarning(
                "no_complete_period",
                "No period is complete yet, so there is no figure to report or compare.",
            )
        )
    elif selection.previous is None:
        warnings.append(
            InsightWarning(
                "few_complete_periods",
                "There is no complete period just before the latest complete one, so no "
                "change can be computed.",
                period=str(selection.latest["period"]),
            )
        )
    return warnings


def small_sample_warnings(
    selection: PeriodSelection, cohorts: list[dict], grain: str, threshold: int
) -> list[InsightWarning]:
    """Warn when retention rests on few customers or cohorts are smaller than ``threshold``."""
    warnings = []
    latest = selection.latest
    start = fmt.finite_or_none(latest.get("S")) if latest else None
    if latest is not None and start is not None and 0 < start < threshold:
        words = fmt.format_period(str(latest["period"]), grain, _text(latest.get("start")))
        warnings.append(
            InsightWarning(
                "small_base",
                f"Retention in {words} rests on {count_phrase(round(start), 'customer')} at "
                f"the start of the period, fewer than {threshold}; one customer moves it a lot.",
                period=str(latest["period"]),
            )
        )
    small = [
        str(cohort.get("cohort"))
        for cohort in cohorts
        if (size := fmt.finite_or_none(cohort.get("size"))) is not None and size < threshold
    ]
    if small:
        named = ", ".join(small[:MAX_COHORTS_NAMED])
        more = (
            f" and {len(small) - MAX_COHORTS_NAMED} more" if len(small) > MAX_COHORTS_NAMED else ""
        )
        warnings.append(
            InsightWarning(
                "small_cohort",
                f"{len(small)} of {count_phrase(len(cohorts), 'cohort')} "
                f"{noun_form(len(small), 'has', 'have')} fewer than "
                f"{count_phrase(threshold, 'customer')} ({named}{more}); "
                f"{noun_form(len(small), 'its retention rate is', 'their retention rates are')} "
                "noisy.",
            )
        )
    return warnings


def metric_warnings(metrics: dict) -> list[InsightWarning]:
    """Convert the caveats under the metrics result's ``warnings`` into insight warnings.

    Such caveats are a truncated cohort table or the subscription model on data without
    subscription events. Entries without a message are skipped.
    """
    warnings = []
    for entry in metrics.get("warnings") or []:
        if not isinstance(entry, dict) or not entry.get("message"):
            continue
        code = str(entry.get("code") or "metrics")
        warnings.append(InsightWarning(code, str(entry["message"])))
    return warnings


def clv_warnings(clv: dict | None) -> list[InsightWarning]:
    """Warn when CLV cannot be estimated or its lifespan is too long to be credible."""
    if not clv:
        return []
    lifespan = fmt.finite_or_none(clv.get("lifespan_years"))
    value = fmt.finite_or_none(clv.get("clv"))
    if clv.get("estimable") and value is not None:
        if lifespan is not None and lifespan > MAX_PLAUSIBLE_LIFESPAN_YEARS:
            return [
                InsightWarning(
                    "clv_not_estimable",
                    f"Lifetime value is not shown: the computed customer lifespan of "
                    f"{fmt.format_years(lifespan)} is longer than "
                    f"{MAX_PLAUSIBLE_LIFESPAN_YEARS:.0f} years, because almost no churn was "
                    "observed.",
                    reason=CLV_IMPLAUSIBLE,
                )
            ]
        return []
    reason_text = str(clv.get("reason") or "").strip()
    message = "Lifetime value cannot be estimated"
    message += f": {reason_text.rstrip('.')}." if reason_text else "."
    return [InsightWarning("clv_not_estimable", message, reason=_clv_cause(clv))]


def _clv_cause(clv: dict) -> str:
    paid = fmt.finite_or_none(clv.get("paid_purchases"))
    if paid is not None and paid == 0:
        return CLV_NO_PAID_PURCHASE
    pooled = fmt.finite_or_none(clv.get("pooled_churn"))
    if pooled is not None and pooled == 0:
        return CLV_NO_CHURN
    if pooled is None and clv.get("lifespan_years") is None:
        return CLV_NO_COMPLETE_PERIOD
    return CLV_OTHER


def _text(value) -> str | None:
    return None if value is None else str(value)


def _capitalize(sentence_start: str) -> str:
    return sentence_start[:1].upper() + sentence_start[1:]
