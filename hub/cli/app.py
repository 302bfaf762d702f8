"""The root ``hub`` group: global options, logging, and turning ``HubError`` into one line.

Exit codes: 0 success, 1 a ``HubError`` (or a bug), 2 a usage or configuration error
(``ConfigError``, click's usage errors).
"""

from __future__ import annotations

import importlib
import logging
import traceback
from pathlib import Path
from typing import Any

import click

from hub import __version__
from hub.cli.context import HubContext
from hub.cli.output import silence_stdout
from hub.cli.startup import collector_paused
from hub.errors import ConfigError, HubError
from hub.secrets import SecretFilter, redact

# Every subcommand, in help order, as "module:attribute": a command's module (and what it
# imports: the log, the pipeline runtime, the REST API...) loads only when it runs.
COMMANDS: dict[str, str] = {
    "run": "hub.cli.run:run",
    "serve": "hub.cli.serve:serve",
    "validate": "hub.cli.validate:validate",
    "plugins": "hub.cli.plugins:plugins",
    "topics": "hub.cli.topics:topics",
    "produce": "hub.cli.produce:produce",
    "consume": "hub.cli.consume:consume",
    "groups": "hub.cli.groups:groups",
    "schemas": "hub.cli.schemas:schemas",
    "bench": "hub.cli.bench:bench",
}


class _EchoHandler(logging.Handler):
    """Library warnings (torn-tail recovery, clamped offsets) as ``warning: ...`` on stderr.

    Echoes to whatever ``sys.stderr`` is at the time, so it survives redirection in tests.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(f"{record.levelname.lower()}: {self.format(record)}", err=True)
        except Exception:
            self.handleError(record)


_HANDLER = _EchoHandler()
_HANDLER.addFilter(SecretFilter())  # resolved ${env:}/${file:} values never reach the terminal


def _configure_logging(debug: bool) -> None:
    root = logging.getLogger()
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)
    _HANDLER.setLevel(logging.DEBUG if debug else logging.WARNING)
    logging.getLogger("hub").setLevel(logging.DEBUG if debug else logging.NOTSET)


class HubGroup(click.Group):
    """Loads subcommands on demand; prints ``HubError`` as one ``error:`` line (a traceback
    too under ``--debug``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        with collector_paused():
            command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HubError as exc:
            hub = ctx.find_object(HubContext)
            if hub is not None and hub.debug:
                click.echo(redact(traceback.format_exc()), err=True, nl=False)
            click.echo(f"error: {redact(str(exc))}", err=True)
            ctx.exit(2 if isinstance(exc, ConfigError) else 1)
        except BrokenPipeError:  # the reader (``| head``) has had enough
            silence_stdout()
            ctx.exit(0)


@click.group(cls=HubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".hub",
    show_default=True,
    envvar="HUB_DATA_DIR",
    show_envvar=True,
    help="The hub's data directory: the log, and the default SQLite store.",
)
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    envvar="HUB_STORE_URL",
    show_envvar=True,
    help="SQLAlchemy URL of a shared metadata store (default: store.db in the data directory).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.version_option(__version__, prog_name="hub")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path, store_url: str | None, debug: bool) -> None:
    """streamhub: topics, partitions, offsets and consumer groups in a local data directory."""
    _configure_logging(debug)
    ctx.obj = HubContext(data_dir=data_dir, store_url=store_url, debug=debug)


def main(argv: list[str] | None = None) -> None:
    """The console script ``hub``."""
    cli.main(args=argv, prog_name="hub")
