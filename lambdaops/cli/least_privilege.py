"""`lambdaops least-privilege`: the policy each execution role needs, from IAM's last-accessed data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lambdaops.cli.options import Common, with_common


@with_common
def least_privilege(
    common: Common,
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="Only this execution role, by name or ARN (repeatable)."),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            help="Propose removing what was not used for this many days, 1 to 400 (default 90).",
            show_default=False,
        ),
    ] = None,
    write_policies: Annotated[
        Path | None,
        typer.Option(
            "--write-policies",
            help="Also write each proposed policy to DIR/<account>-<role>.json (local files only).",
        ),
    ] = None,
) -> None:
    """Propose, per execution role, a policy with only what it used (IAM's last-accessed data).

    Every permission IAM saw unused for --days days is removed; what IAM cannot see (a role younger
    than the window, services tracked only as a whole, S3 object actions and other data events) is
    kept, and each role says how confident its proposal is. Only the resources today's policies name,
    never wider. Nothing is changed in AWS: apply the policy through your infrastructure code.
    Use --function (a common option) to start from functions instead of roles.
    """
    from lambdaops.cli.runner import finish, info, open_run, settings_from
    from lambdaops.errors import UsageError
    from lambdaops.reports.least_privilege import least_privilege_report
    from lambdaops.settings import validate_flag

    roles = tuple(r.strip() for r in role or ())
    for r in roles:
        if not r or not r.isprintable():
            raise UsageError(f"--role {r!r}: give a role name or ARN")
    if write_policies is not None and write_policies.exists() and not write_policies.is_dir():
        raise UsageError(f"--write-policies {write_policies}: not a directory")
    settings = settings_from(
        common,
        unused_days=validate_flag("unused_days", days, "--days"),
        role_filter=roles or None,
    )
    with open_run(common, settings) as run, run.progress(len(run.scope_pairs), "Reading regions") as bar:
        report = least_privilege_report(run.scope, on_done=bar.advance)
    if write_policies is not None:
        from lambdaops.reports.least_privilege import write_policy_files

        written = write_policy_files(report, write_policies)
        info(f"{written} proposed policy file(s) written to {write_policies} (nothing changed in AWS)")
    finish(run, report, _table)


def _table(report: Any, console: Any) -> None:
    from lambdaops.render.least_privilege_table import render_least_privilege

    render_least_privilege(report, console)
