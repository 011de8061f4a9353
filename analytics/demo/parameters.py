"""The demo business in numbers: who signs up, how they subscribe, buy, refund and leave.

Every rate here is an assumption chosen to give the dashboard a story worth telling, not a
measured benchmark. Tables indexed by channel, country or plan follow the order of
CHANNELS, COUNTRIES and PLANS. Money is in US cents.
"""

from __future__ import annotations

import numpy as np

EVENT_TYPES = ("signup", "subscription_start", "purchase", "refund", "subscription_cancel")
"""Event types by code. The code order also breaks ties between events at the same second."""

SIGNUP, SUBSCRIPTION_START, PURCHASE, REFUND, SUBSCRIPTION_CANCEL = range(len(EVENT_TYPES))

CURRENCY = "USD"

CHANNELS = ("organic", "paid_search", "social", "referral", "email")
COUNTRIES = ("US", "GB", "DE", "FR", "CA", "AU", "NL", "SE")
PLANS = ("basic", "pro", "team")

# --- Acquisition -------------------------------------------------------------------------

ANNUAL_SIGNUP_GROWTH = 1.6  # daily signups grow by this factor per year
SIGNUP_SEASONALITY = np.array([1.0, 0.88, 0.95, 0.95, 0.98, 0.92, 0.88, 0.9, 1.0, 1.05, 1.45, 1.55])
"""Signup weight by calendar month, January first: the holiday season peaks."""
SIGNUP_WEEKDAY_WEIGHT = np.array([1.05, 1.05, 1.0, 1.0, 0.97, 0.9, 0.88])  # Monday first
SIGNUP_HOUR_WEIGHT = np.array(
    [2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 8, 9, 9, 8, 6, 4], dtype=float
)
"""Signup weight by hour of day (UTC): quiet at night, busiest in the evening."""

CHANNEL_SHARE = np.array([0.34, 0.26, 0.17, 0.13, 0.10])
HOLIDAY_CHANNEL_SHARE = np.array([0.26, 0.32, 0.24, 0.10, 0.08])
"""Channel mix of November and December signups, when paid campaigns run hardest."""
COUNTRY_SHARE = np.array([0.42, 0.13, 0.11, 0.08, 0.09, 0.07, 0.05, 0.05])

HOLIDAY_MONTHS = (11, 12)
CAMPAIGNS = {
    "paid_search": (("search_brand", "search_generic", "search_competitor"), (0.45, 0.4, 0.15)),
    "social": (("social_prospecting", "social_retargeting", "social_lookalike"), (0.5, 0.3, 0.2)),
}
"""Evergreen campaigns of each paid channel, with their shares of its signups."""
HOLIDAY_CAMPAIGN_PREFIX = {"paid_search": "holiday_search", "social": "black_friday"}
HOLIDAY_CAMPAIGN_SHARE = 0.55  # of a paid channel's signups in the holiday months
HOLIDAY_CAMPAIGN_CHURN_FACTOR = 1.35  # deal hunters cancel sooner
HOLIDAY_CAMPAIGN_BUYING_FACTOR = 0.7  # and stop buying sooner

# --- Subscriptions -----------------------------------------------------------------------

SUBSCRIBE_PROBABILITY = np.array([0.42, 0.34, 0.26, 0.52, 0.45])  # by channel
PLAN_SHARE = np.array([0.56, 0.32, 0.12])
TRIAL_SHARE = 0.4  # subscribers who start after a trial instead of right away
TRIAL_DAYS = 14
IMMEDIATE_START_MEAN_SECONDS = 30 * 60

MONTHLY_CANCEL_HAZARD = np.array([0.045, 0.075, 0.11, 0.032, 0.05])
"""Chance by channel that a subscription is cancelled before its next monthly renewal."""
PLAN_CANCEL_FACTOR = np.array([1.25, 0.85, 0.6])
EARLY_TENURE_CANCEL_FACTOR = np.array([1.7, 1.25])
"""Extra cancel hazard before the first and second renewals. Later renewals use 1."""
MAX_MONTHLY_CANCEL_HAZARD = 0.95

PLAN_PRICE_CENTS = np.array([1200, 2900, 7900])
PLAN_PRICE_CENTS_AFTER_CHANGE = np.array([1400, 3400, 8900])
PRICE_CHANGE_MONTH_OFFSET = 15
"""Months after the first month of the data when prices rise (April 2025 by default)."""
PRICE_CHANGE_CHURN_MONTHS = 3
PRICE_CHANGE_CANCEL_FACTOR = np.array([2.0, 1.5, 1.2])
"""Cancel hazard factor by plan for renewals in the months right after the price rise."""

RESUBSCRIBE_PROBABILITY = 0.15
RESUBSCRIBE_MIN_GAP_DAYS = 14
RESUBSCRIBE_MEAN_EXTRA_GAP_DAYS = 60
SUBSCRIPTION_CHARGE_REFUND_PROBABILITY = 0.008

# --- One-off orders ----------------------------------------------------------------------

BUYER_PROBABILITY = np.array([0.62, 0.7, 0.55, 0.68, 0.74])  # by channel
SUBSCRIBER_BUYER_FACTOR = 0.6
SAME_SESSION_FIRST_ORDER_SHARE = 0.55
SAME_SESSION_MEAN_SECONDS = 20 * 60
LATER_FIRST_ORDER_MEAN_DAYS = 5
MIN_ORDER_DELAY_SECONDS = 60

ORDERS_PER_YEAR = np.array([2.6, 2.0, 1.6, 3.2, 3.6])  # mean repeat-order rate by channel
COUNTRY_ORDER_RATE_FACTOR = np.array([1.1, 1.0, 0.9, 0.85, 1.0, 0.95, 1.0, 0.9])
ORDER_RATE_GAMMA_SHAPE = 1.5  # spread of order rates between customers
BUYING_LIFETIME_MONTHS = np.array([14.0, 9.0, 6.0, 18.0, 15.0])  # mean, by channel
ORDER_SEASONALITY = np.array([0.9, 0.85, 0.95, 0.95, 1.0, 0.95, 0.9, 0.92, 1.0, 1.05, 1.5, 1.7])

BASKET_MEDIAN_CENTS = np.array([4600, 4100, 5200, 4400, 4300, 4900, 4700, 5000])  # by country
CHANNEL_BASKET_FACTOR = np.array([1.0, 0.95, 0.82, 1.08, 1.12])
CUSTOMER_BASKET_SIGMA = 0.3  # log-scale spread of customers' typical baskets
ORDER_BASKET_SIGMA = 0.55  # log-scale spread of one customer's orders
MIN_BASKET_CENTS = 300
MAX_BASKET_CENTS = 250_000

FREE_ORDER_PROBABILITY = 0.02  # orders paid entirely with a coupon
REFUND_PROBABILITY = np.array([0.035, 0.045, 0.07, 0.025, 0.03])  # of paid orders, by channel
PARTIAL_REFUND_SHARE = 0.35
PARTIAL_REFUND_FRACTION = (0.15, 0.75)
REFUND_MIN_DELAY_DAYS = 1
REFUND_MEAN_EXTRA_DELAY_DAYS = 6
