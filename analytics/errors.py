"""Domain errors. Each edge translates them: the CLI to a message and exit status, the
dashboard to ``st.error`` and ``st.stop()``. Their text is meant for the user as it is."""

from __future__ import annotations


class GrowthLensError(Exception):
    """An error whose message is shown to the user without a traceback."""

    exit_status = 1


class InvalidInputError(GrowthLensError):
    """Input that GrowthLens rejects; nothing was changed (CLI exit status 2)."""

    exit_status = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column


class AmbiguousDateOrderError(InvalidInputError):
    """Every date in a column fits both day-first and month-first; the user must choose."""

    def __init__(self, message: str, *, file: str | None, column: str, lines: list[int]) -> None:
        super().__init__(message, file=file, line=lines[0] if lines else None, column=column)
        self.lines = lines


class DatabaseBusyError(GrowthLensError):
    """Another process held the database's write lock for longer than the allowed wait."""

    exit_status = 1


class ModelUnavailableError(GrowthLensError):
    """The narrative model could not be loaded or run; the template narrative is used."""
