"""Display text for reports: figures at a fixed precision and user values made inert.

Figures use the same formatting as the narrative's facts, so a number in the narrative
and the same number in the KPI table read alike. User values (segment names, campaign
names) are cut to a readable length in tables and escaped for each output: HTML by
Jinja2's autoescape, Markdown here, Plotly's text labels here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from analytics.insights import formatting as fmt
from analytics.reports import model

NOT_AVAILABLE = "n/a"
TABLE_VALUE_CHARS = 60  # longer user values are cut with a marker in tables
CHART_LABEL_CHARS = 40  # axis labels, legend names and titles on a chart
CHART_HOVER_CHARS = 200  # hover text, which has room for a longer form of the value

# Characters that start inline Markdown constructs: emphasis, code, links, images, raw
# HTML, entities, tables, strikethrough, math ($) and backslash escapes themselves.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~!&#$])")
# GitHub's extended autolinks: a scheme followed by "://" and "www." become links even
# without any markup. Escaping the colon or the dot stops the match.
_AUTOLINK_SCHEME = re.compile(r"(?i)(?<=[a-z]):(?=//)")
_AUTOLINK_WWW = re.compile(r"(?i)\b(www)\.")
# An e-mail address becomes a mailto link even when its "@" is escaped, because the
# autolinker reads the text after escapes are resolved. A code span around "@" splits it.
_AUTOLINK_EMAIL_AT = re.compile(r"(?<=[A-Za-z0-9._+-])@(?=[A-Za-z0-9])")
# Block markers that only count at the start of a line and before a space: list items
# ("- ", "+ ", "1. ", "1) ") and setext heading rules ("===").
_BULLET_START = re.compile(r"^([-+])(?=\s|$)")
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_SETEXT_RULE = re.compile(r"^(=+\s*)$")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029]")


class MarkdownSafe(str):
    """Text already safe to place in Markdown as it is."""


def format_figure(value: float | int | None, unit: str, currency: str | None = None) -> str:
    """Format one figure in its unit; an undefined figure is ``n/a``."""
    number = fmt.finite_or_none(value)
    if number is None:
        return NOT_AVAILABLE
    if unit == model.PERCENT:
        return fmt.format_rate(number)
    if unit == model.CURRENCY:
        return fmt.format_amount(number, currency)
    if unit == "years":
        return f"{fmt.round_display(number):.2f}"
    if unit == "decimal4":  # CLV parts such as purchases per year, shown as the metrics give them
        return f"{fmt.round_display(number, 4):.4f}"
    return fmt.format_count(number)


def format_change(change: float | None, change_unit: str | None) -> str:
    """Format a KPI's change: ``+3.20 points`` for rates, ``-33.33%`` for the rest."""
    number = fmt.finite_or_none(change)
    if number is None or change_unit is None:
        return NOT_AVAILABLE
    if change_unit == model.POINTS:
        return fmt.format_points(number)
    return fmt.format_percent_change(number)


def truncate_value(value: object, max_chars: int = TABLE_VALUE_CHARS) -> str:
    """Return a user value on one line, cut to ``max_chars`` with a marker when longer."""
    return fmt.clean_attribute(value, max_chars)


def chart_label(value: object, max_chars: int = CHART_LABEL_CHARS) -> str:
    """Return a user value for Plotly text, cut to ``max_chars`` shown characters.

    Plotly reads a few HTML tags in labels, hover text and titles, such as links, bold and
    line breaks. So ``&``, ``<`` and ``>`` become entities, which it shows as the characters
    themselves. The value is cut before escaping, so no entity is cut in half.
    """
    return html.escape(truncate_value(value, max_chars), quote=False)


def category_ticks(values: Sequence[object]) -> dict:
    """Return category axis settings that name positions 0, 1, ... with the values' labels.

    A chart draws value ``i`` at position ``i`` and leaves the value itself out of the
    figure. Two values whose labels are cut to the same text then stay two bars.
    """
    return {
        "type": "category",
        "tickmode": "array",
        "tickvals": list(range(len(values))),
        "ticktext": [chart_label(value) for value in values],
    }


def escape_markdown_text(text: object) -> MarkdownSafe:
    """Escape text for Markdown so that it renders as the same plain text on one line: no
    emphasis, raw HTML, links, autolinks, table cells or block markers come out of it."""
    line = " ".join(part.strip() for part in _LINE_BREAKS.split(str(text))).strip()
    line = _MARKDOWN_INLINE.sub(r"\\\1", line)
    line = _AUTOLINK_SCHEME.sub(r"\\:", line)
    line = _AUTOLINK_WWW.sub(r"\1\\.", line)
    line = _AUTOLINK_EMAIL_AT.sub("`@`", line)
    line = _BULLET_START.sub(r"\\\1", line)
    line = _ORDERED_START.sub(r"\1\\\2", line)
    line = _SETEXT_RULE.sub(r"\\\1", line)
    return MarkdownSafe(line)


def markdown_code(value: object, *, in_table: bool = True) -> MarkdownSafe:
    """Return a user value as a Markdown code span, which no renderer turns into markup.

    The value is put on one line and truncated first. In a table a pipe is escaped even
    inside the span, because GitHub's table syntax splits cells before reading spans.
    """
    text = truncate_value(value)
    longest_run = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest_run + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    if in_table:
        text = text.replace("|", "\\|")
    return MarkdownSafe(f"{fence}{text}{fence}")


def narrative_paragraphs(text: str) -> list[str]:
    """Split a narrative into paragraphs at blank lines, each joined onto one line."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return [" ".join(part.split()) for part in paragraphs if part.strip()]
