"""`lambdaops scan` (every read-only check: the scheduled CI job) and `lambdaops checks` (the catalogue)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lambdaops.cli.options import BaselineOption, Common, WriteBaselineOption, bounded, with_common
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
    baseline: BaselineOption = None,
    write_baseline: WriteBaselineOption = None,
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
    unused_days: Annotated[
        int | None,
        typer.Option("--unused-days", help="iam-unused-* window: unused this many days, 1-400 (90)."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="IAM: conditions do not lower severity.")] = False,
    no_tag_suppressions: Annotated[
        bool,
        typer.Option(
            "--no-tag-suppressions",
            help="Ignore lambdaops:ignore tags on functions (CI gates; lambdaops.toml entries still apply).",
        ),
    ] = False,
    compliance: Annotated[
        str | None,
        typer.Option(
            "--compliance",
            help="Run exactly the checks mapped to this framework's controls (fsbp, cis) and report "
            "pass/fail per control.",
        ),
    ] = None,
    with_code: Annotated[
        bool,
        typer.Option(
            "--with-code",
            help="Also run audit-code's checks (downloads every function's code package; see audit-code).",
        ),
    ] = False,
    osv_db: Annotated[
        Path | None,
        typer.Option("--osv-db", help="With --with-code: a local OSV export instead of OSV's API."),
    ] = None,
    osv_url: Annotated[
        str | None,
        typer.Option(
            "--osv-url",
            help="With --with-code: OSV API base URL (default: osv_url in lambdaops.toml or "
            "$LAMBDAOPS_OSV_URL, else https://api.osv.dev).",
        ),
    ] = None,
) -> None:
    """Run every read-only check at once: the scheduled CI hygiene job.

    Data is collected once and shared by all checks. Findings are grouped by severity; suppressions
    (lambdaops.toml), `lambdaops:ignore` tags and a baseline keep accepted findings out of the exit code.
    """
    from lambdaops.checks.registry import select
    from lambdaops.cli.audit_code import code_checks_wanted, validate_osv_db, validate_osv_url
    from lambdaops.cli.runner import finish, open_run, settings_from
    from lambdaops.render import REPORT_FORMATS, SCAN_FORMATS
    from lambdaops.reports.history import load_history
    from lambdaops.reports.scan import scan_report
    from lambdaops.suppress import load_baseline

    framework = _framework(compliance)
    reports = parse_report_specs(report, REPORT_FORMATS)
    history = load_history(previous or [])
    prints = load_baseline(baseline) if baseline is not None else frozenset()
    settings = settings_from(
        common,
        days=days,
        runtime_warn_days=runtime_warn_days,
        keep_versions=keep_versions,
        concurrency_floor=floor,
        strict=strict or None,
        unused_days=unused_days,
        tag_suppressions=False if no_tag_suppressions else None,
        osv_db=validate_osv_db(osv_db),
        osv_url=validate_osv_url(osv_url),
    )
    try:
        checks = select(check or (), skip_check or (), enabled=settings.enable_checks, framework=framework)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    checks = code_checks_wanted(checks, with_code, explicit=bool(check))
    if not checks:
        raise UsageError("--check/--skip-check leave no check to run; `lambdaops checks` lists them")
    from lambdaops.reports.notify import parse_notify

    targets = parse_notify(notify or [], settings)
    with (
        open_run(common, settings, SCAN_FORMATS) as run,
        run.progress(len(run.scope_pairs), "Scanning") as bar,
    ):
        if with_code:
            from lambdaops.cli.audit_code import announcer
            from lambdaops.reports.audit_code import prepare

            prepare(run.ctx, run.settings, announcer())
        result = scan_report(run.scope, checks, on_done=bar.advance)
        result.compliance = framework
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


def _framework(name: str | None) -> str | None:
    """--compliance: a framework the catalogue maps (lower-case), or a one-line usage error."""
    if name is None:
        return None
    from lambdaops.checks.registry import frameworks

    known = frameworks()
    key = name.strip().lower()
    if key not in known:
        raise UsageError(f"--compliance: unknown framework {name!r}; use one of {', '.join(sorted(known))}")
    return key


def _scan_table(report: Any, console: Any) -> None:
    from lambdaops.render.table import render_findings_table

    render_findings_table(report, console, group_by="auto")
    if report.compliance is not None:
        from lambdaops.render.compliance_table import render_compliance_table

        render_compliance_table(report, console)


@bounded
def checks(
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="table, json, csv or markdown.")
    ] = None,
) -> None:
    """Print the catalogue of checks: id, severity, title, remediation, compliance controls."""
    import sys

    from lambdaops.checks.registry import all_checks
    from lambdaops.cli.runner import resolve_output
    from lambdaops.render.catalogue import catalogue_rows, render_catalogue, render_catalogue_table

    fmt = resolve_output(output, ("table", "json", "csv", "markdown"))
    rows = catalogue_rows(all_checks().values())
    if fmt == "table":
        from rich.console import Console

        render_catalogue_table(rows, Console(soft_wrap=False))
    else:
        sys.stdout.write(render_catalogue(rows, fmt))
