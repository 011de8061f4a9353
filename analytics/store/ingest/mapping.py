"""Mapping of file columns to event fields, given with ``--map`` or guessed from names.

Every column that feeds no field becomes an attribute of the event under a normalised
lowercase name, so that `campaign`, `City` or `Sales Channel` can split the metrics. The
two columns of an amount mapped as quantity × unit price are kept as attributes too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from analytics.errors import InvalidInputError
from analytics.store.ingest.options import FIELDS, REQUIRED_FIELDS

# Column names recognised for each field, compared after lowercasing and dropping every
# character that is not a letter or digit ("Customer ID" and "customer_id" both match
# "customerid"). Earlier names win when a file has several candidates.
_FIELD_NAMES = {
    "customer_id": (
        "customerid customer custid customerno customernumber customercode userid user "
        "clientid client accountid account memberid member buyerid buyer shopperid "
        "contactid personid visitorid subscriberid"
    ),
    "event_time": (
        "eventtime timestamp datetime date orderdate invoicedate createdat created "
        "occurredat eventdate purchasedate transactiondate orderdatetime ordertime "
        "transactiontime purchasetime time ts"
    ),
    "event_type": "eventtype type event eventname action kind",
    "amount": (
        "amount revenue total totalamount dollarvalue value price sales netrevenue "
        "grossrevenue ordertotal ordervalue orderamount totalprice payment "
        "paymentamount saleamount net gross"
    ),
    "event_id": (
        "eventid orderid order invoice invoiceno invoicenumber invoiceid transactionid "
        "transaction txnid orderno ordernumber receiptid id"
    ),
    "currency": "currency currencycode ccy cur",
}
_KNOWN_NAMES = {field: tuple(names.split()) for field, names in _FIELD_NAMES.items()}


@dataclass(frozen=True)
class ColumnMapping:
    """Field-to-column assignment for one file; columns are referred to by position."""

    columns: tuple[str, ...]
    fields: dict[str, int]  # field -> column position; amount is absent when it is a product
    amount_product: tuple[int, int] | None  # positions of quantity and unit price
    given: frozenset[str]  # fields the caller mapped (including explicitly unmapped ones)
    guessed: frozenset[str]
    attributes: dict[int, str]  # column position -> attribute name

    def describe(self) -> dict[str, str]:
        """Return field -> column name, with a product amount written as ``a*b``."""
        described = {field: self.columns[position] for field, position in self.fields.items()}
        if self.amount_product is not None:
            left, right = self.amount_product
            described["amount"] = f"{self.columns[left]}*{self.columns[right]}"
        return {field: described[field] for field in FIELDS if field in described}

    def missing_required(self) -> list[str]:
        """Return the required fields that have no column."""
        missing = [field for field in REQUIRED_FIELDS if field not in self.fields]
        if "amount" in missing and self.amount_product is not None:
            missing.remove("amount")
        return missing

    def attribute_names(self) -> dict[str, str]:
        """Return column name -> attribute name for every attribute column."""
        return {self.columns[position]: name for position, name in self.attributes.items()}


def normalise_key(name: str) -> str:
    """Lowercase ``name`` and keep only letters and digits, for comparing column names."""
    return "".join(character for character in name.lower() if character.isalnum())


def attribute_name(column: str, position: int) -> str:
    """Return the attribute name of a column: lowercase words joined by underscores."""
    name = re.sub(r"\W+", "_", column.strip().lower()).strip("_")
    return name or f"column_{position + 1}"


def build_mapping(
    columns: tuple[str, ...], requested: Mapping[str, str], file_name: str
) -> ColumnMapping:
    """Apply the caller's mapping, guess the remaining fields and name the attributes.

    Raises InvalidInputError for an unknown field or a mapping to a column that the file
    does not have. Required fields that stay unmapped are reported by
    :meth:`ColumnMapping.missing_required`, not raised here.
    """
    fields: dict[str, int] = {}
    amount_product = None
    given: set[str] = set()
    for field, target in requested.items():
        field = field.strip()
        if field not in FIELDS:
            raise InvalidInputError(
                f"Unknown field '{field}' in the mapping. Fields: {', '.join(FIELDS)}.",
                file=file_name,
            )
        given.add(field)
        target = target.strip()
        if not target:
            if field in REQUIRED_FIELDS:
                raise InvalidInputError(
                    f"Field '{field}' is required and cannot be left unmapped.", file=file_name
                )
            continue
        if field == "amount" and "*" in target and _find_column(columns, target) is None:
            left_name, _, right_name = target.partition("*")
            amount_product = (
                _require_column(columns, left_name, field, file_name),
                _require_column(columns, right_name, field, file_name),
            )
            continue
        fields[field] = _require_column(columns, target, field, file_name)

    used = set(fields.values())
    if amount_product is not None:
        used.update(amount_product)
    guessed: set[str] = set()
    keys = [normalise_key(column) for column in columns]
    for field in FIELDS:
        if field in given:
            continue
        for known in _KNOWN_NAMES[field]:
            position = next(
                (index for index, key in enumerate(keys) if key == known and index not in used),
                None,
            )
            if position is not None:
                fields[field] = position
                used.add(position)
                guessed.add(field)
                break

    return ColumnMapping(
        columns=columns,
        fields=fields,
        amount_product=amount_product,
        given=frozenset(given),
        guessed=frozenset(guessed),
        # The factors of a product amount stay attributes: quantity is worth keeping.
        attributes=_attribute_columns(columns, set(fields.values())),
    )


def require_complete(mapping: ColumnMapping, file_name: str) -> None:
    """Raise InvalidInputError naming the columns present when a required field is unmapped."""
    missing = mapping.missing_required()
    if missing:
        names = ", ".join(f"'{name}'" for name in mapping.columns)
        raise InvalidInputError(
            f"{file_name}: no column found for {', '.join(missing)}. Columns present: {names}. "
            "Map them with FIELD=COLUMN (for example event_time=order_date).",
            file=file_name,
        )


def _attribute_columns(columns: tuple[str, ...], used: set[int]) -> dict[int, str]:
    attributes: dict[int, str] = {}
    taken: set[str] = set()
    for position, column in enumerate(columns):
        if position in used:
            continue
        base = attribute_name(column, position)
        name, suffix = base, 2
        while name in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name)
        attributes[position] = name
    return attributes


def _find_column(columns: tuple[str, ...], name: str) -> int | None:
    """Find a column by exact name, then ignoring case and spaces, then by normalised key.
    An exact name picks the first column of that name; the looser matches must be unique."""
    name = name.strip()
    if name in columns:
        return columns.index(name)
    for matches in (
        lambda column: column.strip().lower() == name.lower(),
        lambda column: normalise_key(column) == normalise_key(name) and normalise_key(name),
    ):
        positions = [index for index, column in enumerate(columns) if matches(column)]
        if len(positions) == 1:
            return positions[0]
    return None


def _require_column(columns: tuple[str, ...], name: str, field: str, file_name: str) -> int:
    position = _find_column(columns, name)
    if position is None:
        names = ", ".join(f"'{column}'" for column in columns)
        raise InvalidInputError(
            f"{file_name}: column '{name.strip()}' given for {field} is not in the file. "
            f"Columns present: {names}.",
            file=file_name,
            column=name.strip(),
        )
    return position


def repeated_name_warnings(mapping: ColumnMapping, limit: int = 60) -> list[str]:
    """Return a warning for each column name that the header gives more than once, saying
    what each of those columns was loaded as."""
    positions_by_name: dict[str, list[int]] = {}
    for position, column in enumerate(mapping.columns):
        positions_by_name.setdefault(column.strip(), []).append(position)
    field_at = {position: field for field, position in mapping.fields.items()}
    factors = set(mapping.amount_product or ())
    warnings = []
    for name, positions in positions_by_name.items():
        if len(positions) < 2:
            continue
        roles = []
        for position in positions:
            if position in field_at:
                roles.append(field_at[position])
            elif position in factors:
                roles.append("a factor of amount")
            else:
                roles.append(f"attribute '{mapping.attributes.get(position, '')}'")
        display_name = name if len(name) <= limit else name[:limit] + "…"
        numbers = ", ".join(str(position + 1) for position in positions)
        warnings.append(
            f"The header names {len(positions)} columns '{display_name}' (columns {numbers}); they "
            f"were loaded as {', '.join(roles)}. Rename them in the file if that is wrong."
        )
    return warnings
