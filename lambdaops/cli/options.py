"""Options every command accepts, declared once (CONTRACT.md) and added to each command by `command`."""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from lambdaops.cli.choices import FailOn
from lambdaops.errors import LambdaopsError, UsageError

F = TypeVar("F", bound=Callable[..., Any])


def completes(*values: str) -> Callable[[str], list[str]]:
    """Shell completion for an option that takes one of `values` (Typer's `autocompletion`)."""

    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete)]

    return complete


OUTPUT_CHOICES = ("table", "json", "csv", "markdown", "sarif", "junit")
FAIL_ON_CHOICES = ("info", "low", "medium", "high", "critical", "none")
AWS = "AWS scope"
OUT = "Output"


@dataclass(frozen=True)
class Common:
    profile: str | None
    regions: tuple[str, ...]
    all_regions: bool
    output: str | None
    output_file: Path | None
    fail_on: str | None
    demo: bool
    no_progress: bool
    config: Path | None
    workers: int | None
    accounts: str | None
    org: bool
    role_name: str | None
    external_id: str | None
    exclude_accounts: str | None
    shard: str | None
    max_rps: str | None = None
    cache_dir: Path | None = None
    no_cache: bool = False
    functions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()


_COMMON_PARAMS: list[tuple[str, Any, Any]] = [
    (
        "profile",
        Annotated[str | None, typer.Option("--profile", help="AWS profile to use.", rich_help_panel=AWS)],
        None,
    ),
    (
        "region",
        Annotated[
            list[str] | None,
            typer.Option(
                "--region",
                help="Region to read (repeatable, or comma-separated). Default: AWS_REGION, else the "
                "profile's region.",
                rich_help_panel=AWS,
            ),
        ],
        None,
    ),
    (
        "all_regions",
        Annotated[
            bool,
            typer.Option("--all-regions", help="Every region enabled for the account.", rich_help_panel=AWS),
        ],
        False,
    ),
    (
        "accounts",
        Annotated[
            str | None,
            typer.Option(
                "--accounts",
                help="Comma-separated account ids to read through --role-name.",
                rich_help_panel=AWS,
            ),
        ],
        None,
    ),
    (
        "org",
        Annotated[
            bool, typer.Option("--org", help="Every ACTIVE account of the organization.", rich_help_panel=AWS)
        ],
        False,
    ),
    (
        "role_name",
        Annotated[
            str | None,
            typer.Option("--role-name", help="Role to assume in each account.", rich_help_panel=AWS),
        ],
        None,
    ),
    (
        "external_id",
        Annotated[
            str | None,
            typer.Option("--external-id", help="External id for the role assumption.", rich_help_panel=AWS),
        ],
        None,
    ),
    (
        "exclude_accounts",
        Annotated[
            str | None,
            typer.Option(
                "--exclude-accounts", help="Comma-separated account ids to skip.", rich_help_panel=AWS
            ),
        ],
        None,
    ),
    (
        "shard",
        Annotated[
            str | None,
            typer.Option("--shard", help="I/N: read a stable share of the accounts.", rich_help_panel=AWS),
        ],
        None,
    ),
    (
        "function_glob",
        Annotated[
            list[str] | None,
            typer.Option(
                "--function",
                help="Only functions whose name matches GLOB (repeatable: any matches), e.g. 'orders-*'.",
                rich_help_panel=AWS,
            ),
        ],
        None,
    ),
    (
        "tag_filter",
        Annotated[
            list[str] | None,
            typer.Option(
                "--tag",
                help="Only functions tagged KEY=VALUE (repeatable: every key must match, one of its values).",
                rich_help_panel=AWS,
            ),
        ],
        None,
    ),
    (
        "exclude_tag",
        Annotated[
            list[str] | None,
            typer.Option(
                "--exclude-tag", help="Skip functions tagged KEY=VALUE (repeatable).", rich_help_panel=AWS
            ),
        ],
        None,
    ),
    (
        "demo",
        Annotated[
            bool,
            typer.Option(
                "--demo", help="Run against the built-in demo account (no AWS needed).", rich_help_panel=AWS
            ),
        ],
        False,
    ),
    (
        "output",
        Annotated[
            str | None,
            typer.Option(
                "--output",
                "-o",
                help="table (default), json, csv, markdown; scan also sarif, junit. Default from "
                "--output-file's extension (.json .csv .md .sarif .xml).",
                metavar="[" + "|".join(OUTPUT_CHOICES) + "]",
                rich_help_panel=OUT,
                autocompletion=completes(*OUTPUT_CHOICES),
            ),
        ],
        None,
    ),
    (
        "output_file",
        Annotated[
            Path | None,
            typer.Option(
                "--output-file", help="Write the report here instead of stdout.", rich_help_panel=OUT
            ),
        ],
        None,
    ),
    (
        "fail_on",
        Annotated[
            FailOn | None,
            typer.Option(
                "--fail-on",
                help="Exit 3 on a finding at or above: info, low, medium, high, critical or none "
                "(default high).",
                rich_help_panel=OUT,
                case_sensitive=False,
                show_default=False,
            ),
        ],
        None,
    ),
    (
        "no_progress",
        Annotated[
            bool, typer.Option("--no-progress", help="No progress bars on stderr.", rich_help_panel=OUT)
        ],
        False,
    ),
    (
        "config",
        Annotated[
            Path | None,
            typer.Option(
                "--config", help="Config file (default: ./lambdaops.toml if present).", rich_help_panel=OUT
            ),
        ],
        None,
    ),
    (
        "workers",
        Annotated[
            int | None,
            typer.Option(
                "--workers", help="Parallel (account, region) workers (default 8).", rich_help_panel=OUT
            ),
        ],
        None,
    ),
    (
        "max_rps",
        Annotated[
            str | None,
            typer.Option(
                "--max-rps",
                help="Pace AWS calls below AWS's rate quotas: N requests/s per quota at most, or P% of "
                "each; off (no pacing) only with AWS_ENDPOINT_URL set (an emulator).",
                rich_help_panel=AWS,
            ),
        ],
        None,
    ),
    (
        "cache_dir",
        Annotated[
            Path | None,
            typer.Option(
                "--cache-dir",
                help="Cache of per-function reads (default ~/.cache/lambdaops; safe to delete).",
                rich_help_panel=OUT,
            ),
        ],
        None,
    ),
    (
        "no_cache",
        Annotated[
            bool,
            typer.Option("--no-cache", help="Neither read nor write the cache.", rich_help_panel=OUT),
        ],
        False,
    ),
]
_COMMON_NAMES = {name for name, _, _ in _COMMON_PARAMS}


def one_line(text: str) -> str:
    """An error line: redacted, control and invisible characters replaced, on one line."""
    from lambdaops.redact import redact
    from lambdaops.render.safe_text import clean_text

    lines = [ln.strip() for ln in redact(text).strip().splitlines() if ln.strip()]
    return clean_text(" ".join(lines))


def report_error(exc: LambdaopsError) -> int:
    """The one way a LambdaopsError reaches the user: one line on stderr; returns its exit code."""
    print(f"lambdaops: error: {one_line(str(exc))}", file=sys.stderr)
    return int(exc.exit_code)


@contextlib.contextmanager
def command_boundary() -> Iterator[None]:
    """The error boundary, inside each command so that it holds however the app is invoked (console
    script, python -m, Typer's test runner): a LambdaopsError becomes one line on stderr and its
    exit code (`report_error`; `cli.app.main` adds what only the console script meets)."""
    try:
        yield
    except LambdaopsError as exc:
        raise typer.Exit(report_error(exc)) from None


def bounded(func: F) -> F:
    """Run a command inside `command_boundary` (`with_common` does it for the commands it declares)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with command_boundary():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# The write model's flags (CONTRACT.md), declared once so every write command says them the same way.
APPLY_HELP = "Make the changes (without it: show the plan and change nothing)."
DRY_RUN_HELP = "Show the plan and change nothing (the default; accepted for scripts)."
YES_HELP = "Do not ask before changing anything (for CI; without a terminal --apply never asks)."
NOT_CONFIRMED = "not confirmed: nothing was changed"  # a warning, so it is in the JSON report too
ApplyOption = Annotated[bool, typer.Option("--apply", help=APPLY_HELP)]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help=YES_HELP)]
# scan and audit-code: accepted findings by fingerprint (suppress.load_baseline)
BaselineOption = Annotated[
    Path | None,
    typer.Option("--baseline", help="Mark findings whose fingerprint is in FILE as baselined."),
]
WriteBaselineOption = Annotated[
    Path | None, typer.Option("--write-baseline", help="Write the current failing fingerprints to FILE.")
]


def apply_flag(apply: bool, dry_run: bool) -> bool:
    """--apply, refusing --apply with --dry-run (a script that says both has a bug)."""
    if apply and dry_run:
        raise UsageError("--apply and --dry-run contradict each other; pass one of them")
    return apply


def split_regions(values: list[str] | None) -> tuple[str, ...]:
    """`--region a,b` and `--region a --region b` alike (as `--accounts` takes a list). Parts are kept
    as typed: a stray space (`"eu-west-1 "`) is a malformed region code, refused by the validator
    with the flag named, never silently trimmed into a different scope."""
    out: list[str] = []
    for value in values or ():
        for part in value.split(","):
            if part and part not in out:
                out.append(part)
    return tuple(out)


def with_common(func: F) -> F:
    """Append the common options to a command and pass them in as `common: Common`."""
    sig = inspect.signature(func, eval_str=True)
    own = [p for p in sig.parameters.values() if p.name != "common"]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=ann)
        for name, ann, default in _COMMON_PARAMS
    ]

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in list(kwargs) if name in _COMMON_NAMES}
        common = Common(
            profile=values["profile"],
            regions=split_regions(values["region"]),
            all_regions=values["all_regions"],
            output=values["output"],
            output_file=values["output_file"],
            fail_on=values["fail_on"],
            demo=values["demo"],
            no_progress=values["no_progress"],
            config=values["config"],
            workers=values["workers"],
            accounts=values["accounts"],
            org=values["org"],
            role_name=values["role_name"],
            external_id=values["external_id"],
            exclude_accounts=values["exclude_accounts"],
            shard=values["shard"],
            max_rps=values["max_rps"],
            cache_dir=values["cache_dir"],
            no_cache=values["no_cache"],
            functions=tuple(values["function_glob"] or ()),
            tags=tuple(values["tag_filter"] or ()),
            exclude_tags=tuple(values["exclude_tag"] or ()),
        )
        with command_boundary():
            return func(common=common, **kwargs)

    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own] + extra
    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    del wrapper.__wrapped__
    return wrapper  # type: ignore[return-value]
