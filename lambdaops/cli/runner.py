"""What every command does around its own work: settings, AWS context, rendering, exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lambdaops.cli.options import Common
from lambdaops.errors import ExitCode, UsageError
from lambdaops.model import FindingStatus, Report, Severity
from lambdaops.settings import MAX_DAYS, Settings, build_settings, parse_fail_on

BASE_FORMATS = ("table", "json", "csv", "markdown")
DEMO_REGIONS = ("eu-central-1", "eu-west-1")


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


# Progress bars drawing right now. Anything printed while one is live would be drawn over (and, with
# rich's stream redirection, a report meant for stdout would land on stderr), so every output path
# stops them first: a report, a warning, a prompt never share the screen with a bar.
_LIVE: list[Progress] = []


def stop_progress() -> None:
    """Clear every live progress bar (idempotent): call before printing anything."""
    while _LIVE:
        _LIVE.pop().stop()


def stderr_text(message: str) -> str:
    """A message for stderr: redacted, and with control and invisible characters replaced (a
    warning can quote a tag or an AWS message, text whoever controls the account wrote)."""
    from lambdaops.redact import redact
    from lambdaops.render.safe_text import clean_text

    return clean_text(redact(message), keep="\n")


def _stderr_line(text: str) -> str:
    """On a terminal, long messages fold at the terminal's width (words kept whole, the rest
    indented) instead of running off the screen; piped, one line per message, for grep."""
    if not stderr_is_tty():
        return text
    import os
    import textwrap

    try:
        width = os.get_terminal_size(sys.stderr.fileno()).columns
    except OSError:
        return text
    return "\n".join(
        textwrap.fill(line, width=max(width, 40), subsequent_indent="  ", break_on_hyphens=False)
        for line in text.splitlines()
    )


def warn(message: str) -> None:
    stop_progress()
    print(_stderr_line(f"lambdaops: warning: {stderr_text(message)}"), file=sys.stderr)


def info(message: str) -> None:
    stop_progress()
    print(_stderr_line(f"lambdaops: {stderr_text(message)}"), file=sys.stderr)


# Settings keys whose flag values are plain numbers: validated here by the settings' own parsers.
_NUMBER_KEYS = (
    "days",
    "concurrency_days",
    "concurrency_floor",
    "keep_versions",
    "runtime_warn_days",
    "unused_days",
)


def settings_from(common: Common, **command_flags: Any) -> Settings:
    """Settings from the flags (`command_flags` by settings key), LAMBDAOPS_* and lambdaops.toml.

    Every flag value goes through the same validator as the config file and environment
    (settings.KEYS, via `validate_flag`): a bad value is exit 2 naming the flag.
    """
    from lambdaops.settings import validate_flag

    flags: dict[str, Any] = dict(command_flags)
    for key in _NUMBER_KEYS:
        if key in flags:
            flags[key] = validate_flag(key, flags[key])
    if common.fail_on is not None:
        try:
            flags["fail_on"] = parse_fail_on(common.fail_on)
        except ValueError as exc:
            raise UsageError(f"--fail-on: {exc}") from None
        if flags["fail_on"] is None:
            flags["fail_on_none"] = True
    if common.workers is not None:
        flags["workers"] = validate_flag("workers", common.workers)
    if common.max_rps is not None:
        from lambdaops.rates import parse_max_rps

        try:
            flags["max_rps"] = parse_max_rps(common.max_rps)
        except ValueError as exc:
            raise UsageError(f"--max-rps: {exc}") from None
    flags["cache_dir"] = common.cache_dir
    if common.no_cache:
        flags["cache"] = False
    flags["profile"] = common.profile
    flags["regions"] = validate_region_flags(common.regions) or None
    flags["all_regions"] = common.all_regions or None
    none_fail = flags.pop("fail_on_none", False)
    settings = build_settings(common.config, flags)
    if none_fail:
        settings = settings.replace(fail_on=None)
    from lambdaops.function_filter import build_filter

    try:
        wanted = build_filter(list(common.functions), list(common.tags), list(common.exclude_tags))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return settings.replace(function_filter=wanted) if wanted is not None else settings


def validate_region_flags(regions: Sequence[str]) -> tuple[str, ...]:
    """--region values are region codes exactly: a trailing space or a control character is exit 2
    naming the flag (botocore would refuse it later, mid-run, in words that name no flag)."""
    from lambdaops.settings import REGION_CODE

    for region in regions:
        if not REGION_CODE.fullmatch(region):
            raise UsageError(
                f"--region {region!r} is not a region code such as eu-west-1; remove spaces and quotes"
            )
    return tuple(regions)


def validate_choice(flag: str, value: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise UsageError(f"{flag}: unknown value {value!r}; use one of {', '.join(choices)}")
    return value


def validate_days(flag: str, value: int | None, lo: int = 1, hi: int = MAX_DAYS) -> int | None:
    """A day count in lo..hi (kept for commands that call it; settings_from validates the settings
    keys itself, with the settings' own parsers)."""
    from lambdaops.settings import validate_flag

    if (lo, hi) == (1, MAX_DAYS):
        return validate_flag("days", value, flag)  # type: ignore[no-any-return]
    if value is not None and not lo <= value <= hi:
        raise UsageError(f"{flag} must be from {lo} to {hi}, got {value}")
    return value


# --output-file's extension names the format when -o does not.
EXTENSION_FORMATS = {
    ".json": "json",
    ".csv": "csv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".sarif": "sarif",
    ".xml": "junit",
    ".txt": "table",
}


def resolve_output(requested: str | None, formats: Sequence[str], output_file: Path | None = None) -> str:
    if requested is None and output_file is not None:
        inferred = EXTENSION_FORMATS.get(output_file.suffix.lower())
        if inferred is not None:
            if inferred not in formats:
                raise UsageError(
                    f"--output-file {output_file.name}: this command writes {', '.join(formats)}, "
                    f"not {inferred}; pick another extension or pass -o"
                )
            return inferred
    if requested is None:
        # table everywhere by default; scripts ask for json explicitly (--output json)
        return "table"
    fmt = requested.strip().lower()
    if fmt not in formats:
        raise UsageError(f"unknown output format {requested!r}; use one of {', '.join(formats)}")
    return fmt


@dataclass
class Run:
    """One command's AWS context and settings."""

    common: Common
    settings: Settings
    output: str
    ctx: Any  # lambdaops.collect.context.AwsContext (typed loosely: boto3 stays out of --help)
    regions: dict[str, list[str]]
    now: datetime
    warnings: list[str] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)  # ErrorRecords found while resolving scope

    @property
    def account_ids(self) -> list[str]:
        return [a.account_id for a in self.ctx.accounts]

    @property
    def scope(self) -> Any:
        """What the library's reports read (lambdaops.collect.run_scope.RunScope; typed loosely, as
        `ctx` is, so that boto3 stays out of --help)."""
        from lambdaops.collect.run_scope import RunScope

        return RunScope(self.ctx, self.regions, self.settings, self.now)

    @property
    def scope_pairs(self) -> list[tuple[str, str]]:
        return [(a, r) for a, rs in self.regions.items() for r in rs]

    @property
    def all_regions(self) -> list[str]:
        return sorted({r for rs in self.regions.values() for r in rs})

    def progress(self, total: int, label: str) -> Any:
        return Progress(total, label, enabled=stderr_is_tty() and not self.common.no_progress)


class Progress:
    """A rich progress bar on stderr when it is a terminal; a no-op otherwise."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        self.enabled = enabled and total > 0
        self._progress: Any = None
        self._task: Any = None
        self.total = total
        self.label = label

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task(self.label, total=self.total)
            _LIVE.append(self)
        return self

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def stop(self) -> None:
        """Clear the bar (transient) and restore the streams; later advances are no-ops."""
        progress, self._progress = self._progress, None
        if progress is not None:
            progress.stop()
        if self in _LIVE:
            _LIVE.remove(self)

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def open_run(common: Common, settings: Settings, formats: Sequence[str] = BASE_FORMATS) -> Iterator[Run]:
    """Resolve output, credentials, accounts and regions; in --demo, inside the emulated account."""
    from lambdaops.model import utc_now

    output = resolve_output(common.output, formats, common.output_file)
    with ExitStack() as stack:
        if common.demo:
            # The demo account needs no profile, and is new every run: nothing worth caching. It
            # lives in this process and has no API quotas: pacing it would only slow the demo.
            settings = settings.replace(profile=None, cache=False, paced=False)
            from lambdaops.demo import DEMO_NOTICE, demo_account

            info(DEMO_NOTICE)

            stack.enter_context(demo_account())
        from lambdaops.collect.scope import resolve_scope

        ctx, regions, errors, warnings = resolve_scope(
            common, settings, default_regions=DEMO_REGIONS if common.demo else ()
        )
        run = Run(common, settings, output, ctx, regions, utc_now(), warnings=warnings, errors=errors)
        yield run


def finish(
    run: Run,
    report: Report,
    table: Callable[[Report, Any], None] | None = None,
    baseline: frozenset[str] = frozenset(),
    reports: Sequence[tuple[str, Path]] = (),
    write_baseline: Path | None = None,
    history: Sequence[Any] = (),
    notify: Sequence[Any] = (),
    report_url: str | None = None,
) -> None:
    """Apply suppressions and the baseline, write the report(s), and exit with the contract's code.

    `history`: earlier reports (lambdaops/reports/history.py Snapshots) to compare with, for the
    HTML report's new / fixed / trend."""
    import typer

    from lambdaops.fileio import write_atomic
    from lambdaops.render import render
    from lambdaops.suppress import apply_status, baseline_document, expiry_warnings

    today = run.now.date()
    if run.common.shard:  # so that merge can tell whether every shard of the scope came back
        report.sections["shard"] = run.common.shard.strip()
    report.errors = [*run.errors, *report.errors]
    report.fail_on = run.settings.fail_on
    report.warnings = [*run.warnings, *expiry_warnings(run.settings.suppressions, today), *report.warnings]
    skipped_tags: list[str] = []
    settings = run.settings
    report.findings = apply_status(
        report.findings,
        settings.suppressions,
        today,
        baseline,
        tags=report.function_tags if settings.tag_suppressions else None,
        tag_max_severity=settings.tag_suppressions_max_severity,
        config_path=settings.config_path,
        skipped_tags=skipped_tags,
    )
    report.warnings.extend(skipped_tags)
    if history or any(fmt == "html" for fmt, _ in reports):
        from lambdaops.reports.history import compare

        report.history = compare(report, history)
    if notify:  # before the files are written, so a failed notification is in their warnings too
        from lambdaops.reports.notify import send_all

        code = int(exit_code_for(report, run.settings.fail_on))
        report.warnings.extend(send_all(notify, report, code, report_url, run.ctx))
    for fmt, path in reports:
        write_atomic(path, render(report, fmt))
    if write_baseline is not None:
        write_atomic(write_baseline, baseline_document(report.findings))
        failing = sum(1 for f in report.findings if f.status.value == "fail")
        info(f"baseline of {failing} finding(s) written to {write_baseline}")
    emit(report, run.output, run.common.output_file, table)
    raise typer.Exit(int(exit_code_for(report, run.settings.fail_on)))


def exit_code_for(report: Report, fail_on: Severity | None) -> ExitCode:
    if report.errors:
        return ExitCode.INCOMPLETE
    if fail_on is None:
        return ExitCode.OK
    failing = [f for f in report.findings if f.status is FindingStatus.FAIL and f.severity >= fail_on]
    return ExitCode.FINDINGS if failing else ExitCode.OK


def emit(
    report: Report,
    output: str,
    output_file: Path | None,
    table: Callable[[Report, Any], None] | None = None,
) -> None:
    """Write the report: stdout carries the report and nothing else."""
    stop_progress()
    for message in report.warnings:
        warn(message)
    if output == "table":
        from rich.console import Console

        if output_file is not None:
            import io

            buf = io.StringIO()
            console = Console(file=buf, width=160, no_color=True, force_terminal=False)
            _render_table(report, console, table)
            from lambdaops.fileio import write_atomic

            write_atomic(output_file, buf.getvalue())
        else:
            from lambdaops.redact import RedactingStream

            console = Console(
                file=RedactingStream(sys.stdout),  # type: ignore[arg-type]
                soft_wrap=False,
                width=None if sys.stdout.isatty() else 160,
            )
            _render_table(report, console, table)
        return
    from lambdaops.render import render

    text = render(report, output)
    if output_file is not None:
        from lambdaops.fileio import write_atomic

        write_atomic(output_file, text)
    else:
        from lambdaops.redact import redact

        sys.stdout.write(redact(text))
        sys.stdout.flush()


def _render_table(report: Report, console: Any, table: Callable[[Report, Any], None] | None) -> None:
    if table is not None:
        table(report, console)
    else:
        from lambdaops.render.table import render_findings_table

        render_findings_table(report, console)


def debug_enabled() -> bool:
    return os.environ.get("LAMBDAOPS_DEBUG", "") not in ("", "0", "false")


def plan_exit_code(report: Report) -> ExitCode:
    """Write commands: 4 when a change failed (or a read was incomplete), 2 when refused, else 0."""
    from lambdaops.model import ChangeStatus

    changes = report.changes or []
    if report.errors or any(c.status is ChangeStatus.FAILED for c in changes):
        return ExitCode.INCOMPLETE
    if any(c.status is ChangeStatus.REFUSED for c in changes):
        return ExitCode.USAGE
    return ExitCode.OK


def on_terminal() -> bool:
    """A person at a terminal (stdin and stderr both one): the only case in which a command asks."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def will_ask(yes: bool) -> bool:
    """Whether confirm_apply will ask: on a terminal, without --yes."""
    return not yes and on_terminal()


def show_plan(report: Report, table: Callable[[Report, Any], None], yes: bool) -> None:
    """Before a destructive command asks, the whole plan, on stderr (next to the question; stdout
    keeps the one report, the outcome, printed after)."""
    if not will_ask(yes):
        return
    from rich.console import Console

    from lambdaops.views import Phase, with_phase

    stop_progress()
    view = report.view
    report.view = with_phase(view, Phase.CONFIRM)
    try:
        table(report, Console(stderr=True, soft_wrap=False))
    finally:
        report.view = view


def confirm_apply(summary: str, yes: bool) -> bool:
    """On a terminal, --apply asks first unless --yes; without a terminal --apply is the consent."""
    if not will_ask(yes):
        return True
    import typer

    stop_progress()
    return bool(typer.confirm(f"{summary} Proceed?", default=False, err=True))


def finish_plan(run: Run, report: Report, table: Callable[[Report, Any], None] | None = None) -> None:
    """Write the plan report and exit with the write-command code (CONTRACT.md)."""
    import typer

    report.errors = [*run.errors, *report.errors]
    report.warnings = [*run.warnings, *report.warnings]
    emit(report, run.output, run.common.output_file, table or _plan_table)
    raise typer.Exit(int(plan_exit_code(report)))


def _plan_table(report: Report, console: Any) -> None:
    from lambdaops.render.table import render_changes_table, render_errors_table

    render_changes_table(report, console)
    planned = sum(1 for c in report.changes or [] if c.status.value == "planned")
    if planned:
        console.print(f"{planned} change(s) planned; nothing was changed. Rerun with --apply to make them.")
    render_errors_table(report, console)
