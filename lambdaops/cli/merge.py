"""`lambdaops merge`: combine JSON reports (one per CI shard) into one report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lambdaops.cli.choices import FailOn, SortKey
from lambdaops.cli.options import command_boundary


def merge(
    reports: Annotated[
        list[Path],
        typer.Argument(
            help="JSON reports written by `--output json` (e.g. one per --shard).", show_default=False
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="table (default), json, csv, markdown, sarif or junit."),
    ] = None,
    output_file: Annotated[
        Path | None, typer.Option("--output-file", help="Write the report here instead of stdout.")
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 3 on a finding at or above: info|low|medium|high|critical|none (default high).",
            case_sensitive=False,
        ),
    ] = None,
    sort: Annotated[
        SortKey | None,
        typer.Option(
            "--sort", help="Order of function rows (default: the command's own order).", case_sensitive=False
        ),
    ] = None,
) -> None:
    """Merge JSON reports of one command into one: scope unioned, findings deduplicated by
    fingerprint, functions by ARN, errors kept; the summary and exit code are recomputed.

    Reports of different commands or schema versions are refused (exit 2). Exit codes as for the
    command itself: 4 when any input had errors, 3 on a finding at or above --fail-on, else 0.
    """
    with command_boundary():
        _merge(reports, output, output_file, fail_on, sort.value if sort is not None else None)


def _merge(
    paths: list[Path], output: str | None, output_file: Path | None, fail_on: str | None, sort: str | None
) -> None:
    from lambdaops.cli.runner import emit, exit_code_for, resolve_output
    from lambdaops.errors import UsageError
    from lambdaops.model import Severity
    from lambdaops.render import SCAN_FORMATS
    from lambdaops.reports.merge import load_report, merge_reports
    from lambdaops.settings import build_settings, parse_fail_on

    fmt = resolve_output(output, SCAN_FORMATS, output_file)
    # LAMBDAOPS_FAIL_ON and lambdaops.toml count here as for every command; the flag wins.
    threshold: Severity | None = build_settings(None, {}).fail_on
    if fail_on is not None:
        try:
            threshold = parse_fail_on(fail_on)
        except ValueError as exc:
            raise UsageError(f"--fail-on: {exc}") from None
    report = merge_reports([load_report(p) for p in paths], sort=sort)
    report.fail_on = threshold
    emit(report, fmt, output_file, _table)
    raise typer.Exit(int(exit_code_for(report, threshold)))


def _table(report: Any, console: Any) -> None:
    from lambdaops.render.table import render_findings_table, render_functions_table

    if report.command == "list-inactive":
        render_functions_table(report, console)
    else:
        render_findings_table(report, console, group_by="auto")
