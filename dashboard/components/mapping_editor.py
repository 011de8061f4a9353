"""The Upload page's column mapping: one selectbox per event field, seeded with the
mapping the ingest guessed, and an amount that may be quantity × unit price."""

from __future__ import annotations

import streamlit as st

from analytics.store.ingest.options import FIELDS
from dashboard.uploads import MappingChoice, split_product

KEY_PREFIX = "upload_map_"
QUANTITY_KEY = "upload_map_quantity"
UNIT_PRICE_KEY = "upload_map_unit_price"
NOT_MAPPED = ""
PRODUCT = "\x00quantity × unit price"  # an option no column name can equal

FIELD_LABELS = {
    "customer_id": "Customer id (required)",
    "event_time": "Event time (required)",
    "amount": "Amount (required)",
    "event_type": "Event type (without it, every row is a purchase)",
    "event_id": "Event id: order or invoice number (repeats are skipped)",
    "currency": "Currency",
}


def widget_keys() -> list[str]:
    return [KEY_PREFIX + field for field in FIELDS] + [QUANTITY_KEY, UNIT_PRICE_KEY]


def reset_mapping_widgets() -> None:
    """Forget the mapping widgets' values, so a new file is seeded from its own guess."""
    for key in widget_keys():
        st.session_state.pop(key, None)


def choice_from_state() -> MappingChoice | None:
    """Return the mapping the widgets held on the previous run, or None before they exist."""
    keys = [KEY_PREFIX + field for field in FIELDS]
    if not all(key in st.session_state for key in keys):
        return None
    return _choice({field: st.session_state[KEY_PREFIX + field] for field in FIELDS})


def _choice(values: dict[str, str]) -> MappingChoice:
    product = values.get("amount") == PRODUCT
    columns = {field: value for field, value in values.items() if value != PRODUCT}
    return MappingChoice(
        columns=columns,
        amount_is_product=product,
        quantity_column=(st.session_state.get(QUANTITY_KEY) or "") if product else "",
        unit_price_column=(st.session_state.get(UNIT_PRICE_KEY) or "") if product else "",
    )


def _seed(columns: list[str], guessed: dict[str, str]) -> None:
    for field in FIELDS:
        key = KEY_PREFIX + field
        mapped = guessed.get(field, NOT_MAPPED)
        product = split_product(mapped) if field == "amount" else None
        if product is not None:
            st.session_state.setdefault(key, PRODUCT)
            st.session_state.setdefault(QUANTITY_KEY, product[0] if product[0] in columns else "")
            st.session_state.setdefault(UNIT_PRICE_KEY, product[1] if product[1] in columns else "")
        else:
            st.session_state.setdefault(key, mapped if mapped in columns else NOT_MAPPED)


def render_mapping_editor(
    columns: list[str], guessed: dict[str, str], guessed_fields: list[str]
) -> MappingChoice:
    """Draw the mapping widgets and return the user's choice."""
    _seed(columns, guessed)
    options = [NOT_MAPPED, *columns]
    left, right = st.columns(2)
    values: dict[str, str] = {}
    for index, field in enumerate(FIELDS):
        column = left if index % 2 == 0 else right
        field_options = [*options, PRODUCT] if field == "amount" else options
        key = KEY_PREFIX + field
        if st.session_state.get(key) not in field_options:
            st.session_state[key] = NOT_MAPPED
        values[field] = column.selectbox(
            FIELD_LABELS[field],
            field_options,
            key=key,
            format_func=_option_label,
            help="Guessed from the column names." if field in guessed_fields else None,
        )
    if values["amount"] == PRODUCT:
        left, right = st.columns(2)
        for key in (QUANTITY_KEY, UNIT_PRICE_KEY):
            if st.session_state.get(key) not in options:
                st.session_state[key] = NOT_MAPPED
        left.selectbox("Quantity column", options, key=QUANTITY_KEY, format_func=_option_label)
        right.selectbox("Unit price column", options, key=UNIT_PRICE_KEY, format_func=_option_label)
    return _choice(values)


def _option_label(option: str) -> str:
    if option == NOT_MAPPED:
        return "(not mapped)"
    if option == PRODUCT:
        return "quantity × unit price"
    return option
