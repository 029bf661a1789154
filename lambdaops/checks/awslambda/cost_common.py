"""Helpers shared by the cost checks (it registers no check, so it is not in the catalogue)."""

from __future__ import annotations

from lambdaops.analysis.cost import GROUP, MONTH_SECONDS, memory_gb
from lambdaops.inventory import FunctionInfo
from lambdaops.prices import PriceTable, load_prices
from lambdaops.settings import Settings

__all__ = ["GROUP", "prices_for", "provisioned_month", "usd"]


def prices_for(settings: Settings) -> PriceTable:
    return load_prices(settings.price_file)


def provisioned_month(fn: FunctionInfo, allocated: int, prices: PriceTable) -> float | None:
    """A month of `allocated` provisioned concurrency on `fn` (None: the table has no such price)."""
    rates = prices.regions.get(fn.region)
    arch = rates.architectures.get(fn.architecture) if rates is not None else None
    if arch is None or arch.provisioned_gb_s is None:
        return None
    return allocated * memory_gb(fn.memory_mb) * MONTH_SECONDS * arch.provisioned_gb_s


def usd(value: float | None) -> str:
    return "an unpriced amount" if value is None else f"${value:,.2f}"
