"""Reading values from text: amounts, dates and times, event types. Each function returns a
DuckDB SQL expression, so that a whole column is converted by set-based SQL.

Decisions that depend on a whole column, such as its decimal mark or its day/month order,
are made from profiles of the data before any value is converted (see :mod:`decisions`).
"""

from __future__ import annotations

import re

from analytics.store.migrations import EVENT_TYPES

# Event type spellings accepted besides the canonical names (after lowercasing and
# turning spaces and hyphens into underscores).
EVENT_TYPE_ALIASES = {
    "cancel": "subscription_cancel",
    "canceled": "subscription_cancel",
    "cancelled": "subscription_cancel",
    "cancellation": "subscription_cancel",
    "subscription_canceled": "subscription_cancel",
    "subscription_cancelled": "subscription_cancel",
    "unsubscribe": "subscription_cancel",
    "sign_up": "signup",
    "subscribe": "subscription_start",
    "subscription_started": "subscription_start",
    "order": "purchase",
    "refunded": "refund",
}

# Currency symbols read as ISO 4217 codes. `$` is read as US dollars; files in other
# dollars should carry a code (CAD, AUD) or a currency column.
CURRENCY_SYMBOLS = {
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₽": "RUB",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "₱": "PHP",
}

# Spaces that may separate thousands or stand around a currency symbol: ASCII whitespace,
# the no-break space and the narrow no-break space.
_SPACE = r"[\s\x{00A0}\x{202F}]"
_NUMBER_GROUPS = r"[\d.,'’\s\x{00A0}\x{202F}]"
# sign, parenthesis and currency around a number: "(1,234.50)", "-€ 5", "1.234,50 €", "USD 12"
AMOUNT_PATTERN = (
    rf"^{_SPACE}*(\(?){_SPACE}*([+-]?){_SPACE}*([^\d\s.,()+\-]{{0,3}}){_SPACE}*([+-]?)"
    rf"{_SPACE}*(\d{_NUMBER_GROUPS}*\d|\d|[.,]\d+){_SPACE}*([^\d\s.,()+\-]{{0,3}})"
    rf"{_SPACE}*(-?){_SPACE}*(\)?){_SPACE}*$"
)
_AMOUNT_PARTS = (
    "['open', 'sign', 'before', 'inner_sign', 'number', 'after', 'trailing_sign', 'close']"
)
_NUMBER_BY_MARK = {
    ".": r"^(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$|^\.\d+$",
    ",": r"^(\d{1,3}(\.\d{3})+|\d+)(,\d*)?$|^,\d+$",
}
# A value that only a decimal comma explains ("19,90", "1.234,5") or only a decimal point.
COMMA_DECIMAL_PATTERN = r",(\d{1,2}|\d{4,})[^\d.,]*$|\.\d{3},\d"
POINT_DECIMAL_PATTERN = r"\.(\d{1,2}|\d{4,})[^\d.,]*$|,\d{3}\.\d"

# Day and month in either order with a four-digit year, an optional time (24-hour, or
# 12-hour with AM/PM) and an optional UTC offset: "03.02.2024 09:15", "2/3/2024 9:15 PM".
DAY_MONTH_PATTERN = (
    r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?"
    r"\s*([AaPp][Mm])?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_DAY_MONTH_PARTS = (
    "['first', 'second', 'year', 'hour', 'minute', 'second_of_minute', 'half', 'offset']"
)
COMPACT_DATE_PATTERN = r"\d{8}"
YEAR_FIRST_PATTERN = r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})"
DATE_ORDER_LABELS = {"dmy": "day-first (dd/mm/yyyy)", "mdy": "month-first (mm/dd/yyyy)"}


def sql_string(value: str) -> str:
    """Return ``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def normalise_event_type(value: str | None) -> str | None:
    """Return the canonical event type for a spelling such as "Purchase" or "cancel", or None."""
    if value is None:
        return None
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    key = EVENT_TYPE_ALIASES.get(key, key)
    return key if key in EVENT_TYPES else None


def event_type_sql(column: str, spellings: dict[str, str]) -> str:
    """Look up each value of ``column`` in the spellings found in it; unknown values are NULL."""
    if not spellings:
        return "CAST(NULL AS VARCHAR)"
    entries = ", ".join(f"{sql_string(raw)}: {sql_string(name)}" for raw, name in spellings.items())
    return f"(MAP {{{entries}}})[{column}]"


def text_sql(column: str) -> str:
    """Trim surrounding spaces (and tabs among them); an empty value becomes NULL.

    trim() is only called for values that start or end with a space: testing both ends
    first is several times faster than trimming every value.
    """
    padded = f"{column} LIKE ' %' OR {column} LIKE '% '"
    return f"nullif(CASE WHEN {padded} THEN trim({column}, ' \t') ELSE {column} END, '')"


def is_iso_like_sql(text: str) -> str:
    return f"({text} LIKE '____-%')"


def day_month_parts_sql(text: str) -> str:
    """Extract the parts of a day/month date; every part is '' when the text does not match."""
    return f"regexp_extract({text}, {sql_string(DAY_MONTH_PATTERN)}, {_DAY_MONTH_PARTS})"


def event_time_sql(
    text: str, day_month_parts: str, date_order: str | None, naive_is_utc: bool
) -> str:
    """Convert trimmed text to TIMESTAMPTZ.

    Naive values are read in the session time zone, which the staging connection sets to
    the dataset's zone. Values with `Z` or an offset keep their instant.
    ``day_month_parts`` is the struct from :func:`day_month_parts_sql`.
    """
    year_first = f"regexp_replace({text}, {sql_string(YEAR_FIRST_PATTERN)}, '\\1-\\2-\\3')"
    compact = f"substr({text}, 1, 4) || '-' || substr({text}, 5, 2) || '-' || substr({text}, 7, 2)"
    if naive_is_utc:
        compact_instant = _utc_instant_sql(compact)
    else:
        compact_instant = f"TRY_CAST({compact} AS TIMESTAMPTZ)"
    return f"""CASE
        WHEN {is_iso_like_sql(text)} THEN {_iso_instant_sql(text, naive_is_utc)}
        WHEN regexp_full_match({text}, {sql_string(COMPACT_DATE_PATTERN)})
            THEN {compact_instant}
        WHEN regexp_matches({text}, {sql_string(YEAR_FIRST_PATTERN)})
            THEN TRY_CAST({year_first} AS TIMESTAMPTZ)
        ELSE {_day_month_timestamp_sql(day_month_parts, date_order)}
    END"""


def _utc_instant_sql(text: str) -> str:
    # A TIMESTAMP cast and make_timestamptz skip ICU's time zone rules, which make a
    # TIMESTAMPTZ cast several times slower. They are only right for naive UTC text,
    # because a TIMESTAMP cast parses a UTC offset but does not apply it.
    return f"make_timestamptz(epoch_us(TRY_CAST({text} AS TIMESTAMP)))"


def _iso_instant_sql(text: str, naive_is_utc: bool) -> str:
    if not naive_is_utc:
        return f"TRY_CAST({text} AS TIMESTAMPTZ)"
    # Common shapes that cannot hold an offset take the fast path: YYYY-MM-DD,
    # YYYY-MM-DD HH:MM, YYYY-MM-DD HH:MM:SS and YYYY-MM-DDTHH:MM:SSZ. Others go through ICU.
    length = f"strlen({text})"
    date_time = f"{text}[11] IN (' ', 'T')"
    plain = (
        f"{length} = 10 OR ({length} = 16 AND {date_time}) "
        f"OR ({length} = 19 AND {date_time} AND {text}[17] = ':') "
        f"OR ({length} = 20 AND {date_time} AND {text}[17] = ':' AND {text}[20] = 'Z')"
    )
    return (
        f"CASE WHEN {plain} THEN {_utc_instant_sql(text)} ELSE TRY_CAST({text} AS TIMESTAMPTZ) END"
    )


def _day_month_timestamp_sql(parts: str, date_order: str | None) -> str:
    if date_order is None:
        # Only dates whose day equals their month can be read without knowing the order.
        date_order = "dmy"
        usable = f"{parts}.first = {parts}.second"
    else:
        usable = "true"
    day, month = ("first", "second") if date_order == "dmy" else ("second", "first")
    hour = f"TRY_CAST({parts}.hour AS INTEGER)"
    hour_24 = f"""CASE
            WHEN {parts}.half = '' THEN {hour}
            WHEN {hour} NOT BETWEEN 1 AND 12 THEN NULL
            WHEN upper({parts}.half) = 'PM' THEN {hour} % 12 + 12
            ELSE {hour} % 12
        END"""
    time_text = f"""CASE WHEN {parts}.hour = '' THEN '' ELSE
            ' ' || lpad(CAST({hour_24} AS VARCHAR), 2, '0') || ':' || {parts}.minute
            || CASE WHEN {parts}.second_of_minute = '' THEN ''
                    ELSE ':' || {parts}.second_of_minute END
        END"""
    return f"""CASE WHEN {parts}.year <> '' AND {usable} THEN TRY_CAST(
            {parts}.year || '-' || lpad({parts}.{month}, 2, '0') || '-'
            || lpad({parts}.{day}, 2, '0') || {time_text} || {parts}.offset
        AS TIMESTAMPTZ) END"""


def amount_parts_sql(column: str) -> str:
    """Split an amount into sign, currency and number; every part is '' when it does not match."""
    return f"regexp_extract({column}, {sql_string(AMOUNT_PATTERN)}, {_AMOUNT_PARTS})"


def amount_sql(parts: str, decimal_mark: str) -> str:
    """Convert a split amount to DECIMAL(18, 4) using the column's decimal mark; NULL when the
    value is not a number written with that mark. ``parts`` is from :func:`amount_parts_sql`.

    With a decimal point, callers read plain numbers with a cast first and split only the
    other values, because most amounts are plain numbers.
    """
    digits = f"regexp_replace({parts}.number, '[\\s\\x{{00A0}}\\x{{202F}}''’]', '', 'g')"
    if decimal_mark == ",":
        plain = f"replace(replace({digits}, '.', ''), ',', '.')"
    else:
        plain = f"replace({digits}, ',', '')"
    negative = (
        f"({parts}.sign = '-' OR {parts}.inner_sign = '-' OR {parts}.trailing_sign = '-' "
        f"OR {parts}.open = '(')"
    )
    well_formed = (
        f"regexp_full_match({digits}, {sql_string(_NUMBER_BY_MARK[decimal_mark])}) "
        f"AND ({parts}.open = '(') = ({parts}.close = ')') "
        f"AND NOT ({parts}.before <> '' AND {parts}.after <> '') "
        f"AND ({parts}.before || {parts}.after = '' OR {_currency_code_sql(parts)} IS NOT NULL)"
    )
    return f"""CASE WHEN {well_formed} THEN
            (CASE WHEN {negative} THEN -1 ELSE 1 END) * TRY_CAST({plain} AS DECIMAL(18, 4))
        END"""


def currency_from_amount_sql(parts: str) -> str:
    """Return SQL for the ISO code of the currency written with an amount, or NULL."""
    return _currency_code_sql(parts)


def _currency_code_sql(parts: str) -> str:
    token = f"nullif({parts}.before || {parts}.after, '')"
    symbols = " ".join(
        f"WHEN {sql_string(symbol)} THEN {sql_string(code)}"
        for symbol, code in CURRENCY_SYMBOLS.items()
    )
    # A three-letter code stays as written; any other text is not a currency (NULL), which
    # makes the amount invalid.
    return f"""CASE {token} {symbols}
        ELSE CASE WHEN regexp_full_match({token}, '[A-Z]{{3}}') THEN {token} END END"""


def reason_value(text: str, limit: int = 60) -> str:
    """SQL for a value quoted inside a rejection reason, cut to ``limit`` characters."""
    return (
        f"'''' || CASE WHEN length({text}) > {limit} THEN left({text}, {limit}) || '…' "
        f"ELSE {text} END || ''''"
    )
