"""`lambdaops billing-alarm set | check | remove`: billing guardrails in us-east-1, set and verified."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from lambdaops.cli.options import Common, DryRunOption, apply_flag, with_common
from lambdaops.errors import UsageError
from lambdaops.inventory import BILLING_REGION

if TYPE_CHECKING:
    from lambdaops.actions.billing import BillingSpec
    from lambdaops.settings import Settings

TOTAL = "total"
MAX_BUDGET_EMAILS = 10  # AWS Budgets: at most 10 email subscribers per notification
EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
TOPIC_ARN_RE = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$")
SERVICE_RE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")

billing_app = typer.Typer(
    name="billing-alarm",
    help=(
        "Billing guardrails: CloudWatch EstimatedCharges alarms with SNS email, optionally an AWS Budget. "
        "Always in us-east-1, the only region with billing metrics."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _amount(flag: str, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"{flag} must be a positive amount, got {value:g}")
    if not math.isclose(round(value, 2), value, abs_tol=1e-9):
        raise UsageError(f"{flag} {value}: use at most two decimals (cents)")
    return round(value, 2)


def build_spec(
    thresholds: list[float],
    emails: list[str],
    sns_topic_arn: str | None,
    currency: str,
    services: list[str],
    budget: float | None,
) -> BillingSpec:
    """Validate `set`'s options into a BillingSpec; every problem is one line naming the fix (exit 2)."""
    from lambdaops.actions.billing import BillingSpec

    if not thresholds:
        raise UsageError(
            "billing-alarm set needs at least one --threshold USD (repeatable), e.g. --threshold 50"
        )
    ladder = sorted({_amount("--threshold", t) for t in thresholds})
    if bool(emails) == bool(sns_topic_arn):
        raise UsageError("pass --email ADDRESS (repeatable) or --sns-topic-arn ARN, one of the two")
    addresses: list[str] = []
    for email in emails:
        email = email.strip()
        if not EMAIL_RE.match(email):
            raise UsageError(f"--email {email!r} is not an email address")
        if email.lower() not in {a.lower() for a in addresses}:
            addresses.append(email)
    if sns_topic_arn is not None:
        m = TOPIC_ARN_RE.match(sns_topic_arn.strip())
        if not m:
            raise UsageError(f"--sns-topic-arn {sns_topic_arn!r} is not an SNS topic ARN")
        if m.group(1) != BILLING_REGION:
            raise UsageError(
                f"--sns-topic-arn must be a topic in {BILLING_REGION} (billing alarms live there and can "
                f"only notify a topic of their own region), got one in {m.group(1)}"
            )
        sns_topic_arn = sns_topic_arn.strip()
    code = currency.strip().upper()
    if not CURRENCY_RE.match(code):
        raise UsageError(f"--currency must be a three-letter currency code such as USD, got {currency!r}")
    chosen: list[str] = []
    for service in services or [TOTAL]:
        service = service.strip()
        if not SERVICE_RE.match(service):
            raise UsageError(
                f"--service {service!r}: use a billing ServiceName such as AWSLambda or AmazonEC2 "
                f"(or {TOTAL} for the account's total)"
            )
        if service not in chosen:
            chosen.append(service)
    if budget is not None:
        budget = _amount("--budget", budget)
        if len(addresses) > MAX_BUDGET_EMAILS:
            raise UsageError(
                f"--budget mails at most {MAX_BUDGET_EMAILS} addresses (an AWS Budgets limit); use "
                "--sns-topic-arn with a topic for more"
            )
    return BillingSpec(
        thresholds=tuple(ladder),
        emails=tuple(addresses),
        topic_arn=sns_topic_arn,
        currency=code,
        services=tuple(chosen),
        budget=budget,
    )


def billing_settings(common: Common) -> Settings:
    """Settings for a billing command: whatever --region says, the work happens in us-east-1."""
    from lambdaops.cli.runner import info, settings_from

    settings = settings_from(common)
    other = [r for r in settings.regions if r != BILLING_REGION]
    if other or settings.all_regions:
        where = ", ".join(other) or "all regions"
        info(f"billing guardrails live in {BILLING_REGION} only: working there (not in {where})")
    # An explicit --region is still validated (a typo stays an error); only the work moves to us-east-1.
    regions = settings.regions or (BILLING_REGION,)
    return settings.replace(regions=regions[:1], all_regions=False)


@with_common
def billing_set(
    common: Common,
    threshold: Annotated[
        list[float] | None,
        typer.Option("--threshold", help="Alarm when month-to-date charges reach this amount (repeatable)."),
    ] = None,
    email: Annotated[
        list[str] | None,
        typer.Option("--email", help="Address to notify (repeatable); each must confirm AWS's email."),
    ] = None,
    sns_topic_arn: Annotated[
        str | None, typer.Option("--sns-topic-arn", help="Notify this existing us-east-1 topic instead.")
    ] = None,
    currency: Annotated[str, typer.Option("--currency", help="Currency dimension of the metric.")] = "USD",
    service: Annotated[
        list[str] | None,
        typer.Option(
            "--service",
            help="Alarm on one service's charges, e.g. AWSLambda (repeatable; `total`: all, the default).",
        ),
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option(
            "--budget", help="Also keep a monthly cost budget of this amount (alerts 80%/100%/forecast)."
        ),
    ] = None,
    prune_unlisted: Annotated[
        bool,
        typer.Option(
            "--prune-unlisted",
            help="Also delete the alarms lambdaops manages that this run does not name (asks first).",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before --prune-unlisted deletes.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing.")] = False,
) -> None:
    """Create or reconcile billing alarms (and optionally a budget) in us-east-1.

    Changes only what this run names: managed alarms it does not name (another service, currency or
    threshold) are left alone; `--prune-unlisted` deletes them after showing the plan (asks on a
    terminal unless --yes). Hand-made alarms are never touched. Idempotent: a second identical run
    makes no write call and reports every item `unchanged`.
    """
    from lambdaops.cli.runner import confirm_apply, finish_plan, open_run
    from lambdaops.render.billing_table import render_billing_plan
    from lambdaops.reports.billing import billing_set_report

    spec = build_spec(threshold or [], email or [], sns_topic_arn, currency, service or [], budget)
    spec = replace(spec, prune_unlisted=prune_unlisted)
    settings = billing_settings(common)
    with open_run(common, settings) as run:
        report = billing_set_report(
            run.scope,
            spec,
            dry_run=dry_run,
            confirm=lambda summary: confirm_apply(summary, yes),
        )
    finish_plan(run, report, render_billing_plan)


@with_common
def billing_check(common: Common) -> None:
    """Verify billing guardrails: alarms (hand-made too), budgets, subscribers, billing data.

    Read-only. Exit 3 when an account has no billing alarm and no cost budget (high).
    """
    from lambdaops.cli.runner import finish, open_run
    from lambdaops.render.billing_table import render_billing_check
    from lambdaops.reports.billing import billing_check_report

    settings = billing_settings(common)
    with open_run(common, settings) as run:
        report = billing_check_report(run.scope)
    finish(run, report, render_billing_check)


@with_common
def billing_remove(
    common: Common,
    apply: Annotated[
        bool, typer.Option("--apply", help="Delete them (default: show the plan only).")
    ] = False,
    dry_run: DryRunOption = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before deleting.")] = False,
) -> None:
    """Delete the billing alarms lambdaops manages (plan first; --apply to delete).

    Shows the whole plan, then asks on a terminal unless --yes. The SNS topic, its subscriptions and
    any budget are kept.
    """
    from lambdaops.cli.runner import confirm_apply, finish_plan, open_run, show_plan
    from lambdaops.render.table import render_changes_table
    from lambdaops.reports.billing import billing_remove_report

    do_apply = apply_flag(apply, dry_run)
    settings = billing_settings(common)
    with open_run(common, settings) as run:
        report = billing_remove_report(
            run.scope,
            apply=do_apply,
            confirm=lambda summary: confirm_apply(summary, yes),
            show=lambda plan: show_plan(plan, render_changes_table, yes),
        )
    finish_plan(run, report)


billing_app.command("set")(billing_set)
billing_app.command("check")(billing_check)
billing_app.command("remove")(billing_remove)
