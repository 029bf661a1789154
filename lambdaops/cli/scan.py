"""`lambdaops scan` (every read-only check: the scheduled CI job) and `lambdaops checks` (the catalogue)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lambdaops.cli.options import Common, with_common
from lambdaops.errors import UsageError


def parse_report_specs(specs: list[str] | None, formats: tuple[str, ...]) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for spec in specs or []:
        fmt, sep, path = spec.partition("=")
        fmt = fmt.strip().lower()
        if not sep or not path.strip():
            raise UsageError(f"--report takes FORMAT=PATH (e.g. sarif=lambdaops.sarif), got {spec!r}")
        if fmt not in formats or fmt == "table":
            allowed = ", ".join(f for f in formats if f != "table")
            raise UsageError(f"--report: unknown format {fmt!r}; use one of {allowed}")
        out.append((fmt, Path(path.strip())))
    return out


@with_common
def scan(
    common: Common,
    check: Annotated[
        list[str] | None,
        typer.Option("--check", help="Run only these check ids (repeatable; globs: 'iam-*')."),
    ] = None,
    skip_check: Annotated[
        list[str] | None, typer.Option("--skip-check", help="Skip these check ids (repeatable; globs).")
    ] = None,
    report: Annotated[
        list[str] | None,
        typer.Option(
            "--report",
            help="Also write FORMAT=PATH (repeatable), e.g. sarif=out.sarif json=out.json html=report.html; "
            "also asff, ocsf (Security Hub).",
        ),
    ] = None,
    previous: Annotated[
        list[Path] | None,
        typer.Option(
            "--previous",
            help="An earlier JSON report (repeatable): the HTML report shows new and fixed since the latest, "
            "and findings over time.",
        ),
    ] = None,
    notify: Annotated[
        list[str] | None,
        typer.Option(
            "--notify",
            help="After the run, one message to slack=WEBHOOK_URL, teams=WEBHOOK_URL or sns=TOPIC_ARN "
            "(repeatable); the kind alone takes the target from LAMBDAOPS_SLACK_WEBHOOK_URL etc.",
        ),
    ] = None,
    report_url: Annotated[
        str | None,
        typer.Option("--report-url", help="Where the HTML report will be (a link in the --notify message)."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Mark findings whose fingerprint is in FILE as baselined."),
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option("--write-baseline", help="Write the current failing fingerprints to FILE.")
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", help="Idle window for lambda-inactive (1-455).")
    ] = None,
    runtime_warn_days: Annotated[
        int | None, typer.Option("--runtime-warn-days", help="Warn this many days before deprecation (90).")
    ] = None,
    keep_versions: Annotated[
        int | None,
        typer.Option("--keep-versions", help="Published versions kept before lambda-old-versions (5)."),
    ] = None,
    floor: Annotated[
        int | None, typer.Option("--floor", help="Minimum unreserved concurrency (100).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="IAM: conditions do not lower severity.")] = False,
    no_tag_suppressions: Annotated[
        bool,
        typer.Option(
            "--no-tag-suppressions",
            help="Ignore lambdaops:ignore tags on functions (CI gates; lambdaops.toml entries still apply).",
        ),
    ] = False,
) -> None:
    """Run every read-only check at once: the scheduled CI hygiene job.

    Data is collected once and shared by all checks. Findings are grouped by severity; suppressions
    (lambdaops.toml), `lambdaops:ignore` tags and a baseline keep accepted findings out of the exit code.
    """
    from lambdaops.checks.registry import select
    from lambdaops.cli.runner import finish, open_run, settings_from, validate_days
    from lambdaops.render import REPORT_FORMATS, SCAN_FORMATS
    from lambdaops.reports.history import load_history
    from lambdaops.reports.scan import scan_report
    from lambdaops.suppress import load_baseline

    try:
        checks = select(check or (), skip_check or ())
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not checks:
        raise UsageError("--check/--skip-check leave no check to run; `lambdaops checks` lists them")
    reports = parse_report_specs(report, REPORT_FORMATS)
    history = load_history(previous or [])
    prints = load_baseline(baseline) if baseline is not None else frozenset()
    for flag, value, hi in (
        ("--runtime-warn-days", runtime_warn_days, 3650),
        ("--keep-versions", keep_versions, 10_000),
        ("--floor", floor, 100_000),
    ):
        validate_days(flag, value, lo=0, hi=hi)
    settings = settings_from(
        common,
        days=validate_days("--days", days),
        runtime_warn_days=runtime_warn_days,
        keep_versions=keep_versions,
        concurrency_floor=floor,
        strict=strict or None,
        tag_suppressions=False if no_tag_suppressions else None,
    )
    from lambdaops.reports.notify import parse_notify

    targets = parse_notify(notify or [], settings)
    with (
        open_run(common, settings, SCAN_FORMATS) as run,
        run.progress(len(run.scope_pairs), "Scanning") as bar,
    ):
        result = scan_report(run.ctx, run.regions, settings, run.now, checks, on_done=bar.advance)
        bar.stop()
        # inside the run: an SNS notification goes through its AWS context (in --demo, the emulation)
        finish(
            run,
            result,
            _scan_table,
            baseline=prints,
            reports=reports,
            write_baseline=write_baseline,
            history=history,
            notify=targets,
            report_url=report_url,
        )


def _scan_table(report: Any, console: Any) -> None:
    from lambdaops.render.table import render_findings_table

    render_findings_table(report, console, group_by="auto")


def checks(
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="table, json, csv or markdown.")
    ] = None,
) -> None:
    """Print the catalogue of checks: id, severity, title, remediation."""
    import json
    import sys

    from lambdaops.checks.registry import all_checks
    from lambdaops.cli.runner import resolve_output

    fmt = resolve_output(output, ("table", "json", "csv", "markdown"))
    rows = [
        {
            "id": c.id,
            "severity": c.severity.label,
            "command": c.group,
            "title": c.title,
            "remediation": c.remediation,
        }
        for c in all_checks().values()
    ]
    if fmt == "json":
        sys.stdout.write(json.dumps({"checks": rows}, indent=2, sort_keys=True) + "\n")
    elif fmt == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "markdown":
        sys.stdout.write("| id | severity | command | title | remediation |\n|---|---|---|---|---|\n")
        for r in rows:
            cells = (f"`{r['id']}`", r["severity"], r["command"], r["title"], r["remediation"])
            sys.stdout.write("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |\n")
    else:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        from lambdaops.render.table import NARROW, entry_list, fits

        console = Console(soft_wrap=False)
        table = Table(title=f"{len(rows)} checks", title_justify="left", header_style="bold")
        for col in ("id", "severity", "command", "title", "remediation"):
            table.add_column(col, overflow="fold", no_wrap=col in ("id", "severity", "command"))
        for r in rows:
            table.add_row(r["id"], r["severity"], r["command"], r["title"], r["remediation"])
        if console.width >= NARROW and fits(console, table):  # prose columns need the room
            console.print(table)
        else:  # narrow terminal or a pipe: a heading per check, title and remediation below it
            entries = [
                (
                    Text(f"{r['id']}  {r['severity']}  ({r['command']})", style="bold"),
                    [Text(r["title"]), Text(f"Fix: {r['remediation']}", style="dim")],
                )
                for r in rows
            ]
            console.print(entry_list(f"{len(rows)} checks", entries))
