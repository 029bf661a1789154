"""Reserved concurrency changes: plans (pure) and their application.

Rules every plan follows (AWS's, made checkable before any call):
- a reservation moves capacity out of the region's unreserved pool; AWS refuses one that leaves fewer
  than 100 unreserved, or fewer than the whole limit on an account whose limit is below 100
  (lambdaops.concurrency_floor; the 100 is configurable with --floor, never below what AWS enforces),
  so a plan that would go below the floor is refused before anything is written;
- lowering or removing a reservation only returns capacity to the pool and is never refused for the floor;
- a reservation must cover the function's provisioned concurrency (AWS refuses a smaller one);
- a function already at the wanted value is `unchanged` and gets no write call;
- a write whose answer is lost is read back (GetFunctionConcurrency): found as asked, it is `applied`
  with a note, never `failed` or `unchanged` (this run made it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from lambdaops.actions.lost import lost_note, maybe_lost
from lambdaops.concurrency_floor import aws_floor, write_floor
from lambdaops.inventory import AccountSettings, Scope
from lambdaops.model import Change, ChangeStatus, ErrorRecord

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

WRITE_OPERATIONS = ("lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency")
PUT = "put-function-concurrency"
DELETE = "delete-function-concurrency"


@dataclass(frozen=True)
class Target:
    """One function as read just before planning."""

    account_id: str
    region: str
    name: str
    arn: str
    current: int | None  # its reservation; None = none (0 is a reservation: the function cannot run)
    provisioned: int | None = 0  # total requested provisioned concurrency; None = unknown

    @property
    def scope(self) -> Scope:
        return (self.account_id, self.region)


def _params(target: Target, desired: int | None, before: int | None, after: int | None, floor: int) -> Any:
    return {
        "function_name": target.name,
        "account_id": target.account_id,
        "region": target.region,
        "reserved_concurrency": desired,
        "previous_reserved_concurrency": target.current,
        "unreserved_before": before,
        "unreserved_after": after,
        "floor": floor,
    }


def _describe(value: int | None) -> str:
    return "no reservation" if value is None else f"reserved {value}"


def plan_reservation(target: Target, desired: int | None, pool: AccountSettings | None, floor: int) -> Change:
    """Set (desired = N) or remove (desired = None) one function's reservation.

    `floor` is the requested floor (100, or --floor); the region's own limit decides the one used."""
    if pool is not None:
        floor = write_floor(floor, pool.concurrency_limit)
    action = DELETE if desired is None else PUT
    before = pool.unreserved if pool is not None else None
    freed = target.current or 0
    taken = desired or 0
    after = None if before is None else before + freed - taken
    params = _params(target, desired, before, after, floor)

    if desired == target.current:
        return Change(action, target.arn, params, ChangeStatus.UNCHANGED, f"already {_describe(desired)}")
    if desired is not None and target.provisioned and desired < target.provisioned:
        return Change(
            action,
            target.arn,
            params,
            ChangeStatus.REFUSED,
            f"{target.name} has {target.provisioned} provisioned concurrency, which must fit inside its "
            f"reservation: AWS refuses a reservation below {target.provisioned}",
        )
    if taken > freed:
        if pool is None or before is None or after is None:
            return Change(
                action,
                target.arn,
                params,
                ChangeStatus.REFUSED,
                f"the concurrency pool of {target.region} could not be read, so the unreserved floor "
                f"({floor}) cannot be checked; nothing was changed",
            )
        if after < floor:
            most = before + freed - floor
            hint = (
                f"at most {most} can be reserved for it"
                if most > 0
                else "nothing more can be reserved until other reservations are lowered"
            )
            return Change(
                action,
                target.arn,
                params,
                ChangeStatus.REFUSED,
                f"reserving {desired} for {target.name} would leave {after} of {pool.concurrency_limit} "
                f"unreserved in {target.region}, below the floor of {floor} (AWS refuses reservations that "
                f"leave fewer than {aws_floor(pool.concurrency_limit)} unreserved in this region; every "
                f"function without a reservation shares the rest); {hint}",
            )
    if desired is None:
        reason = (
            f"lets {target.name} run again (reserved 0 switched it off); it then shares the unreserved pool"
            if target.current == 0
            else f"returns {freed} to the unreserved pool of {target.region}"
        )
    elif desired == 0:
        reason = f"switches {target.name} off: every invocation will be throttled"
    else:
        reason = f"{_describe(target.current)} -> reserved {desired}"
    if after is not None:
        reason += f"; unreserved {before} -> {after}"
    return Change(action, target.arn, params, ChangeStatus.PLANNED, reason)


def plan_cap_unlimited(
    targets: Sequence[Target],
    pools: Mapping[Scope, AccountSettings],
    cap: int,
    floor: int,
) -> list[Change]:
    """Reserve `cap` for every function without a reservation; refuse the whole plan (every change
    `refused`, nothing written anywhere) when any region would fall below the floor."""
    by_scope: dict[Scope, list[Target]] = {}
    for t in targets:
        by_scope.setdefault(t.scope, []).append(t)
    changes: list[Change] = []
    breached: list[str] = []
    requested = floor
    for scope in sorted(by_scope):
        region = scope[1]
        pool = pools.get(scope)
        floor = write_floor(requested, pool.concurrency_limit) if pool is not None else requested
        unlimited = sorted((t for t in by_scope[scope] if t.current is None), key=lambda t: t.name)
        at_cap = sorted((t for t in by_scope[scope] if t.current == cap), key=lambda t: t.name)
        for t in at_cap:
            params = _params(t, cap, None, None, floor)
            changes.append(Change(PUT, t.arn, params, ChangeStatus.UNCHANGED, f"already reserved {cap}"))
        if not unlimited:
            continue
        # A reservation must cover provisioned concurrency: such a function gets the larger of the two.
        wanted = [(t, max(cap, t.provisioned or 0)) for t in unlimited]
        total = sum(n for _, n in wanted)
        if pool is None:
            breached.append(region)
            for t, n in wanted:
                changes.append(
                    Change(
                        PUT,
                        t.arn,
                        _params(t, n, None, None, floor),
                        ChangeStatus.REFUSED,
                        f"the concurrency pool of {region} could not be read, so the floor ({floor}) cannot "
                        "be checked",
                    )
                )
            continue
        running = pool.unreserved
        after_all = pool.unreserved - total
        for t, n in wanted:
            before, running = running, running - n
            params = _params(t, n, before, running, floor)
            if after_all < floor:
                most = (pool.unreserved - floor) // len(unlimited) if pool.unreserved > floor else 0
                hint = (
                    f"use --cap-unlimited {most} or less"
                    if most > 0
                    else "release reservations (or raise the quota) first"
                )
                reason = (
                    f"capping {len(unlimited)} functions in {region} reserves {total} and would leave "
                    f"{after_all} of {pool.concurrency_limit} unreserved, below the floor of {floor}; {hint}"
                )
                changes.append(Change(PUT, t.arn, params, ChangeStatus.REFUSED, reason))
            else:
                note = f" (covers its {t.provisioned} provisioned)" if n > cap else ""
                reason = f"no reservation -> reserved {n}{note}; unreserved {before} -> {running}"
                changes.append(Change(PUT, t.arn, params, ChangeStatus.PLANNED, reason))
        if after_all < floor:
            breached.append(region)
    if breached:
        where = ", ".join(sorted(set(breached)))
        changes = [
            replace(
                c,
                status=ChangeStatus.REFUSED,
                reason=f"plan refused: the floor would be breached in {where}; nothing is changed anywhere",
            )
            if c.status is ChangeStatus.PLANNED
            else c
            for c in changes
        ]
    return changes


def apply_changes(
    changes: Sequence[Change], client_for: Callable[[str, str], LambdaClient]
) -> tuple[list[Change], list[ErrorRecord]]:
    """Make every `planned` change; others pass through untouched. A refused plan must not get here."""
    from botocore.exceptions import BotoCoreError, ClientError

    from lambdaops.collect.guard import error_record

    if any(c.status is ChangeStatus.REFUSED for c in changes):
        raise ValueError("a refused plan is never applied")
    out: list[Change] = []
    errors: list[ErrorRecord] = []
    for change in changes:
        if change.status is not ChangeStatus.PLANNED:
            out.append(change)
            continue
        p = change.params
        client = client_for(str(p["account_id"]), str(p["region"]))
        operation = (
            "lambda:PutFunctionConcurrency" if change.action == PUT else "lambda:DeleteFunctionConcurrency"
        )
        try:
            if change.action == PUT:
                client.put_function_concurrency(
                    FunctionName=str(p["function_name"]),
                    ReservedConcurrentExecutions=int(p["reserved_concurrency"]),
                )
            else:
                client.delete_function_concurrency(FunctionName=str(p["function_name"]))
        except (ClientError, BotoCoreError) as exc:
            if maybe_lost(exc) and _found_done(client, str(p["function_name"]), p["reserved_concurrency"]):
                # The answer was lost (network, or retries spent after the write reached Lambda) and
                # the reservation reads back as asked: this run made it.
                out.append(
                    replace(change, status=ChangeStatus.APPLIED, reason=f"{change.reason}; {lost_note(exc)}")
                )
                continue
            record = error_record(exc, str(p["account_id"]), str(p["region"]), operation)
            errors.append(record)
            out.append(replace(change, status=ChangeStatus.FAILED, reason=f"{record.code}: {record.message}"))
            continue
        out.append(replace(change, status=ChangeStatus.APPLIED))
    return out, errors


def _found_done(client: LambdaClient, name: str, desired: Any) -> bool:
    """Read the reservation back after a write that got no answer. A read that fails proves nothing."""
    from botocore.exceptions import BotoCoreError, ClientError

    from lambdaops.collect.concurrency import reserved_concurrency

    try:
        current = reserved_concurrency(client, name)
    except (ClientError, BotoCoreError):
        return False
    return current == (None if desired is None else int(desired))
