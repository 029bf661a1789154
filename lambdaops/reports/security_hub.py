"""`lambdaops export security-hub REPORT.json [--apply]`: a scan report's findings into Security Hub.

Plan first (nothing is written without --apply), per account and Security Hub region:
- a failing finding not in Security Hub, changed since (its content hash), or archived and back:
  `import-finding` (an update keeps Security Hub's CreatedAt);
- a lambdaops finding ACTIVE in Security Hub that is no longer failing in the report (fixed, muted
  or baselined): `resolve-finding` (imported again ARCHIVED with compliance PASSED, then its workflow
  set to RESOLVED). Only where the report looked again: the finding's check ran in the report and its
  account and region are in the report's scope; anything else is left as it is;
- everything else is `unchanged`: a second identical run makes no write call.
Findings of an account these credentials do not reach are `refused` (exit 2, nothing written):
with the default product ARN, AWS accepts findings only from their own account.
After --apply, the findings are read back: one not found as written is `failed` (exit 4).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from lambdaops.actions.security_hub import import_findings, resolve_workflow
from lambdaops.collect.context import AwsContext
from lambdaops.collect.securityhub import lambdaops_findings
from lambdaops.model import Change, ChangeStatus, ErrorRecord, FindingStatus, Report, iso
from lambdaops.render.asff import GLOBAL_REGION, asff_finding, home_region, partition_of, product_arn

COMMAND = "export security-hub"
IMPORT = "import-finding"
RESOLVE = "resolve-finding"
Scope = tuple[str, str]


def _hash(finding: dict[str, Any]) -> str | None:
    value = (finding.get("ProductFields") or {}).get("lambdaops/ContentHash")
    return str(value) if value is not None else None


def _params(asff: dict[str, Any]) -> dict[str, Any]:
    fields = asff.get("ProductFields") or {}
    return {
        "id": asff["Id"],
        "account_id": asff["AwsAccountId"],
        "region": asff.get("Region"),
        "check_id": fields.get("lambdaops/CheckId"),
        "severity": (asff.get("Severity") or {}).get("Label"),
    }


def _resource(asff: dict[str, Any]) -> str:
    resources = asff.get("Resources") or [{}]
    return str(resources[0].get("Id", ""))


def _looked_again(old: dict[str, Any], source: Report) -> bool:
    fields = old.get("ProductFields") or {}
    checks = set(source.coverage)
    if checks and fields.get("lambdaops/CheckId") not in checks:
        return False
    region = fields.get("lambdaops/Region")
    return region in ("global", "") or region in set(source.regions)


def export_report(
    ctx: AwsContext,
    source: Report,
    now: datetime,
    apply: bool,
    global_region: str = GLOBAL_REGION,
    confirm: Callable[[str], bool] = lambda _summary: True,
) -> Report:
    when = iso(source.generated_at) or iso(now) or ""
    desired: dict[Scope, dict[str, dict[str, Any]]] = {}
    for f in source.sorted_findings():
        if f.status is FindingStatus.FAIL:
            asff = asff_finding(f, when, source.catalogue, global_region)
            desired.setdefault((f.account_id, home_region(f, global_region)), {})[asff["Id"]] = asff
    scopes = set(desired)
    for account in source.accounts:
        scopes |= {(account, r) for r in source.regions if r not in ("global", "")}
        if any(c.startswith("iam-") for c in source.coverage) or any(
            f.region == "global" for f in source.findings
        ):
            scopes.add((account, global_region))
    reachable = {a.account_id: a for a in ctx.accounts}
    report = Report(
        command=COMMAND,
        generated_at=now,
        accounts=sorted({a for a, _ in scopes}),
        regions=sorted({r for _, r in scopes}),
        changes=[],
    )
    errors: list[ErrorRecord] = []
    changes: list[Change] = []
    payloads: dict[tuple[Scope, str], dict[str, Any]] = {}
    partition = next((partition_of(f.resource_arn) for f in source.findings), "aws")
    for scope in sorted(scopes):
        account_id, region = scope
        wanted = desired.get(scope, {})
        if account_id not in reachable:
            changes.extend(
                Change(
                    IMPORT,
                    _resource(a),
                    _params(a),
                    ChangeStatus.REFUSED,
                    f"account {account_id} is not reachable with these credentials: Security Hub takes a "
                    "finding only from its own account; pass --accounts with --role-name",
                )
                for a in wanted.values()
            )
            continue
        client = ctx.client(reachable[account_id], "securityhub", region)
        existing = lambdaops_findings(
            client, product_arn(partition, region, account_id), account_id, region, errors
        )
        if existing is None:
            continue  # unknown state: no plan in this region (the error record makes it exit 4)
        for fid, asff in wanted.items():
            old = existing.get(fid)
            if old is not None and old.get("RecordState") == "ACTIVE" and _hash(old) == _hash(asff):
                changes.append(
                    Change(
                        IMPORT,
                        _resource(asff),
                        _params(asff),
                        ChangeStatus.UNCHANGED,
                        "already in Security Hub as it is",
                    )
                )
                continue
            reason = (
                "new finding"
                if old is None
                else ("back after it was resolved" if old.get("RecordState") != "ACTIVE" else "changed")
            )
            if old is not None and old.get("CreatedAt"):
                asff = {**asff, "CreatedAt": old["CreatedAt"]}
            payloads[(scope, fid)] = asff
            changes.append(Change(IMPORT, _resource(asff), _params(asff), ChangeStatus.PLANNED, reason))
        for fid, old in sorted(existing.items()):
            if fid in wanted or old.get("RecordState") != "ACTIVE" or not _looked_again(old, source):
                continue
            closed = {
                **old,
                "RecordState": "ARCHIVED",
                "Compliance": {**(old.get("Compliance") or {}), "Status": "PASSED"},
                "UpdatedAt": max(str(old.get("UpdatedAt", "")), when),
            }
            payloads[(scope, fid)] = closed
            changes.append(
                Change(
                    RESOLVE,
                    _resource(old),
                    _params(old),
                    ChangeStatus.PLANNED,
                    "no longer failing in the report",
                )
            )
    report.changes = changes
    report.errors = errors
    planned = [c for c in changes if c.status is ChangeStatus.PLANNED]
    refused = any(c.status is ChangeStatus.REFUSED for c in changes)
    if not apply or not planned or refused:
        return report
    summary = (
        f"Import {sum(1 for c in planned if c.action == IMPORT)} and resolve "
        f"{sum(1 for c in planned if c.action == RESOLVE)} finding(s) in Security Hub."
    )
    if not confirm(summary):
        report.warnings.append("not confirmed: nothing was changed")
        return report
    report.changes = _apply(ctx, reachable, changes, payloads, partition, errors)
    return report


def _apply(
    ctx: AwsContext,
    reachable: dict[str, Any],
    changes: list[Change],
    payloads: dict[tuple[Scope, str], dict[str, Any]],
    partition: str,
    errors: list[ErrorRecord],
) -> list[Change]:
    failed: dict[str, str] = {}
    by_scope: dict[Scope, list[str]] = {}
    for scope, fid in payloads:
        by_scope.setdefault(scope, []).append(fid)
    for scope, ids in sorted(by_scope.items()):
        account_id, region = scope
        client = ctx.client(reachable[account_id], "securityhub", region)
        failed.update(
            import_findings(client, [payloads[(scope, i)] for i in ids], account_id, region, errors)
        )
        resolving = [
            {"Id": i, "ProductArn": str(payloads[(scope, i)]["ProductArn"])}
            for i in ids
            if payloads[(scope, i)].get("RecordState") == "ARCHIVED" and i not in failed
        ]
        if resolving:
            failed.update(resolve_workflow(client, resolving, account_id, region, errors))
        # verify: read back what was written
        after = lambdaops_findings(
            client, product_arn(partition, region, account_id), account_id, region, errors
        )
        for fid in ids:
            if fid in failed:
                continue
            got = (after or {}).get(fid)
            want = payloads[(scope, fid)]
            if got is None or got.get("RecordState") != want.get("RecordState") or _hash(got) != _hash(want):
                failed[fid] = "not found as written when read back"
    out = []
    for change in changes:
        if change.status is not ChangeStatus.PLANNED:
            out.append(change)
            continue
        fid = str(change.params["id"])
        if fid in failed:
            out.append(
                Change(change.action, change.resource_arn, change.params, ChangeStatus.FAILED, failed[fid])
            )
        else:
            out.append(
                Change(change.action, change.resource_arn, change.params, ChangeStatus.APPLIED, change.reason)
            )
    return out
