"""`lambdaops iam-policy`: the IAM policy lambdaops needs, generated from what its code declares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lambdaops.errors import UsageError

FORMATS = ("table", "json", "markdown")


def iam_policy(
    with_remediation: Annotated[
        bool,
        typer.Option(
            "--with-remediation",
            help="Add the write actions of the commands that change AWS (billing-alarm set/remove, "
            "set-concurrency, --cap-unlimited, prune, restore, prune-versions).",
        ),
    ] = False,
    multi_account: Annotated[
        bool,
        typer.Option(
            "--multi-account",
            help="Add what the caller needs for --org / --accounts (ListAccounts, AssumeRole).",
        ),
    ] = False,
    role_name: Annotated[
        str | None,
        typer.Option("--role-name", help="With --multi-account: the only role name it may assume."),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="table (default: each action and why), json (the policy), markdown."
        ),
    ] = None,
    output_file: Annotated[
        Path | None, typer.Option("--output-file", help="Write it here instead of stdout.")
    ] = None,
) -> None:
    """Print the IAM policy lambdaops needs: read-only unless --with-remediation.

    Generated from the operations each collector and action declares, so it always matches what
    this version calls. `-o json` prints the policy document itself, ready for
    `aws iam create-policy --policy-document file://lambdaops-policy.json`.
    """
    import sys

    from lambdaops.cli.options import command_boundary
    from lambdaops.cli.runner import resolve_output

    with command_boundary():
        fmt = resolve_output(output, FORMATS, output_file)
        if role_name is not None and not multi_account:
            raise UsageError("--role-name only narrows --multi-account; add --multi-account or drop it")
        import shutil

        # a terminal's own width; 120 columns in a file or a pipe
        width = shutil.get_terminal_size().columns if output_file is None and sys.stdout.isatty() else 120
        text = render_policy(fmt, with_remediation, multi_account, role_name, width)
        if output_file is not None:
            from lambdaops.fileio import write_atomic

            write_atomic(output_file, text)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()


def render_policy(
    fmt: str, with_remediation: bool, multi_account: bool, role_name: str | None, width: int = 120
) -> str:
    import json

    from lambdaops import permissions

    if fmt == "json":
        document = permissions.policy_document(with_remediation, multi_account, role_name)
        return json.dumps(document, indent=2) + "\n"
    wanted = {permissions.READ}
    if with_remediation:
        wanted |= permissions.REMEDIATION
    if multi_account:
        wanted.add(permissions.MULTI_ACCOUNT)
    perms = [p for p in permissions.permissions() if p.access in wanted]
    if fmt == "markdown":
        return permissions.markdown_table(perms)
    import io

    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{sum(p.needs_permission for p in perms)} IAM actions (`-o json` prints the policy)",
        title_justify="left",
        header_style="bold",
    )
    for column in ("action", "access", "why"):
        table.add_column(column, overflow="fold", no_wrap=column != "why")
    for p in perms:
        table.add_row(p.action, p.access if p.needs_permission else "none needed", p.why)
    from lambdaops.render.table import NARROW, fits, table_as_list

    buf = io.StringIO()
    console = Console(file=buf, width=width, no_color=True, force_terminal=False)
    console.print(table if width >= NARROW and fits(console, table) else table_as_list(table))
    return buf.getvalue()
