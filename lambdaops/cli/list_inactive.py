"""`lambdaops list-inactive`: every function, its last modification and invocation; the idle ones."""

from __future__ import annotations

from typing import Annotated

import typer

from lambdaops.cli.choices import Show, SortKey
from lambdaops.cli.options import Common, with_common

SHOW_CHOICES = tuple(s.value for s in Show)  # kept for callers of the old name


@with_common
def list_inactive(
    common: Common,
    days: Annotated[
        int | None,
        typer.Option("--days", help="Idle window in days, 1 to 455 (default 10).", show_default=False),
    ] = None,
    sort: Annotated[
        SortKey, typer.Option("--sort", help="Order of the rows.", case_sensitive=False)
    ] = SortKey.DAYS_IDLE,
    show: Annotated[
        Show, typer.Option("--show", help="inactive (default) or all.", case_sensitive=False)
    ] = Show.INACTIVE,
) -> None:
    """List functions not invoked for N days, with last modification and last invocation.

    The last invocation comes from the AWS/Lambda Invocations metric (not from logs, which expire or
    go elsewhere). A function whose metrics could not be read is `unknown`, never `inactive`.
    """
    from lambdaops.cli.runner import finish, open_run, settings_from
    from lambdaops.render.table import render_functions_table
    from lambdaops.reports.list_inactive import list_inactive_report

    settings = settings_from(common, days=days)
    with open_run(common, settings) as run, run.progress(len(run.scope_pairs), "Reading regions") as bar:
        report = list_inactive_report(
            run.scope,
            settings.days,
            show=show.value,
            sort=sort.value,
            on_done=bar.advance,
        )
    finish(run, report, render_functions_table)
