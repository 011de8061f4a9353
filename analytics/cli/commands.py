"""Every ``growthlens`` subcommand, each defined in its own module."""

ALL = []
