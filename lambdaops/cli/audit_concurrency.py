"""`lambdaops audit-concurrency`: each region's concurrency pool, audited; `--cap-unlimited` fixes it."""

from __future__ import annotations

from typing import Annotated

import typer

from lambdaops.cli.options import Common, apply_flag, with_common

FIX = "Fix"


@with_common
def audit_concurrency(
    common: Common,
    days: Annotated[
        int | None,
        typer.Option(
            "--days", help="Window for peaks and throttles, 1 to 455 (default 14).", show_default=False
        ),
    ] = None,
    floor: Annotated[
        int | None,
        typer.Option(
            "--floor",
            help=(
                "Unreserved concurrency to keep per region (default 100, AWS's minimum; "
                "a region whose limit is smaller keeps its whole limit)."
            ),
            show_default=False,
        ),
    ] = None,
    cap_unlimited: Annotated[
        int | None,
        typer.Option(
            "--cap-unlimited",
            help="Plan a reservation of N for every function without one (refused if the floor would break).",
            show_default=False,
            rich_help_panel=FIX,
        ),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Make the --cap-unlimited changes.", rich_help_panel=FIX)
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Show the --cap-unlimited plan; change nothing (the default).",
            rich_help_panel=FIX,
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before --apply.", rich_help_panel=FIX)
    ] = False,
) -> None:
    """Reserved and provisioned concurrency against the account limit, per region.

    Shows each region's pool (limit, reserved, provisioned, unreserved, floor, peak) and the functions
    that matter; finds an unreserved pool below the floor, peaks near the limit, functions without a
    limit (high when anyone can invoke them), functions reserved at 0, throttling and reservations far
    above their peak. `--cap-unlimited N` plans a reservation of N for every function without one and
    changes nothing unless given `--apply`.
    """
    from lambdaops.cli.runner import (
        confirm_apply,
        finish,
        finish_plan,
        open_run,
        settings_from,
        show_plan,
    )
    from lambdaops.errors import UsageError

    if cap_unlimited is None and (apply or yes or dry_run):
        raise UsageError(
            "--apply and --yes go with --cap-unlimited N, as does --dry-run "
            "(the only change audit-concurrency makes)"
        )
    apply = apply_flag(apply, dry_run)
    if cap_unlimited is not None and cap_unlimited < 1:
        raise UsageError(
            f"--cap-unlimited must be at least 1, got {cap_unlimited} "
            "(a reservation of 0 would switch every function off)"
        )
    settings = settings_from(common, concurrency_days=days, concurrency_floor=floor)
    with open_run(common, settings) as run, run.progress(len(run.scope_pairs), "Reading regions") as bar:
        if cap_unlimited is None:
            from lambdaops.render.concurrency_table import render_concurrency_table
            from lambdaops.reports.audit_concurrency import audit_concurrency_report

            report = audit_concurrency_report(run.scope, settings.concurrency_days, on_done=bar.advance)
            finish(run, report, render_concurrency_table)
        else:
            from lambdaops.render.concurrency_table import render_concurrency_plan
            from lambdaops.reports.audit_concurrency import cap_unlimited_report

            report = cap_unlimited_report(
                run.scope,
                cap_unlimited,
                apply,
                confirm=lambda summary: confirm_apply(summary, yes),
                on_done=bar.advance,
                show=lambda plan: show_plan(plan, render_concurrency_plan, yes),
            )
            finish_plan(run, report, render_concurrency_plan)
