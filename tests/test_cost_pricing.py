"""The price arithmetic against AWS's own worked examples on the AWS Lambda pricing page.

Source: "AWS Lambda Pricing", https://aws.amazon.com/lambda/pricing/ (stored copies read
2026-12-06). The examples state their own rates (US East (N. Virginia)) and subtract the monthly
free tier (1M requests, 400,000 GB-s); lambdaops never subtracts it from a function, so the test
prices the gross usage and takes `free_tier_credit` off, as the page does.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from lambdaops.analysis.cost import MONTH_SECONDS, free_tier_credit, price_usage, usage_of
from lambdaops.inventory import CostMetrics, ProvisionedUsage
from lambdaops.prices import PriceTable, load_prices, parse_prices
from tests.support.inventory import function

START = datetime(2026, 11, 1, tzinfo=UTC)


def table(
    duration: float, provisioned: float | None = None, provisioned_duration: float | None = None
) -> PriceTable:
    rates: dict[str, float] = {"duration_gb_s": duration}
    if provisioned is not None:
        rates["provisioned_gb_s"] = provisioned
    if provisioned_duration is not None:
        rates["provisioned_duration_gb_s"] = provisioned_duration
    return parse_prices(
        {
            "source": "https://aws.amazon.com/lambda/pricing/",
            "read": "2026-12-06",
            "free_tier": {"requests": 1_000_000, "gb_seconds": 400_000},
            "regions": {"us-east-1": {"requests_per_million": 0.20, "x86_64": rates}},
        },
        "test",
    )


def metrics(invocations: float, duration_ms: float, *provisioned: ProvisionedUsage) -> CostMetrics:
    return CostMetrics(START, START + timedelta(days=30), invocations, duration_ms, tuple(provisioned))


def test_pricing_page_example_1_512mb_3m_invocations_of_1s() -> None:
    # "If you allocated 512MB of memory to your function, executed it 3 million times in one month,
    # and it ran for 1 second each time": 1,500,000 GB-s; 1,100,000 GB-s after the free tier
    # x $0.00001667 = $18.34; 2M billable requests x $0.2/M = $0.40; total $18.74 per month.
    prices = table(0.00001667)
    fn = function("example1", region="us-east-1", memory_mb=512)
    usage = usage_of(fn, metrics(3_000_000, 3_000_000 * 1000.0))
    assert usage.gb_seconds == pytest.approx(1_500_000)
    priced = price_usage(usage, "us-east-1", "x86_64", prices)
    free = free_tier_credit(usage.requests, usage.gb_seconds, "us-east-1", prices)
    assert free is not None and priced.total is not None and priced.duration is not None
    assert round(priced.duration - 400_000 * 0.00001667, 2) == 18.34
    assert round(priced.total - free, 2) == 18.74


def test_pricing_page_example_2_128mb_30m_invocations_of_200ms() -> None:
    # "If you allocated 128MB of memory to your function, executed it 30 million times in one month,
    # and it ran for 200ms each time": 750,000 GB-s, 350,000 billable x $0.00001667 = $5.83;
    # 29M billable requests x $0.2/M = $5.80; total $11.63 per month.
    prices = table(0.00001667)
    fn = function("example2", region="us-east-1", memory_mb=128)
    usage = usage_of(fn, metrics(30_000_000, 30_000_000 * 200.0))
    assert usage.gb_seconds == pytest.approx(750_000)
    priced = price_usage(usage, "us-east-1", "x86_64", prices)
    free = free_tier_credit(usage.requests, usage.gb_seconds, "us-east-1", prices)
    assert free is not None and priced.total is not None
    assert round(priced.total - free, 2) == 11.63


def test_pricing_page_provisioned_concurrency_example_1() -> None:
    # Provisioned Concurrency pricing, "Example 1": 1024MB, provisioned concurrency of 1,000 enabled
    # for two hours, executed 1.2M times in those two hours at 1 second each: provisioned
    # 1,000 x 1 GB x 7,200 s = 7,200,000 GB-s x $0.000004167 = $30.00; duration 1,200,000 GB-s x
    # $0.000009722 = $11.67; requests 1.2M x $0.20/M = $0.24; total $41.91 (no free tier for
    # functions with provisioned concurrency).
    prices = table(0.0000166667, provisioned=0.000004167, provisioned_duration=0.000009722)
    fn = function("pc-example", region="us-east-1", memory_mb=1024)
    config = ProvisionedUsage("live", 1000, 7200.0, 0.9, 1.0, invocations=1_200_000)
    usage = usage_of(fn, metrics(1_200_000, 1_200_000 * 1000.0, config))
    assert usage.provisioned_gb_seconds == pytest.approx(7_200_000)
    assert usage.provisioned_duration_gb_seconds == pytest.approx(1_200_000)
    assert usage.gb_seconds == 0  # every invocation was served by provisioned concurrency
    priced = price_usage(usage, "us-east-1", "x86_64", prices)
    assert priced.provisioned is not None and priced.duration is not None and priced.requests is not None
    assert round(priced.provisioned, 2) == 30.00
    assert round(priced.duration, 2) == 11.67
    assert round(priced.requests, 2) == 0.24
    assert priced.total is not None and round(priced.total, 2) == 41.91


def test_ephemeral_storage_above_512mb_only() -> None:
    prices = load_prices()
    small = usage_of(function("a", memory_mb=1024, ephemeral_storage_mb=512), metrics(10, 10_000.0))
    big = usage_of(function("b", memory_mb=1024, ephemeral_storage_mb=2560), metrics(10, 10_000.0))
    assert small.ephemeral_gb_seconds == 0
    assert big.ephemeral_gb_seconds == pytest.approx(10 * 2.0)  # 10 s x 2 GB above the free 512 MB
    priced = price_usage(big, "us-east-1", "x86_64", prices)
    assert priced.ephemeral == pytest.approx(20 * 0.0000000309)


def test_shipped_table_is_dated_and_has_the_demo_and_benchmark_regions() -> None:
    prices = load_prices()
    assert prices.source == "AWS Price List API, AWSLambda offer 20261001184746 (see sources)"
    assert prices.read == "2026-12-06"
    for region in ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2", "sa-east-1"):
        assert {"x86_64", "arm64"} <= set(prices.regions[region].architectures)
    us = prices.regions["us-east-1"]
    assert us.architectures["x86_64"].duration_gb_s == 0.0000166667
    assert us.architectures["arm64"].duration_gb_s == 0.0000133334
    assert us.requests_per_million == 0.20
    assert MONTH_SECONDS == 730 * 3600


def test_shipped_table_says_where_each_rate_group_was_read() -> None:
    # `sources` is documentation the loader ignores: each group of rates names its file and date.
    doc = json.loads(resources.files("lambdaops").joinpath("data/prices.json").read_text(encoding="utf-8"))
    offer = doc["sources"][0]
    assert "20261001184746" in doc["source"] and "20261001184746" in offer["url"]
    assert offer["url"].startswith("https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSLambda/")
    for source in doc["sources"]:
        assert source["rates"] and source["read"] == doc["read"]
        assert source.get("url") or source.get("read_from")
    assert all(entry["note"].startswith("Offer usage types") for entry in doc["regions"].values())


def test_shipped_table_prices_every_rate_in_every_region_it_lists() -> None:
    # A listed region prices everything `cost` measures: no function there is unpriced for want of
    # a provisioned or ephemeral-storage rate.
    for name, region in load_prices().regions.items():
        assert region.ephemeral_storage_gb_s is not None, name
        for arch in ("x86_64", "arm64"):
            rates = region.architectures[arch]
            assert rates.provisioned_gb_s is not None and rates.provisioned_duration_gb_s is not None, name


@pytest.mark.parametrize(
    ("region", "x86", "arm", "ephemeral"),
    [
        # (provisioned concurrency, provisioned duration) per GB-s, ephemeral storage per GB-s, from
        # the AWSLambda offer file, version 20261001184746 (prices.json `sources`): us-east-1's are
        # also the pricing page's; the other regions' are dearer (eu-west-1's were once copied from
        # us-east-1's).
        ("us-east-1", (0.0000041667, 0.0000097222), (0.0000033334, 0.0000077778), 0.0000000309),
        ("eu-west-1", (0.000004646, 0.0000108407), (0.0000037168, 0.0000086726), 0.000000034),
        ("eu-central-1", (0.0000050147, 0.0000117011), (0.0000040118, 0.0000093609), 0.0000000367),
        ("sa-east-1", (0.0000066372, 0.0000154867), (0.0000053098, 0.0000123894), 0.0000000586),
    ],
)
def test_shipped_provisioned_and_storage_rates_are_the_offer_files_per_region(
    region: str, x86: tuple[float, float], arm: tuple[float, float], ephemeral: float
) -> None:
    rates = load_prices().regions[region]
    for arch, (provisioned, provisioned_duration) in (("x86_64", x86), ("arm64", arm)):
        assert rates.architectures[arch].provisioned_gb_s == provisioned
        assert rates.architectures[arch].provisioned_duration_gb_s == provisioned_duration
    assert rates.ephemeral_storage_gb_s == ephemeral


def test_a_region_missing_from_the_table_is_a_gap_never_zero() -> None:
    prices = load_prices()
    usage = usage_of(function("x", region="mars-north-1"), metrics(5, 500.0))
    priced = price_usage(usage, "mars-north-1", "x86_64", prices)
    assert priced.total is None
    assert priced.gaps == ["no prices for region mars-north-1 in the price table"]
