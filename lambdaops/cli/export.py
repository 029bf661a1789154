"""`lambdaops export security-hub REPORT.json [--apply]`: a JSON report's findings into Security Hub."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lambdaops.cli.options import ApplyOption, Common, DryRunOption, YesOption, apply_flag, with_common

export_app = typer.Typer(
    help="Send a JSON report's findings to another tool (Security Hub).", no_args_is_help=True
)


@with_common
def security_hub(
    common: Common,
    report_file: Annotated[
        Path,
        typer.Argument(metavar="REPORT.json", help="A JSON report of scan (or merge).", show_default=False),
    ],
    apply: ApplyOption = False,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
    global_region: Annotated[
        str,
        typer.Option(
            "--global-region", help="Security Hub region for findings about global resources (IAM)."
        ),
    ] = "us-east-1",
) -> None:
    """Import a report's failing findings into AWS Security Hub (ASFF), idempotently.

    Shows the plan unless --apply. New and changed findings are imported with BatchImportFindings
    in batches of 100; lambdaops findings that are no longer failing are archived and their workflow
    set to RESOLVED; unchanged ones get no write call.
    """
    from lambdaops.cli.runner import (
        confirm_apply,
        finish_plan,
        open_run,
        settings_from,
        validate_region_flags,
    )
    from lambdaops.reports.merge import load_report, merge_reports
    from lambdaops.reports.security_hub import export_report

    validate_region_flags([global_region])
    source = merge_reports([load_report(report_file)])
    settings = settings_from(common)
    with open_run(common, settings) as run:
        report = export_report(
            run.ctx,
            source,
            run.now,
            apply=apply_flag(apply, dry_run),
            global_region=global_region,
            confirm=lambda summary: confirm_apply(summary, yes),
        )
    finish_plan(run, report)


export_app.command("security-hub")(security_hub)
