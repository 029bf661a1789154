"""`lambdaops set-concurrency FUNCTION --reserved N | --remove`: one function's reservation, floor-checked."""

from __future__ import annotations

from typing import Annotated

import typer

from lambdaops.cli.options import Common, with_common


@with_common
def set_concurrency(
    common: Common,
    function: Annotated[str, typer.Argument(help="Function name or ARN.", show_default=False)],
    reserved: Annotated[
        int | None,
        typer.Option(
            "--reserved", help="Reserve N concurrent executions (0 switches it off).", show_default=False
        ),
    ] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Delete the function's reservation.")] = False,
    floor: Annotated[
        int | None,
        typer.Option(
            "--floor",
            help=(
                "Unreserved concurrency the region must keep (default 100, AWS's minimum; "
                "a region whose limit is smaller keeps its whole limit)."
            ),
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the change; make none.")] = False,
) -> None:
    """Set or remove one function's reserved concurrency.

    A reservation is both a guarantee and a cap. The change is refused (exit 2, nothing
    written) when it would leave the region's unreserved concurrency below the floor; a
    function already at N is left alone (no write call).
    """
    from lambdaops.cli.runner import finish_plan, open_run, settings_from
    from lambdaops.errors import UsageError
    from lambdaops.settings import validate_flag

    if (reserved is None) == (not remove):
        raise UsageError("pass exactly one of --reserved N or --remove")
    if reserved is not None and reserved < 0:
        raise UsageError(f"--reserved must be 0 or more, got {reserved}")
    floor = validate_flag("concurrency_floor", floor)
    from lambdaops.reports.set_concurrency import parse_function

    name, arn_region, arn_account = parse_function(function)
    if common.all_regions:
        raise UsageError("set-concurrency changes one function: pass one --region, not --all-regions")
    if arn_region is not None and common.regions and set(common.regions) != {arn_region}:
        raise UsageError(f"the ARN names region {arn_region}; drop --region or make it match")
    if len(set(common.regions)) > 1:
        raise UsageError("set-concurrency changes one function: pass one --region")
    settings = settings_from(common, concurrency_floor=floor)
    if arn_region is not None:
        settings = settings.replace(regions=(arn_region,))
    with open_run(common, settings) as run:
        from lambdaops.render.concurrency_table import render_concurrency_plan
        from lambdaops.reports.set_concurrency import set_concurrency_report

        accounts = run.ctx.accounts
        if arn_account is not None:
            accounts = [a for a in accounts if a.account_id == arn_account]
            if not accounts:
                raise UsageError(
                    f"the ARN names account {arn_account}, which these credentials do not reach; "
                    "use --profile (or --accounts with --role-name)"
                )
        if len(accounts) != 1:
            raise UsageError(
                "set-concurrency changes one function: name one account (use the function's ARN)"
            )
        account = accounts[0]
        regions = run.regions.get(account.account_id, [])
        if len(regions) != 1:
            raise UsageError("set-concurrency changes one function: pass one --region")
        report = set_concurrency_report(run.scope, account, regions[0], name, reserved, dry_run)
        finish_plan(run, report, render_concurrency_plan)
