"""billing-alarm check / set / remove as library calls. Everything happens in us-east-1."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from lambdaops.actions import billing as actions
from lambdaops.checks.registry import select
from lambdaops.collect import billing as aws
from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.guard import aws_errors, error_record
from lambdaops.collect.run_scope import RunScope
from lambdaops.inventory import BILLING_REGION, BillingState
from lambdaops.model import Change, ChangeStatus, Report
from lambdaops.parts import Part
from lambdaops.reports.checked import checked_report, gather_for
from lambdaops.views import Phase, WriteView

REGION = BILLING_REGION


def billing_check_report(scope: RunScope, command: str = "billing-alarm check") -> Report:
    """Every billing guardrail of each account (hand-made ones included) and what is wrong with them.

    The scope's regions are not read: billing lives in us-east-1 (an account part).
    """
    checks = select(group="billing")
    billing_only = replace(scope, regions={a.account_id: [] for a in scope.ctx.accounts})
    inv = gather_for(billing_only, checks, Part.BILLING)
    report = checked_report(scope, command, checks, inv, regions=[REGION])
    report.sections["billing"] = [_guardrails(a, inv.billing[a]) for a in sorted(inv.billing)]
    return report


def _guardrails(account_id: str, state: BillingState) -> dict[str, Any]:
    topics = sorted({t for a in state.alarms for t in a.alarm_actions if t.split(":")[2:3] == ["sns"]})
    return {
        "account_id": account_id,
        "billing_data_flowing": state.metrics_flowing,
        "month_to_date_charges": state.current_charges,
        "currency": state.currency,
        "alarms": [
            {
                "name": a.name,
                "arn": a.arn,
                "threshold": a.threshold,
                "currency": a.currency,
                "service": a.service,
                "linked_account": a.linked_account,
                "state": a.state,
                "actions_enabled": a.actions_enabled,
                "alarm_actions": list(a.alarm_actions),
                "managed_by_lambdaops": actions.is_managed(a.name),
            }
            for a in state.alarms
        ],
        "budgets": None
        if state.budgets is None
        else [
            {
                "name": b.name,
                "type": b.budget_type,
                "limit": b.limit,
                "unit": b.unit,
                "time_unit": b.time_unit,
            }
            for b in state.budgets
        ],
        "topics": [
            {
                "topic_arn": t,
                "exists": t not in state.missing_topics,
                "confirmed_subscriptions": None
                if t not in state.subscriptions
                else sum(1 for s in state.subscriptions[t] if s.confirmed),
                "pending_subscriptions": None
                if t not in state.subscriptions
                else sum(1 for s in state.subscriptions[t] if not s.confirmed),
                "kms_key": state.topic_kms_keys.get(t),
            }
            for t in topics
        ],
    }


def _clients(ctx: AwsContext, account: Account, budgets: bool) -> actions.BillingClients:
    return actions.BillingClients(
        cloudwatch=ctx.client(account, "cloudwatch", REGION),
        sns=ctx.client(account, "sns", REGION),
        budgets=ctx.client(account, "budgets", REGION) if budgets else None,
    )


def billing_set_report(
    scope: RunScope,
    spec: actions.BillingSpec,
    dry_run: bool,
    confirm: Callable[[str], bool] | None = None,
) -> Report:
    """Reconcile each account's managed guardrails with `spec`; apply unless `dry_run`.

    Every account is read and planned before anything is written. Deletions (only ever planned with
    `spec.prune_unlisted`) are a bulk write: `confirm` is asked once, with their count, and a "no"
    changes nothing anywhere.
    """
    ctx, now = scope.ctx, scope.now
    report = Report(
        command="billing-alarm set", generated_at=now, accounts=ctx.account_ids, regions=[REGION], changes=[]
    )
    assert report.changes is not None
    plans: list[tuple[Account, actions.BillingClients, actions.Plan]] = []
    for account in ctx.accounts:
        clients = _clients(ctx, account, spec.budget is not None)
        state, errors = aws.read_managed_state(
            clients.cloudwatch,
            clients.sns,
            clients.budgets,
            account.account_id,
            now,
            alarm_prefix=actions.MANAGED_PREFIX,
            topic_name=None if spec.topic_arn else actions.TOPIC_NAME,
            given_topic=spec.topic_arn,
            charge_keys=spec.charge_keys(),
            budget_name=actions.BUDGET_NAME if spec.budget is not None else None,
        )
        report.errors.extend(errors)
        if state is None:
            report.warnings.append(
                f"account {account.account_id}: its billing guardrails could not be read, so nothing was "
                "planned or changed there (see errors)"
            )
            continue
        plan = actions.plan_set(spec, state)
        report.warnings.extend(plan.warnings)
        plans.append((account, clients, plan))
    deletes = [
        str(c.params["AlarmName"])
        for _, _, p in plans
        if not p.refused
        for c in p.changes
        if c.action == actions.DELETE_ALARM and c.status is PLANNED
    ]
    go = not dry_run
    # The question names every alarm it would delete: the plan is seen before the answer.
    if (
        go
        and deletes
        and confirm is not None
        and not confirm(
            f"--prune-unlisted: delete {len(deletes)} managed billing alarm(s) this run does not name "
            f"({', '.join(deletes)})."
        )
    ):
        go = False
        report.warnings.append("not confirmed: nothing was changed")
    for account, clients, plan in plans:
        changes = plan.changes
        if go and not plan.refused:
            changes, apply_errors = actions.apply_changes(changes, account.account_id, clients)
            report.errors.extend(apply_errors)
        report.warnings.extend(_confirmation_notes(changes, not go))
        report.changes.extend(changes)
    report.view = WriteView(phase=Phase.APPLIED if go else Phase.DRY_RUN if dry_run else Phase.PLAN)
    return report


PLANNED = ChangeStatus.PLANNED


def _confirmation_notes(changes: list[Change], dry_run: bool) -> list[str]:
    notes = []
    for c in changes:
        if c.action != actions.SUBSCRIBE:
            continue
        address = c.params.get("Endpoint")
        if c.status is ChangeStatus.APPLIED:
            notes.append(
                f"AWS sent a confirmation email to {address}: no billing alert reaches that address until "
                "its owner clicks the link in it (check spam folders; SNS deletes a subscription still "
                "unconfirmed after 48 hours, and rerunning set then subscribes the address again)"
            )
        elif c.status is ChangeStatus.PLANNED and dry_run:
            notes.append(
                f"{address} will have to confirm: AWS emails it a confirmation link when the subscription is "
                "made, and no billing alert reaches it until its owner clicks it"
            )
    return notes


def billing_remove_report(
    scope: RunScope,
    apply: bool,
    confirm: Callable[[str], bool] | None = None,
    show: Callable[[Report], None] | None = None,
) -> Report:
    """Plan (and with `apply`, make) the deletion of every lambdaops-managed billing alarm; `show` is
    given the whole plan before `confirm` asks."""
    ctx, now = scope.ctx, scope.now
    report = Report(
        command="billing-alarm remove",
        generated_at=now,
        accounts=ctx.account_ids,
        regions=[REGION],
        changes=[],
    )
    assert report.changes is not None
    plans: list[tuple[Account, list[Change]]] = []
    for account in ctx.accounts:
        cw = ctx.client(account, "cloudwatch", REGION)
        try:
            alarms = aws.describe_billing_alarms(cw, actions.MANAGED_PREFIX)
        except aws_errors() as exc:
            report.errors.append(error_record(exc, account.account_id, REGION, "cloudwatch:DescribeAlarms"))
            continue
        plans.append((account, actions.plan_remove(account.account_id, alarms)))
    planned = sum(len(changes) for _, changes in plans)
    if apply and planned and show is not None:
        report.changes = [c for _, changes in plans for c in changes]
        show(report)
        report.changes = []
    go = apply and planned > 0 and (confirm is None or confirm(f"Delete {planned} billing alarm(s)."))
    if apply and planned and not go:
        report.warnings.append("not confirmed: nothing was changed")
    for account, changes in plans:
        if go:
            clients = actions.BillingClients(
                cloudwatch=ctx.client(account, "cloudwatch", REGION), sns=None, budgets=None
            )
            changes, errors = actions.apply_changes(changes, account.account_id, clients)
            report.errors.extend(errors)
        report.changes.extend(changes)
    if go:
        report.warnings.append(
            f"the SNS topic {actions.TOPIC_NAME}, its subscriptions and any budget are kept; delete them "
            "by hand if they are no longer wanted"
        )
    report.view = WriteView(phase=Phase.APPLIED if go else Phase.PLAN)
    return report
