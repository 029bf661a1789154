"""`lambdaops cost`: what each function costs over a window and a month, and what is wasted."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lambdaops.cli.options import Common, with_common


@with_common
def cost(
    common: Common,
    days: Annotated[
        int | None,
        typer.Option("--days", help="Window to measure, 1 to 455 days (default 30).", show_default=False),
    ] = None,
    price_file: Annotated[
        Path | None,
        typer.Option(
            "--price-file",
            help="A price table (the format of lambdaops/data/prices.json) instead of the shipped one.",
            show_default=False,
        ),
    ] = None,
    from_logs: Annotated[
        bool,
        typer.Option(
            "--from-logs",
            help=(
                "Also read the REPORT lines (CloudWatch Logs Insights, billed by bytes scanned: the "
                "estimate is shown, and asked about on a terminal): memory use and cold starts."
            ),
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before --from-logs.")] = False,
) -> None:
    """Per function: requests, GB-seconds, provisioned concurrency and ephemeral storage over the
    window, priced per region and architecture and projected to a month (730 hours); totals per
    region and account; waste (idle provisioned concurrency) as findings.

    Every figure comes from batched CloudWatch GetMetricData: no per-function calls. Prices come
    from the dated table shipped with lambdaops (or --price-file); a region the table lacks is
    reported unpriced, never as free. The free tier is not subtracted (docs/cost.md).
    """
    from lambdaops.cli.runner import (
        confirm_apply,
        finish,
        info,
        open_run,
        settings_from,
        validate_days,
        will_ask,
    )
    from lambdaops.errors import UsageError
    from lambdaops.prices import PriceTableError, load_prices

    if yes and not from_logs:
        raise UsageError("--yes goes with --from-logs (the only thing cost asks about)")

    def confirm(summary: str) -> bool:
        if not will_ask(yes):
            info(summary)  # said whether or not anyone is asked
        return confirm_apply(summary, yes)

    settings = settings_from(common, cost_days=validate_days("--days", days), price_file=price_file)
    try:
        load_prices(settings.price_file)  # a bad table is a usage error before any AWS call
    except PriceTableError as exc:
        raise UsageError(f"--price-file: {exc}") from None
    with open_run(common, settings) as run, run.progress(len(run.scope_pairs), "Reading regions") as bar:
        from lambdaops.render.cost_table import render_cost_table
        from lambdaops.reports.cost import cost_report

        report = cost_report(
            run.scope,
            on_done=bar.advance,
            from_logs=from_logs,
            confirm=confirm,
        )
        finish(run, report, render_cost_table)
