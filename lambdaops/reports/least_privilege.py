"""least-privilege as a library call: per execution role, the policy it needs from its real use.

Reads (collect): every function in scope, IAM (roles and policies), and IAM's last-accessed report
for each role the functions use. Judges (policy/least_privilege.py, analysis/least_privilege.py):
the proposal, its diff against today's permissions and how far it can be trusted. Changes nothing in
AWS: the proposal is for the team's infrastructure code (`--write-policies` writes local files only).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lambdaops.analysis.least_privilege import RoleProposal, role_proposals
from lambdaops.checks.registry import select
from lambdaops.collect.run_scope import RunScope
from lambdaops.model import Report, iso
from lambdaops.parts import Part
from lambdaops.policy.least_privilege import Proposal, canonical, policy_size
from lambdaops.reports.checked import checked_report, gather_for
from lambdaops.settings import Settings

COMMAND = "least-privilege"
SECTION = "least_privilege"
# IAM quotas (IAM User Guide, "IAM and AWS STS quotas", read 2026-12-06): a role's inline policies
# together at most 10,240 characters, a managed policy at most 6,144 (whitespace not counted).
INLINE_POLICY_LIMIT = 10_240
MANAGED_POLICY_LIMIT = 6_144
SHOWN = 8


def _names(actions: tuple[str, ...] | list[str]) -> list[str]:
    return [canonical(a) for a in actions]


def _few(actions: list[str]) -> str:
    more = f" and {len(actions) - SHOWN} more" if len(actions) > SHOWN else ""
    return ", ".join(actions[:SHOWN]) + more


def diff_lines(p: Proposal) -> list[str]:
    """What the proposal removes from today's permissions (`-`) and what it keeps unobserved (`=`)."""
    lines: list[str] = []
    for v in p.services:
        since = f"last used {v.last_used.date().isoformat()}" if v.last_used else "never used"
        if v.status == "unused" and v.removed:
            lines.append(
                f"- {v.service}: all {len(v.removed)} action(s) granted today ({since} in the "
                f"{p.observed_days} day(s) IAM could observe)"
            )
        elif v.removed:
            lines.append(
                f"- {v.service}: {len(v.removed)} of {len(v.granted)} action(s), tracked and unused for "
                f"{p.days} days: {_few(_names(v.removed))}"
            )
        if v.kept_untracked:
            lines.append(
                f"= {v.service}: {len(v.kept_untracked)} action(s) IAM does not track kept: "
                f"{_few(_names(v.kept_untracked))}"
            )
        if v.status == "used" and v.mode == "service":
            lines.append(f"= {v.service}: used ({since}); IAM tracks only the service, all of it kept")
        if v.status == "not-reported":
            lines.append(f"= {v.service}: not in IAM's report (not tracked), kept")
    for arn in p.keep_managed:
        lines.append(f"= {arn.rsplit('/', 1)[-1]}: AWS-managed logging baseline, kept attached")
    return lines


def cloudformation_snippet(p: Proposal) -> str:
    """AWS::IAM::Role properties (YAML; the document is JSON, which YAML reads as it is). In SAM, the
    function's `Policies` takes the same document and the managed policy ARNs."""
    if p.document is None:
        return ""
    body = json.dumps(p.document, indent=2, sort_keys=False).replace("\n", "\n      ")
    lines = [
        # short enough for an 80-column terminal, where the snippet is printed as it is (copied, not folded)
        f"# {p.role_name}: least privilege from {p.observed_days} day(s) of use",
        "# AWS::IAM::Role properties (in SAM, the function's Policies: same entries)",
    ]
    if p.keep_managed:
        lines.append("ManagedPolicyArns:")
        lines.extend(f"  - {arn}" for arn in p.keep_managed)
    lines += [
        "Policies:",
        f"  - PolicyName: {p.role_name}-least-privilege",
        f"    PolicyDocument:\n      {body}",
    ]
    return "\n".join(lines) + "\n"


def role_entry(rp: RoleProposal) -> dict[str, Any]:
    p = rp.proposal
    level, statement = p.confidence()
    notes: list[str] = []
    size = policy_size(p.document) if p.document is not None else 0
    if size > INLINE_POLICY_LIMIT:
        notes.append(
            f"the proposed policy is {size} characters, over IAM's {INLINE_POLICY_LIMIT} for a role's "
            "inline policies: split it, or narrow the kept services by hand"
        )
    return {
        "account_id": rp.account_id,
        "role_arn": rp.role.arn,
        "role_name": rp.role.name,
        "role_created": iso(p.created) if p.created is not None else None,
        "functions": list(rp.functions),
        "days": p.days,
        "observed_days": p.observed_days,
        "confidence": {"level": level, "statement": statement},
        "policy": p.document,
        "policy_size": size,
        "keep_managed_policy_arns": list(p.keep_managed),
        "replaces": [{"name": s.name, "arn": s.arn, "kind": s.kind} for s in p.replaces],
        "services": [
            {
                "service": v.service,
                "mode": v.mode,
                "status": v.status,
                "last_used": iso(v.last_used) if v.last_used is not None else None,
                "granted": len(v.granted),
                "removed": _names(v.removed),
                "kept_untracked": _names(v.kept_untracked),
            }
            for v in p.services
        ],
        "diff": diff_lines(p),
        "cloudformation": cloudformation_snippet(p),
        "problems": list(p.problems),
        "notes": notes,
    }


def selection_entry(settings: Settings, proposals: list[RoleProposal]) -> dict[str, Any]:
    """The JSON's `selection`: what `--role` / `--function` / `--tag` picked (empty lists: every
    role of the functions in scope) and how many roles, and functions using them, that covers."""
    picked = settings.function_filter
    return {
        "roles": list(settings.role_filter),
        "functions": list(picked.globs) if picked else [],
        "tags": [f"{k}={v}" for k, v in picked.tags] if picked else [],
        "exclude_tags": [f"{k}={v}" for k, v in picked.exclude_tags] if picked else [],
        "roles_covered": len(proposals),
        "functions_covered": sum(len(rp.functions) for rp in proposals),
    }


def least_privilege_report(scope: RunScope, on_done: Callable[[], None] | None = None) -> Report:
    settings = scope.settings
    checks = select(group=COMMAND)
    inv = gather_for(scope, checks, Part.FUNCTIONS, Part.IAM, Part.LAST_ACCESSED, on_done=on_done)
    report = checked_report(scope, COMMAND, checks, inv)
    proposals = role_proposals(inv, settings)
    report.sections[SECTION] = [role_entry(rp) for rp in proposals]
    report.sections["selection"] = selection_entry(settings, proposals)
    found = {rp.role.arn for rp in proposals} | {rp.role.name for rp in proposals}
    for wanted in settings.role_filter:
        if wanted not in found:
            report.warnings.append(
                f"--role {wanted}: no function in scope uses this role; nothing proposed for it"
            )
    return report


def write_policy_files(report: Report, directory: Path) -> int:
    """`--write-policies DIR`: one proposed policy per role, `<account>-<role>.json` (local files
    only: nothing changes in AWS). Returns how many were written."""
    from lambdaops.errors import UsageError
    from lambdaops.fileio import write_atomic

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--write-policies {directory}: {exc.strerror or exc}") from None
    count = 0
    for entry in report.sections.get("least_privilege", []):
        if entry.get("policy") is None:
            continue
        path = directory / f"{entry['account_id']}-{entry['role_name']}.json"
        write_atomic(path, json.dumps(entry["policy"], indent=2) + "\n")
        count += 1
    return count
