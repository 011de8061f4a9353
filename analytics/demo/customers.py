"""Acquisition: when each demo customer signs up, through which channel and campaign, from
which country, and whether and on which plan it subscribes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.demo import parameters as p
from analytics.demo.timeline import DAYS_PER_YEAR, SECONDS_PER_DAY, Span, calendar_month

NO_CODE = -1  # attribute code of a customer without a plan or campaign


def signup_day_weights(span: Span) -> np.ndarray:
    """Return the probability of each day of the span being a signup day: steady growth,
    a holiday-season peak and quieter weekends."""
    day_numbers = np.datetime64(span.start, "D").astype(np.int64) + np.arange(span.days)
    years = np.arange(span.days) / DAYS_PER_YEAR
    months = calendar_month(day_numbers * SECONDS_PER_DAY)
    weekdays = (day_numbers + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    weights = (
        p.ANNUAL_SIGNUP_GROWTH**years
        * p.SIGNUP_SEASONALITY[months - 1]
        * p.SIGNUP_WEEKDAY_WEIGHT[weekdays]
    )
    return weights / weights.sum()


def draw_signup_days(rng: np.random.Generator, customers: int, span: Span) -> np.ndarray:
    """Return the cumulative count of signups by the end of each day of the span.

    Customer ``i`` (counting from 0) signs up on the first day whose cumulative count
    exceeds ``i``, so customer ids follow the order of signup days.
    """
    counts = rng.multinomial(customers, signup_day_weights(span))
    return np.cumsum(counts)


def campaign_names(span: Span) -> tuple[str, ...]:
    """Return every campaign name the span can use, evergreen ones first."""
    names = [name for channel_names, _ in p.CAMPAIGNS.values() for name in channel_names]
    for year in range(span.start.year, span.end.year + 1):
        names.extend(f"{prefix}_{year}" for prefix in p.HOLIDAY_CAMPAIGN_PREFIX.values())
    return tuple(names)


@dataclass(frozen=True)
class Customers:
    """Customer-level draws for one block of consecutive customers. Codes index into
    CHANNELS, COUNTRIES, PLANS and campaign_names(span); NO_CODE means none."""

    first_index: int  # global index of the block's first customer
    signup: np.ndarray  # seconds since the epoch
    channel: np.ndarray
    country: np.ndarray
    campaign: np.ndarray
    holiday_campaign: np.ndarray  # bool: acquired by a holiday-season campaign
    plan: np.ndarray  # NO_CODE for customers who never subscribe

    def __len__(self) -> int:
        return len(self.signup)


def draw_customers(
    rng: np.random.Generator,
    first_index: int,
    cumulative_signups: np.ndarray,
    count: int,
    span: Span,
) -> Customers:
    """Draw ``count`` customers starting at global index ``first_index``."""
    indexes = np.arange(first_index, first_index + count)
    signup_day = np.searchsorted(cumulative_signups, indexes, side="right")
    hours = rng.choice(24, size=count, p=p.SIGNUP_HOUR_WEIGHT / p.SIGNUP_HOUR_WEIGHT.sum())
    seconds_in_hour = rng.integers(0, 3600, size=count)
    signup = span.start_seconds + signup_day * SECONDS_PER_DAY + hours * 3600 + seconds_in_hour

    holiday = np.isin(calendar_month(signup), p.HOLIDAY_MONTHS)
    channel = _draw_channels(rng, holiday)
    country = rng.choice(len(p.COUNTRIES), size=count, p=p.COUNTRY_SHARE).astype(np.int8)
    campaign, holiday_campaign = _draw_campaigns(rng, channel, holiday, signup, span)

    subscribes = rng.random(count) < p.SUBSCRIBE_PROBABILITY[channel]
    plan_draw = rng.choice(len(p.PLANS), size=count, p=p.PLAN_SHARE).astype(np.int8)
    plan = np.where(subscribes, plan_draw, NO_CODE).astype(np.int8)

    return Customers(
        first_index=first_index,
        signup=signup.astype(np.int64),
        channel=channel,
        country=country,
        campaign=campaign,
        holiday_campaign=holiday_campaign,
        plan=plan,
    )


def _draw_channels(rng: np.random.Generator, holiday: np.ndarray) -> np.ndarray:
    uniform = rng.random(len(holiday))
    usual = np.searchsorted(np.cumsum(p.CHANNEL_SHARE), uniform, side="right")
    seasonal = np.searchsorted(np.cumsum(p.HOLIDAY_CHANNEL_SHARE), uniform, side="right")
    channel = np.where(holiday, seasonal, usual)
    return np.minimum(channel, len(p.CHANNELS) - 1).astype(np.int8)


def _draw_campaigns(
    rng: np.random.Generator,
    channel: np.ndarray,
    holiday: np.ndarray,
    signup: np.ndarray,
    span: Span,
) -> tuple[np.ndarray, np.ndarray]:
    names = campaign_names(span)
    code_of = {name: code for code, name in enumerate(names)}
    campaign = np.full(len(channel), NO_CODE, dtype=np.int16)
    holiday_campaign = np.zeros(len(channel), dtype=bool)
    signup_year = signup.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    seasonal_draw = rng.random(len(channel))
    evergreen_draw = rng.random(len(channel))

    for channel_name, (evergreen, shares) in p.CAMPAIGNS.items():
        in_channel = channel == p.CHANNELS.index(channel_name)
        evergreen_codes = np.array([code_of[name] for name in evergreen], dtype=np.int16)
        pick = np.searchsorted(np.cumsum(shares), evergreen_draw, side="right")
        campaign[in_channel] = evergreen_codes[np.minimum(pick, len(evergreen) - 1)][in_channel]

        seasonal = in_channel & holiday & (seasonal_draw < p.HOLIDAY_CAMPAIGN_SHARE)
        prefix = p.HOLIDAY_CAMPAIGN_PREFIX[channel_name]
        year_codes = {
            year: code_of[f"{prefix}_{year}"] for year in np.unique(signup_year[seasonal])
        }
        for year, code in year_codes.items():
            campaign[seasonal & (signup_year == year)] = code
        holiday_campaign |= seasonal
    return campaign, holiday_campaign
