"""What a command's human table needs besides the report's data: one small frozen type per command.

Not in the JSON: the machine formats carry the data itself. A report has at most one view
(`Report.view`), set by the library function that made it; renderers read it with `isinstance`, so a
report without one (e.g. read back by `merge`) renders with the defaults.

Adding a command with its own table hints: add a frozen dataclass here and to `View`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class Phase(enum.StrEnum):
    """Where a write command stands: the one word its table title and closing line use (CONTRACT.md)."""

    PLAN = "plan"  # nothing changed: the plan of a bulk command without --apply (or a declined one)
    DRY_RUN = "dry-run"  # nothing changed: a single named change previewed with --dry-run
    CONFIRM = "confirm"  # the whole plan, shown on stderr just before the question
    APPLIED = "applied"  # the changes were made (each change's own status says how each went)


@dataclass(frozen=True, kw_only=True)
class WriteView:
    """A write command's table: its phase (billing-alarm set/remove, set-concurrency, restore)."""

    phase: Phase = Phase.PLAN


@dataclass(frozen=True, kw_only=True)
class FunctionsView:
    """list-inactive: the idle window, which rows were asked for, and why each has its status."""

    window_days: int
    show: str = "inactive"
    all_statuses: tuple[str, ...] = ()  # every function's status, before --show inactive filtered
    activity: Mapping[str, Any] = field(default_factory=dict)  # by ARN: inventory.Activity
    edge: Mapping[str, list[str]] = field(default_factory=dict)  # by ARN: Lambda@Edge replica regions


@dataclass(frozen=True, kw_only=True)
class IamView:
    group_by: str = "role"  # audit-iam --by


@dataclass(frozen=True, kw_only=True)
class ConcurrencyView(WriteView):
    window_days: int | None = None  # audit-concurrency --days (peaks and throttles)


@dataclass(frozen=True, kw_only=True)
class PruneView(WriteView):
    window_days: int | None = None
    archive_root: str | None = None


@dataclass(frozen=True, kw_only=True)
class VersionsView(WriteView):
    keep: int | None = None


View = FunctionsView | IamView | WriteView


class _Change(Protocol):
    @property
    def status(self) -> str: ...


class Report(Protocol):
    """What these helpers read of a lambdaops.model.Report (views sit below the model: no import)."""

    @property
    def view(self) -> View | None: ...
    @property
    def changes(self) -> Sequence[_Change] | None: ...


def with_phase(view: View | None, phase: Phase) -> WriteView:
    """The same write view in another phase (a view-less report gets a plain WriteView)."""
    from dataclasses import replace

    return replace(view, phase=phase) if isinstance(view, WriteView) else WriteView(phase=phase)


def phase_word(phase: Phase) -> str:
    """The word a write command's table title uses: `plan` until the changes were made, then `applied`."""
    return {Phase.APPLIED: "applied", Phase.DRY_RUN: "plan (dry run)"}.get(phase, "plan")


def functions_view(report: Report) -> FunctionsView:
    """list-inactive's view, or the defaults (no window known) for a report without one (merge)."""
    view = report.view
    return view if isinstance(view, FunctionsView) else FunctionsView(window_days=0, show="all")


def phase_of(report: Report) -> Phase:
    """The report's write phase; `applied` also when a change's status says so (a view-less report)."""
    if isinstance(report.view, WriteView) and report.view.phase is not Phase.PLAN:
        return report.view.phase
    if any(c.status == "applied" for c in report.changes or []):  # ChangeStatus.APPLIED
        return Phase.APPLIED
    return Phase.PLAN
