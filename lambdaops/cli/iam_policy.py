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
        from lambdaops.permissions import render_policy

        text = render_policy(fmt, with_remediation, multi_account, role_name, width)
        if output_file is not None:
            from lambdaops.fileio import write_atomic

            write_atomic(output_file, text)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
