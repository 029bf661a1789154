"""`lambdaops list-inactive`: every function, its last modification and invocation; the idle ones."""

from __future__ import annotations

from typing import Annotated

import typer

from lambdaops.cli.options import Common, completes, with_common

SHOW_CHOICES = ("inactive", "all")


@with_common
def list_inactive(
    common: Common,
    days: Annotated[
        int | None,
        typer.Option("--days", help="Idle window in days, 1 to 455 (default 10).", show_default=False),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            help="days-idle (default), name, region, last-modified or last-invocation.",
            autocompletion=completes("days-idle", "name", "region", "last-modified", "last-invocation"),
        ),
    ] = "days-idle",
    show: Annotated[
        str,
        typer.Option("--show", help="inactive (default) or all.", autocompletion=completes(*SHOW_CHOICES)),
    ] = "inactive",
) -> None:
    """List functions not invoked for N days, with last modification and last invocation.

    The last invocation comes from the AWS/Lambda Invocations metric (not from logs, which expire or
    go elsewhere). A function whose metrics could not be read is `unknown`, never `inactive`.
    """
    from lambdaops.cli.runner import finish, open_run, settings_from, validate_choice
    from lambdaops.render.table import render_functions_table
    from lambdaops.reports.list_inactive import list_inactive_report
    from lambdaops.rows import SORT_KEYS

    validate_choice("--sort", sort, SORT_KEYS)
    validate_choice("--show", show, SHOW_CHOICES)
    settings = settings_from(common, days=days)
    with open_run(common, settings) as run, run.progress(len(run.scope_pairs), "Reading regions") as bar:
        report = list_inactive_report(
            run.ctx, run.regions, settings, run.now, settings.days, show=show, sort=sort, on_done=bar.advance
        )
    finish(run, report, render_functions_table)
