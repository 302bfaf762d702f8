"""``hub validate FILE...``: check pipeline files without running them."""

from __future__ import annotations

from pathlib import Path

import click

from hub.cli.output import info

SCHEMA = "pipeline.schema.json"


def _print_schema_path(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        from schemas import schema_path

        click.echo(schema_path(SCHEMA))
        ctx.exit(0)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--schema-path",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_schema_path,
    help="Print the path of the pipeline JSON Schema (for editors) and exit.",
)
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Check the pipeline FILES and report every problem at once.

    Each problem reads FILE:LINE: YAML.path: what is wrong; what is allowed. Exit status: 0 when
    every file is valid, 2 when any is not. Editors check files as they are typed with the same
    schema: start a file with `# yaml-language-server: $schema=PATH`, PATH as printed by
    `hub validate --schema-path`.
    """
    from hub.pipeline import check_pipelines

    results = check_pipelines(files)
    for result in results:
        if result.spec is not None:
            spec = result.spec
            click.echo(
                f"{result.path}: ok ({_count(len(spec.sources), 'source')}, "
                f"{_count(len(spec.sinks), 'sink')})"
            )
        for problem in result.problems:
            click.echo(problem)
    invalid = [r for r in results if not r.ok]
    if invalid:
        problems = sum(len(r.problems) for r in invalid)
        info(f"{_count(problems, 'problem')} in {_count(len(invalid), 'file')} of {len(results)}")
        ctx.exit(2)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
