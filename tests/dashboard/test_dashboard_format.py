"""Display strings of figures and of text shown through Markdown."""

from __future__ import annotations

from dashboard.components import format as show
from dashboard.components.kpi import shows_no_change


def test_undefined_figures_read_not_available():
    assert show.rate(None) == "n/a"
    assert show.rate(float("nan")) == "n/a"
    assert show.money(float("inf")) == "n/a"
    assert show.count(None) == "n/a"
    assert show.years(None) == "n/a"
    assert show.decimal(None) == "n/a"


def test_defined_figures_use_the_fact_formats():
    assert show.rate(66.666) == "66.67%"
    assert show.money(1234.5, "USD") == "$1,234.50"
    assert show.count(3301) == "3,301"
    assert show.years(1 / 12) == "0.08 years"
    assert show.decimal(11.48578) == "11.4858"
    assert show.fraction_as_rate(0.6) == "60.00%"


def test_markdown_escape_keeps_dollar_amounts_literal():
    escaped = show.md("revenue $40.00 (was $30.00)")

    assert escaped == "revenue \\$40.00 (was \\$30.00)"


def test_markdown_escape_covers_emphasis_and_links():
    assert show.md("a*b*c") == "a\\*b\\*c"
    assert show.md("[x](y)") == "\\[x\\](y)"
    assert show.md("<script>") == "\\<script\\>"
    assert show.md("plain text, 12.5%") == "plain text, 12.5%"


def test_zero_change_reads_as_no_change():
    assert shows_no_change("+0.00 pts")
    assert shows_no_change("0.0%")
    assert shows_no_change("-$0.00")
    assert not shows_no_change("+0.01 pts")
    assert not shows_no_change("-10.0%")
    assert not shows_no_change("+$1,200.00")
