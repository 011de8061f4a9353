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
# Options that take a date; the word "date" is added unless the message has it already.
DATE_OPTION_LABELS = {"--from": "From", "--to": "To", "--as-of": "As of"}
COMMAND_LABELS = {
    "with 'growthlens ingest FILE'": "on the Upload page",
    "'growthlens ingest FILE'": "the Upload page",
}
_OPTION = re.compile(r"--[a-z][a-z-]*(?:/--[a-z][a-z-]*)?( date\b)?")


def dashboard_message(error: Exception | str) -> str:
    """Return the text of ``error`` with command-line options named as dashboard controls."""
    text = str(error)
    for command, label in COMMAND_LABELS.items():
        text = text.replace(command, label)
    return _OPTION.sub(_option_label, text)


def _option_label(match: re.Match) -> str:
    option = match.group(0).removesuffix(" date")
    if option in DATE_OPTION_LABELS:
        return f"{DATE_OPTION_LABELS[option]} date"
    label = OPTION_LABELS.get(option, option)
    return label + (match.group(1) or "")
