"""What one command reads: the AWS context, each account's regions, the settings and the run's clock.

The library's report functions (lambdaops/reports/*) take this one object instead of threading
`(ctx, regions, settings, now)` through every signature; the CLI builds it once per command
(`cli.runner.Run.scope`). It is frozen: a command that needs other settings for one report makes a
changed copy (`with_settings`), so nothing a report does can change what another report of the same
run reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambdaops.collect.context import AwsContext
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings


@dataclass(frozen=True)
class RunScope:
    ctx: AwsContext  # accounts, credentials and clients (lambdaops.collect.context)
    regions: Mapping[str, Sequence[str]]  # account id -> the regions read in it
    settings: Settings
    now: datetime  # the run's clock: every window and age is measured from it

    @property
    def account_ids(self) -> list[str]:
        return list(self.ctx.account_ids)

    def with_settings(self, settings: Settings) -> RunScope:
        return replace(self, settings=settings)

    def gather(
        self,
        parts: Iterable[str],
        days: int | None = None,
        on_done: Callable[[], None] | None = None,
    ) -> Inventory:
        """The inventory `parts` for every account and region in scope (collect.gather)."""
        from lambdaops.collect.gather import gather

        regions = {account: list(rs) for account, rs in self.regions.items()}
        return gather(self.ctx, regions, parts, self.settings, self.now, days=days, on_done=on_done)
