"""`lambdaops audit-iam`: wildcard and over-broad permissions, shared roles, public functions."""

from __future__ import annotations

from typing import Annotated

import typer

from lambdaops.cli.choices import GroupBy
from lambdaops.cli.options import Common, with_common

BY_CHOICES = tuple(b.value for b in GroupBy)  # kept for callers of the old name


@with_common
def audit_iam(
    common: Common,
    by: Annotated[
        GroupBy, typer.Option("--by", help="Group the table by role or by function.", case_sensitive=False)
    ] = GroupBy.ROLE,
    strict: Annotated[
        bool, typer.Option("--strict", help="A Condition does not lower a finding's severity.")
    ] = False,
) -> None:
    """Audit every function's execution role and who may invoke it.

    One GetAccountAuthorizationDetails pass per account reads every role with its inline,
    customer-managed and AWS-managed policies; each function's resource policy and function URLs show
    who may call it.
    """
    from lambdaops.cli.runner import finish, open_run, settings_from
    from lambdaops.render.iam_table import render_iam_table
    from lambdaops.reports.audit_iam import audit_iam_report
    from lambdaops.views import IamView

    settings = settings_from(common, strict=strict or None)
    with open_run(common, settings) as run, run.progress(len(run.scope_pairs), "Reading regions") as bar:
        report = audit_iam_report(run.scope, on_done=bar.advance)
    report.view = IamView(group_by=by.value)
    finish(run, report, render_iam_table)
