"""The ``growthlens`` command line: a thin shell over :mod:`analytics`.

Exit status: 0 done, 1 unexpected failure, 2 rejected input (nothing changed).
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import sys

import click

from analytics.errors import GrowthLensError

logger = logging.getLogger("analytics.cli")


def package_version() -> str:
    """Return the installed version of the growthlens package, else the source's."""
    try:
        return importlib.metadata.version("growthlens")
    except importlib.metadata.PackageNotFoundError:
        from analytics import __version__

        return __version__


def _print_version(context: click.Context, _parameter: click.Parameter, value: bool) -> None:
    if not value or context.resilient_parsing:
        return
    click.echo(f"growthlens {package_version()}")
    context.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Print the GrowthLens version and exit.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log progress and retries to stderr.")
def cli(verbose: bool) -> None:
    """GrowthLens: retention, churn, cohorts and CLV from your own event data, on this machine."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _register_commands() -> None:
    # Imported here so that importing this package stays cheap and side-effect free.
    from analytics.cli import commands

    for command in commands.ALL:
        cli.add_command(command)


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status; errors become one-line messages."""
    _register_commands()
    try:
        cli.main(args=argv, prog_name="growthlens", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.UsageError as error:
        _show_usage_error(error)
        return 2
    except click.ClickException as error:
        click.echo(f"error: {error.format_message()}", err=True)
        return error.exit_code
    except click.exceptions.Exit as exit_request:
        return exit_request.exit_code
    except GrowthLensError as error:
        click.echo(f"error: {error}", err=True)
        return error.exit_status
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception as error:  # noqa: BLE001 - the edge where any failure becomes a message
        logger.debug("unexpected failure", exc_info=True)
        if os.environ.get("GROWTH_DEBUG"):
            raise
        click.echo(
            f"error: unexpected failure: {type(error).__name__}: {error}. "
            "Run again with GROWTH_DEBUG=1 for the traceback.",
            err=True,
        )
        return 1
    return 0


def _show_usage_error(error: click.UsageError) -> None:
    """Print the usage line, the help hint and the message.

    The message starts with "error:" like every other command-line error, where Click
    itself would write "Error:".
    """
    context = error.ctx
    if context is not None:
        hint = ""
        if context.command.get_help_option(context) is not None:
            names = context.command.get_help_option_names(context)
            hint = f"Try '{context.command_path} {max(names, key=len)}' for help.\n"
        click.echo(f"{context.get_usage()}\n{hint}", err=True)
    click.echo(f"error: {error.format_message()}", err=True)


if __name__ == "__main__":
    sys.exit(main())
