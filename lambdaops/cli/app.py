"""The Typer application and the one error boundary every command runs inside."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from lambdaops import __version__
from lambdaops.cli.audit_code import audit_code
from lambdaops.cli.audit_concurrency import audit_concurrency
from lambdaops.cli.audit_iam import audit_iam
from lambdaops.cli.billing_alarm import billing_app
from lambdaops.cli.cost import cost
from lambdaops.cli.demo import demo_app
from lambdaops.cli.export import export_app
from lambdaops.cli.iam_policy import iam_policy
from lambdaops.cli.least_privilege import least_privilege
from lambdaops.cli.list_inactive import list_inactive
from lambdaops.cli.merge import merge
from lambdaops.cli.prune import prune, prune_versions, restore
from lambdaops.cli.scan import checks, scan
from lambdaops.cli.set_concurrency import set_concurrency

app = typer.Typer(
    name="lambdaops",
    help="Serverless hygiene for AWS Lambda: idle functions, concurrency, billing guardrails, IAM.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lambdaops {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """lambdaops: find and fix what accumulates in AWS Lambda accounts."""


app.command("list-inactive")(list_inactive)
app.command("audit-concurrency")(audit_concurrency)
app.command("set-concurrency")(set_concurrency)
app.command("audit-iam")(audit_iam)
app.command("scan")(scan)
app.command("checks")(checks)
app.command("iam-policy")(iam_policy)
app.command("merge")(merge)
app.add_typer(billing_app, name="billing-alarm")
app.command("prune")(prune)
app.command("restore")(restore)
app.command("prune-versions")(prune_versions)
app.command("cost")(cost)
app.add_typer(demo_app, name="demo")
app.command("least-privilege")(least_privilege)
app.command("audit-code")(audit_code)
app.add_typer(export_app, name="export")

# Every command path, for the generated reference and the test that each one is documented.
COMMANDS = (
    "list-inactive",
    "audit-concurrency",
    "set-concurrency",
    "audit-iam",
    "scan",
    "checks",
    "iam-policy",
    "merge",
    "billing-alarm set",
    "billing-alarm check",
    "billing-alarm remove",
    "prune",
    "restore",
    "prune-versions",
    "cost",
    "demo serve",
    "least-privilege",
    "audit-code",
    "export security-hub",
)


def _one_line(text: str) -> str:
    from lambdaops.cli.options import one_line

    return one_line(text)


def _is_bad_region(exc: Exception) -> bool:
    from lambdaops.collect.failures import is_bad_region

    return is_bad_region(exc)


def _is_aws_failure(exc: Exception) -> bool:
    from lambdaops.collect.failures import is_aws_failure

    return is_aws_failure(exc)


def _print_debug_traceback() -> None:
    """LAMBDAOPS_DEBUG=1: the full traceback, through the same redaction as every other output."""
    import traceback

    from lambdaops.redact import redact

    sys.stderr.write(redact(traceback.format_exc()))
    sys.stderr.flush()


def _unreachable(exc: Exception) -> str | None:
    from lambdaops.collect.failures import unreachable

    return unreachable(exc)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: maps every failure to one clear line and the contract's exit code."""
    from lambdaops.cli.runner import debug_enabled
    from lambdaops.errors import ExitCode, LambdaopsError

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:  # `lambdaops` alone: the help, and success (it asked for nothing that failed)
        args = ["--help"]
    try:
        rv = app(args=args, prog_name="lambdaops", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
    except LambdaopsError as exc:  # raised outside a command's own boundary (e.g. while parsing)
        from lambdaops.cli.options import report_error

        code = report_error(exc)
    except typer.Exit as exc:
        code = int(exc.exit_code)
    except typer.Abort:
        print("lambdaops: aborted", file=sys.stderr)
        code = int(ExitCode.INTERNAL)
    except typer.TyperException as exc:  # usage errors from option parsing
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        hint = ""
        if getattr(exc, "ctx", None) is not None:
            hint = f" (see `{exc.ctx.command_path} --help`)"  # type: ignore[attr-defined]
        if _one_line(message):  # empty when a group run without a command printed its help instead
            print(f"lambdaops: error: {_one_line(message)}{hint}", file=sys.stderr)
        code = int(getattr(exc, "exit_code", ExitCode.USAGE))
    except BrokenPipeError:
        code = _closed_pipe()
    except KeyboardInterrupt:
        print("lambdaops: interrupted", file=sys.stderr)
        code = 130
    except Exception as exc:
        unreachable = _unreachable(exc)
        if unreachable is not None and not debug_enabled():
            # the network, not a bug: one line naming the endpoint (exit 2)
            print(f"lambdaops: error: {_one_line(unreachable)}", file=sys.stderr)
            sys.exit(int(ExitCode.USAGE))
        if _is_bad_region(exc):  # AWS_REGION or the profile's region, e.g. with a trailing space
            print(
                f"lambdaops: error: {_one_line(str(exc))[:200]}; fix AWS_REGION, the profile's region "
                "or --region (a code such as eu-west-1)",
                file=sys.stderr,
            )
            sys.exit(int(ExitCode.USAGE))
        if _is_aws_failure(exc) and not debug_enabled():
            # An AWS answer lambdaops could not read outside any per-account guard (e.g. the
            # caller-identity check): the run is incomplete, not a bug.
            print(f"lambdaops: error: {_one_line(str(exc))[:300]}", file=sys.stderr)
            sys.exit(int(ExitCode.INCOMPLETE))
        if debug_enabled():
            _print_debug_traceback()
            sys.exit(int(ExitCode.INTERNAL))
        print(
            f"lambdaops: internal error: {type(exc).__name__}: {_one_line(str(exc))[:300]} "
            "(a bug: rerun with LAMBDAOPS_DEBUG=1 for the traceback and report it)",
            file=sys.stderr,
        )
        code = int(ExitCode.INTERNAL)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _closed_pipe()
    sys.exit(code)


def _closed_pipe() -> int:
    """The reader went away (`| head`): stop quietly, as a shell tool does on SIGPIPE (128 + 13)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail again
    return 141
