"""Error messages in the dashboard's words.

The analytics errors are written for the command line and name its options
(``--grain``, ``--from/--to``). On a page the user sets the same values with widgets, so
each option is replaced by the label of the widget that sets it.
"""

from __future__ import annotations

import re

# Command-line option -> the dashboard control that sets the same value.
OPTION_LABELS = {
    "--from/--to": "the From and To dates",
    "--grain": "grain (the Grain filter)",
    "--window": "activity window (the Activity window filter)",
    "--segment": "segment (the Segment by filter)",
    "--timezone": "reporting time zone (on the Settings page)",
    "--lifespan-years": "lifespan in years",
    "--gross-margin": "gross margin (on the Settings page)",
}
# Options that take a date. Their label gets the word "date" unless the message has it.
DATE_OPTION_LABELS = {"--from": "From", "--to": "To", "--as-of": "As of"}
# Whole command-line instructions -> what to do in the dashboard instead. They are
# replaced before the shorter command names below.
INSTRUCTION_LABELS = {
    "Load data first with 'growthlens ingest FILE' or 'growthlens demo', or pass --db PATH.": (
        "Load data on the Upload page."
    ),
    "Pass --db the path of a database that 'growthlens ingest' or 'growthlens demo' created. "
    "To load a data file, use 'growthlens ingest FILE'.": (
        "Load the file again on the Upload page."
    ),
    "Load data into a new database with 'growthlens ingest FILE --db PATH'.": (
        "Load the file again on the Upload page."
    ),
}
COMMAND_LABELS = {
    "with 'growthlens ingest FILE'": "on the Upload page",
    "'growthlens ingest FILE'": "the Upload page",
}
_OPTION = re.compile(r"--[a-z][a-z-]*(?:/--[a-z][a-z-]*)?( date\b)?")


def dashboard_message(error: Exception | str) -> str:
    """Return the text of ``error`` with command-line options named as dashboard controls."""
    text = str(error)
    for instruction, label in INSTRUCTION_LABELS.items():
        text = text.replace(instruction, label)
    for command, label in COMMAND_LABELS.items():
        text = text.replace(command, label)
    return _OPTION.sub(_option_label, text)


def _option_label(match: re.Match) -> str:
    option = match.group(0).removesuffix(" date")
    if option in DATE_OPTION_LABELS:
        return f"{DATE_OPTION_LABELS[option]} date"
    label = OPTION_LABELS.get(option, option)
    return label + (match.group(1) or "")
