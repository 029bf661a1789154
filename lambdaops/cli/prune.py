"""`lambdaops prune`, `lambdaops restore` and `lambdaops prune-versions`: clean up without losing anything."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lambdaops.cli.options import (
    NOT_CONFIRMED,
    ApplyOption,
    Common,
    DryRunOption,
    YesOption,
    apply_flag,
    with_common,
)
from lambdaops.errors import UsageError
from lambdaops.views import Phase, with_phase


@with_common
def prune(
    common: Common,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            help="Required: idle window in days, 1 to 455, as list-inactive (no default for a delete).",
            show_default=False,
        ),
    ] = None,
    apply: ApplyOption = False,
    dry_run: DryRunOption = False,
    archive_dir: Annotated[
        Path | None,
        typer.Option(
            "--archive-dir",
            help="Where archives go: DIR/<account>/<region>/<function>/ (default ./lambdaops-archive).",
            show_default=False,
        ),
    ] = None,
    yes: YesOption = False,
    accept_incomplete_archive: Annotated[
        bool,
        typer.Option(
            "--accept-incomplete-archive",
            help="Also prune functions the archive cannot hold completely (container image, layer "
            "versions, code signing); the plan lists exactly what would be lost.",
        ),
    ] = False,
) -> None:
    """Archive, then delete, the functions list-inactive calls inactive.

    Never `unknown` or `new` ones; never one muted by a lambda-inactive suppression or tagged
    `lambdaops:keep`. Each function is archived (configuration, environment, tags, policy,
    concurrency, aliases, every published version's code and configuration, event invoke config,
    triggers, URL config; each code package checked against its CodeSha256) before it is deleted;
    a function whose archive cannot be completed is left in place. A function the archive cannot
    hold completely is refused unless --accept-incomplete-archive.
    `lambdaops restore DIR/<account>/<region>/<function>` brings one back.
    """
    from lambdaops.actions.archive import DEFAULT_ARCHIVE_DIR
    from lambdaops.actions.prune import apply_prune
    from lambdaops.cli.runner import (
        confirm_apply,
        finish_plan,
        open_run,
        settings_from,
        show_plan,
    )
    from lambdaops.render.prune_tables import render_prune_table
    from lambdaops.reports.prune import plan_prune

    do_apply = apply_flag(apply, dry_run)
    if days is None:
        # A command that deletes takes no default window: the user says how idle is idle.
        raise UsageError("prune needs --days N (1 to 455): the idle window a function must exceed")
    settings = settings_from(common, days=days)
    root = archive_dir if archive_dir is not None else DEFAULT_ARCHIVE_DIR
    if root.exists() and not root.is_dir():
        raise UsageError(f"--archive-dir {root} is not a directory; pass a directory path")
    with open_run(common, settings) as run, run.progress(len(run.scope_pairs), "Reading regions") as bar:
        plan = plan_prune(
            run.scope,
            settings.days,
            root,
            on_done=bar.advance,
            accept_incomplete=accept_incomplete_archive,
        )
        planned = plan.planned
        if do_apply and planned:
            summary = f"Archive to {root} and delete {len(planned)} function(s)."
            show_plan(plan.report, render_prune_table, yes)
            if confirm_apply(summary, yes):
                apply_prune(run.ctx, plan, root, run.now)
                plan.report.view = with_phase(plan.report.view, Phase.APPLIED)
            else:
                plan.report.warnings.append(NOT_CONFIRMED)
        finish_plan(run, plan.report, render_prune_table)


@with_common
def restore(
    common: Common,
    archive: Annotated[
        Path,
        typer.Argument(
            metavar="ARCHIVE_DIR",
            help="The function's archive directory: <archive-dir>/<account>/<region>/<function>.",
            show_default=False,
        ),
    ],
    apply: ApplyOption = False,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
) -> None:
    """Recreate a function that prune archived: every published version from its own code and
    configuration, aliases (with weights), event invoke config, tags, policy, concurrency, URL
    config and triggers.

    Shows the plan first; --apply restores (asking on a terminal unless --yes). Refused (exit 2,
    nothing changed) when a function of that name exists and differs from the archive (the
    differences are listed), the archive's files disagree with each other, or the archive is from
    another account. A rerun finishes an interrupted restore.
    """
    from lambdaops.actions.archive import ArchiveError, load_archive
    from lambdaops.actions.restore import apply_restore, plan_restore
    from lambdaops.cli.runner import confirm_apply, finish_plan, open_run, settings_from, show_plan
    from lambdaops.model import ChangeStatus
    from lambdaops.render.table import render_changes_table

    do_apply = apply_flag(apply, dry_run)
    try:
        loaded = load_archive(archive)
    except ArchiveError as exc:
        raise UsageError(f"{exc}; pass a directory written by `lambdaops prune --apply`") from None
    region = str(loaded.manifest["region"])
    if common.regions and set(common.regions) != {region}:
        raise UsageError(f"the archive is of region {region}; drop --region or pass --region {region}")
    if common.all_regions or common.accounts or common.org:
        raise UsageError(
            "restore recreates one function in its archived account and region: "
            "drop --all-regions, --accounts and --org"
        )
    settings = settings_from(common).replace(regions=(region,))
    with open_run(common, settings) as run:
        account = run.ctx.accounts[0]
        client = run.ctx.client(account, "lambda", region)
        plan = plan_restore(client, loaded, account.account_id, region, run.now)
        planned = [c for c in plan.report.changes or [] if c.status is ChangeStatus.PLANNED]
        refused = any(c.status is ChangeStatus.REFUSED for c in plan.report.changes or [])
        if do_apply and planned and not refused:
            summary = (
                f"Restore {loaded.state.name} in {account.account_id}/{region} ({len(planned)} step(s))."
            )
            show_plan(plan.report, render_changes_table, yes)
            if confirm_apply(summary, yes):
                apply_restore(plan, account.account_id, region)
                plan.report.view = with_phase(plan.report.view, Phase.APPLIED)
            else:
                plan.report.warnings.append(NOT_CONFIRMED)
        finish_plan(run, plan.report)


@with_common
def prune_versions(
    common: Common,
    keep: Annotated[
        int | None,
        typer.Option(
            "--keep",
            help="Published versions to keep per function, newest first (default 5, keep_versions).",
            show_default=False,
        ),
    ] = None,
    apply: ApplyOption = False,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
) -> None:
    """Delete published versions beyond the newest K of each function.

    Never one an alias points at (routing-config versions included), one holding provisioned
    concurrency, or one an event source mapping invokes. $LATEST is never touched.
    """
    from lambdaops.actions.versions import apply_prune_versions, plan_prune_versions
    from lambdaops.cli.runner import confirm_apply, finish_plan, open_run, settings_from, show_plan
    from lambdaops.render.prune_tables import render_versions_table
    from lambdaops.settings import validate_flag

    do_apply = apply_flag(apply, dry_run)
    settings = settings_from(common, keep_versions=validate_flag("keep_versions", keep, "--keep"))
    with open_run(common, settings) as run, run.progress(len(run.scope_pairs), "Reading regions") as bar:
        plan = plan_prune_versions(run.scope, settings.keep_versions, bar.advance)
        planned = plan.planned
        if do_apply and planned:
            summary = f"Delete {len(planned)} published version(s)."
            show_plan(plan.report, render_versions_table, yes)
            if confirm_apply(summary, yes):
                apply_prune_versions(run.ctx, plan)
                plan.report.view = with_phase(plan.report.view, Phase.APPLIED)
            else:
                plan.report.warnings.append(NOT_CONFIRMED)
        finish_plan(run, plan.report, render_versions_table)
