"""`lambdaops audit-code`: the code each function version runs, its known vulnerabilities (OSV),
its dead weight and its secrets; optionally a CycloneDX SBOM per function version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lambdaops.cli.options import BaselineOption, Common, WriteBaselineOption, with_common
from lambdaops.errors import UsageError


def validate_osv_db(path: Path | None) -> Path | None:
    """--osv-db through the settings' own validator (the same as osv_db in lambdaops.toml and
    LAMBDAOPS_OSV_DB): a path that does not exist is exit 2 naming the flag."""
    from lambdaops.settings import validate_flag

    return validate_flag("osv_db", None if path is None else str(path))  # type: ignore[no-any-return]


def validate_osv_url(url: str | None) -> str | None:
    """--osv-url through the settings' validator (osv_url, LAMBDAOPS_OSV_URL): https, or http on
    127.0.0.1 / localhost only."""
    from lambdaops.settings import validate_flag

    return validate_flag("osv_url", url)  # type: ignore[no-any-return]


def code_checks_wanted(checks: list[Any], with_code: bool, explicit: bool) -> list[Any]:
    """scan runs audit-code's checks only with --with-code: they download every package, which a
    nightly job opts into. Asking for one by --check without the flag is a usage error, not silence."""
    from lambdaops.parts import Part

    if with_code:
        return checks
    code = [c for c in checks if Part.CODE in c.needs]
    if explicit and code:
        raise UsageError(f"{code[0].id} downloads code packages: add --with-code (or run audit-code)")
    return [c for c in checks if Part.CODE not in c.needs]


def announcer() -> Any:
    """On a terminal, the bytes about to be downloaded are said first (stderr); piped, silence."""
    from lambdaops.cli.runner import info, stderr_is_tty

    return info if stderr_is_tty() else None


@with_common
def audit_code(
    common: Common,
    osv_db: Annotated[
        Path | None,
        typer.Option(
            "--osv-db",
            help="Match against a local OSV export (a directory or the per-ecosystem all.zip files) "
            "instead of OSV's API: for air-gapped CI (also osv_db in lambdaops.toml, $LAMBDAOPS_OSV_DB).",
        ),
    ] = None,
    osv_url: Annotated[
        str | None,
        typer.Option(
            "--osv-url",
            help="OSV API base URL (default: osv_url in lambdaops.toml or $LAMBDAOPS_OSV_URL, "
            "else https://api.osv.dev).",
        ),
    ] = None,
    sbom: Annotated[
        Path | None,
        typer.Option("--sbom", help="Write one CycloneDX JSON SBOM per function version into DIR."),
    ] = None,
    baseline: BaselineOption = None,
    write_baseline: WriteBaselineOption = None,
) -> None:
    """Audit the code each function runs: dependencies, known vulnerabilities, dead weight, secrets.

    Downloads each function version's package ($LATEST and the versions aliases or provisioned
    concurrency use) and its layers from GetFunction/GetLayerVersion, once per CodeSha256, checks
    the hash, and reads it without extracting or running anything. Dependencies are matched against
    OSV; results are cached by CodeSha256 between runs (--no-cache to turn off).
    """
    from lambdaops.cli.runner import finish, info, open_run, settings_from
    from lambdaops.render import SCAN_FORMATS
    from lambdaops.reports.audit_code import audit_code_report, prepare
    from lambdaops.suppress import load_baseline

    prints = load_baseline(baseline) if baseline is not None else frozenset()
    settings = settings_from(common, osv_db=validate_osv_db(osv_db), osv_url=validate_osv_url(osv_url))
    with open_run(common, settings, SCAN_FORMATS) as run:
        prepare(run.ctx, run.settings, announcer())
        with run.progress(len(run.scope_pairs), "Reading code") as bar:
            report, inv = audit_code_report(run.scope, on_done=bar.advance)
    if sbom is not None:
        from lambdaops.reports.code_sbom import write_sboms

        try:
            written = write_sboms(inv, sbom, run.now)
        except OSError as exc:
            raise UsageError(f"--sbom {sbom}: {exc.strerror or exc}") from None
        info(f"{len(written)} CycloneDX SBOM(s) written to {sbom}")
    finish(run, report, write_baseline=write_baseline, baseline=prints)
