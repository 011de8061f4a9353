"""Values read from text: amounts in any common notation, event types and customer ids."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ingest_support import assert_accounted

from analytics.store.ingest.values import normalise_event_type


def _amount_file(write_file, amounts: list[str], delimiter: str = ";") -> object:
    lines = [f"customer_id{delimiter}timestamp{delimiter}amount"]
    for index, amount in enumerate(amounts):
        lines.append(f"C{index}{delimiter}2024-01-0{index % 9 + 1}{delimiter}{amount}")
    return write_file("amounts.csv", "\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("amounts", "expected", "currencies"),
    [
        (["$1,250.00", "$5.10", "-$0.99"], ["1250.00", "5.10", "-0.99"], ["USD"] * 3),
        (["1.234,50 €", "19,90 €", "-0,99 €"], ["1234.50", "19.90", "-0.99"], ["EUR"] * 3),
        (["19,90", "5", "0,5"], ["19.90", "5", "0.5"], [None] * 3),
        (["1,234.5", "12.75", "3"], ["1234.5", "12.75", "3"], [None] * 3),
        (["(12.50)", "12.50-", "+4.00"], ["-12.50", "-12.50", "4.00"], [None] * 3),
        (["USD 12", "12.00 GBP", "£3.50"], ["12", "12.00", "3.50"], ["USD", "GBP", "GBP"]),
        (["1\u00a0234,50", "1 000,00", "2,25"], ["1234.50", "1000.00", "2.25"], [None] * 3),
        (["1'234.50", "99.95", "0.05"], ["1234.50", "99.95", "0.05"], [None] * 3),
    ],
    ids=[
        "dollar",
        "euro-suffix",
        "decimal-comma",
        "thousands-comma",
        "negative-forms",
        "currency-codes",
        "space-thousands",
        "apostrophe-thousands",
    ],
)
def test_amount_notations(ingest, query, write_file, amounts, expected, currencies):
    result = ingest(_amount_file(write_file, amounts))
    assert result.rows_rejected == 0, result.rejections
    rows = query("SELECT amount, currency FROM events ORDER BY source_line")
    assert [amount for amount, _ in rows] == [Decimal(value) for value in expected]
    assert [currency for _, currency in rows] == currencies


def test_ambiguous_comma_is_thousands_separator(ingest, query, write_file):
    result = ingest(_amount_file(write_file, ["1,234", "2,500", "7"]))
    assert query("SELECT amount FROM events ORDER BY source_line") == [
        (Decimal("1234"),),
        (Decimal("2500"),),
        (Decimal("7"),),
    ]
    assert any("'1,234'" in warning for warning in result.warnings)


def test_amount_with_the_other_decimal_mark_is_rejected(ingest, query, write_file):
    result = ingest(_amount_file(write_file, ["19,90", "1.234,50", "12.50", "3,10"]))
    assert_accounted(result)
    assert result.rows_loaded == 3
    assert result.rejections == [
        {
            "line": 4,
            "column": "amount",
            "reason": "amount '12.50' is not a number written with a decimal comma",
        }
    ]
    assert any("mixes decimal marks" in warning for warning in result.warnings)


def test_unreadable_amount_is_rejected_and_the_rest_loads(ingest, query, write_file):
    result = ingest(_amount_file(write_file, ["10.00", "ten", "", "12abc"], delimiter=","))
    assert_accounted(result)
    assert result.rows_loaded == 1
    assert result.rejections == [
        {
            "line": 3,
            "column": "amount",
            "reason": "amount 'ten' is not a number written with a decimal point",
        },
        {"line": 4, "column": "amount", "reason": "amount is empty"},
        {
            "line": 5,
            "column": "amount",
            "reason": "amount '12abc' is not a number written with a decimal point",
        },
    ]
    stored = query("SELECT line, column_name, raw_text FROM rejected_rows ORDER BY line")
    assert stored == [
        (3, "amount", "C1,2024-01-02,ten"),
        (4, "amount", "C2,2024-01-03,"),
        (5, "amount", "C3,2024-01-04,12abc"),
    ]


def test_currency_column_wins_over_the_amount_symbol(ingest, query, write_file):
    text = "customer,date,total,currency\nA,2024-01-01,$5.00,cad\nB,2024-01-02,7.00,\n"
    ingest(write_file("currency.csv", text))
    assert query("SELECT amount, currency FROM events ORDER BY source_line") == [
        (Decimal("5.0000"), "CAD"),
        (Decimal("7.0000"), None),
    ]


def test_quantity_times_unit_price_gives_the_amount(ingest, query, write_file):
    text = (
        "InvoiceNo;CustomerID;InvoiceDate;Quantity;UnitPrice\n"
        "536365;17850;01.12.2010 08:26;6;2,55\n"
        "536366;17850;01.12.2010 08:28;-2;1,85\n"
        "536367;13047;13.12.2010 09:00;3;x\n"
    )
    result = ingest(write_file("retail.csv", text), mapping={"amount": "quantity*unitprice"})
    assert_accounted(result)
    assert result.mapping["amount"] == "Quantity*UnitPrice"
    assert result.mapping["event_id"] == "InvoiceNo"
    rows = query("SELECT event_id, event_type, amount FROM events ORDER BY source_line")
    assert rows == [
        ("536365", "purchase", Decimal("15.3000")),
        ("536366", "refund", Decimal("-3.7000")),
    ]
    assert result.rejections == [
        {
            "line": 4,
            "column": "UnitPrice",
            "reason": "amount 'x' is not a number written with a decimal comma",
        }
    ]
    quantities = query("SELECT attributes['quantity'] FROM events ORDER BY source_line")
    assert quantities == [("6",), ("-2",)]


def test_missing_amount_zero_without_money(ingest, query, write_file):
    text = (
        "customer_id,timestamp,event_type,amount\n"
        "A,2024-01-01,signup,\n"
        "A,2024-01-02,subscription_start,\n"
        "A,2024-01-03,purchase,\n"
    )
    result = ingest(write_file("signups.csv", text))
    assert query("SELECT event_type, amount FROM events ORDER BY source_line") == [
        ("signup", Decimal("0")),
        ("subscription_start", Decimal("0")),
    ]
    assert result.rejections == [{"line": 4, "column": "amount", "reason": "amount is empty"}]


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("purchase", "purchase"),
        ("Purchase", "purchase"),
        (" REFUND ", "refund"),
        ("Subscription Start", "subscription_start"),
        ("subscription-cancel", "subscription_cancel"),
        ("cancel", "subscription_cancel"),
        ("Cancelled", "subscription_cancel"),
        ("Sign-Up", "signup"),
        ("click", None),
        ("", None),
    ],
)
def test_event_type_spellings(spelling, expected):
    assert normalise_event_type(spelling) == expected


def test_unknown_event_type_and_empty_customer_are_rejected(ingest, query, write_file):
    text = (
        "customer_id,timestamp,event_type,amount\n"
        "A,2024-01-01,Purchase,5\n"
        "B,2024-01-02,click,0\n"
        " ,2024-01-03,purchase,5\n"
        "C,2024-01-04,,5\n"
        "D,2024-01-05,cancel,0\n"
    )
    result = ingest(write_file("types.csv", text))
    assert_accounted(result)
    assert query("SELECT customer_id, event_type FROM events ORDER BY source_line") == [
        ("A", "purchase"),
        ("D", "subscription_cancel"),
    ]
    assert [(r["line"], r["column"]) for r in result.rejections] == [
        (3, "event_type"),
        (4, "customer_id"),
        (5, "event_type"),
    ]
    assert result.rejections[0]["reason"].startswith("event type 'click' is not one of signup")
    assert result.rejections[1]["reason"] == "customer id is empty"
    assert result.rejections[2]["reason"] == "event type is empty"


def test_customer_ids_stay_text(ingest, query, write_file):
    text = (
        "customer_id,timestamp,amount\n"
        "000123,2024-01-01,1\n"
        "12345678901234567890,2024-01-02,1\n"
        "1.5e3,2024-01-03,1\n"
    )
    ingest(write_file("ids.csv", text))
    assert query("SELECT customer_id FROM events ORDER BY source_line") == [
        ("000123",),
        ("12345678901234567890",),
        ("1.5e3",),
    ]
