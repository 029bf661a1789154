"""`prune`'s plan: list-inactive's report (with tags), then the pure plan of actions/prune."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lambdaops.actions import prune as actions
from lambdaops.collect.run_scope import RunScope
from lambdaops.parts import Part
from lambdaops.reports.list_inactive import list_inactive_report


def plan_prune(
    scope: RunScope,
    days: int,
    archive_root: Path,
    on_done: Callable[[], None] | None = None,
    accept_incomplete: bool = False,
) -> actions.PrunePlan:
    """Which functions `prune --apply` would archive and delete, and which it keeps and why."""
    # Tags come from the same gathering pass: one paginated tag:GetResources per region, not a
    # ListTags call per candidate. A region whose tags could not be read leaves its candidates
    # without tags, and they stay in place (see actions/prune.py).
    base = list_inactive_report(
        scope, days, show="all", sort="name", on_done=on_done, extra_parts=frozenset({Part.TAGS})
    )
    return actions.plan_prune(base, scope, archive_root, accept_incomplete)
