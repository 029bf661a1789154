"""Benchmark lambdaops (the real CLI process) against a seeded moto server behind a latency proxy.

    python -m benchmarks.run --functions 2000 --regions 3 --accounts 1 --baseline
    python -m benchmarks.run --functions 2000 --regions 3 --accounts 20
    python -m benchmarks.run --functions 2000 --regions 3 --command scan
    python -m benchmarks.run --functions 2000 --regions 3 --command scan --quotas aws --warm
    python -m benchmarks.run --functions 2000 --regions 3 --command cost

With ``--quotas aws`` the proxy also enforces AWS's API rate quotas (token buckets per account,
region and quota: tests.support.aws_proxy.QuotaBuckets) and the benchmark reports the throttled
answers and the quota-bound minimum (per bucket: calls / rate; the slowest bucket bounds the run).
It first runs the same command without quotas and without cache as the reference the quota runs'
reports must equal. ``--warm`` reruns each measured scan with the cache the first run left.
``--replay`` lets the proxy answer a read it has already seen (the reference run's, the same bytes
from the same signing key) without asking the emulator again: every call is still counted, delayed
and quota-checked, so a quota-bound run measures lambdaops and the quotas rather than the moto
server's ~70 answers a second (tests.support.aws_proxy, ``replay``). It needs the reference run.

Each run: a moto server (lambdaops' shims installed) seeded inside its own process by
benchmarks.seed; tests.support.aws_proxy.AwsProxy in front of it adding ``--latency-ms`` to every
request and ``--new-conn-ms`` more to each new connection, and counting calls per operation; then
``lambdaops list-inactive`` (or ``scan``) as a subprocess with ``AWS_ENDPOINT_URL`` at the proxy.
Reported: calls per operation against the minimum the APIs allow for the same answer, wall time,
and the lambdaops process's peak RSS (``os.wait4``'s rusage of that one child). The inactive
functions lambdaops reports are checked against the seeded set. ``--baseline`` also times the
one-call-per-function approach (benchmarks.baseline) through the same proxy.

Not a test: pytest does not collect it (it lives outside tests/ and is not named test_*).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2", "sa-east-1")
ORG_ROLE = "OrganizationAccountAccessRole"
LIST_PAGE = 50  # ListFunctions
METRIC_QUERIES = 500  # GetMetricData queries per call
ORG_PAGE = 20  # ListAccounts
ZERO_IN_WINDOW = ("idle", "never", "new")  # seeded states with no invocation inside the window


@dataclass
class Measured:
    label: str
    wall_s: float
    peak_rss_mb: float
    exit_code: int
    calls: dict[str, int]
    connections: int
    stdout: str = ""
    stderr: str = ""
    checks: dict[str, Any] = field(default_factory=dict)
    throttled: dict[str, int] = field(default_factory=dict)
    admitted: dict[tuple[str, str, str], int] = field(default_factory=dict)
    replayed: int = 0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def child_env(endpoint: str, region: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "LAMBDAOPS_", "_LAMBDAOPS")) and k != "PYTHONPATH"
    }
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=region,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONPATH=str(ROOT),
    )
    return env


def measure(label: str, command: list[str], env: dict[str, str], cwd: Path, proxy: Any) -> Measured:
    """Run one process to completion; its own peak RSS comes from wait4, not from RUSAGE_CHILDREN
    (which would also hold the moto server's once it is reaped)."""
    proxy.reset()
    out_path, err_path = cwd / f"{label}.out", cwd / f"{label}.err"
    start = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        label=label,
        wall_s=wall,
        peak_rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        exit_code=process.returncode,
        calls=dict(sorted(proxy.counts().items())),
        connections=proxy.connections(),
        throttled=dict(sorted(proxy.throttled().items())),
        admitted=proxy.admitted(),
        replayed=proxy.replayed(),
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )


def pairs_of(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    return [(a, r) for a in manifest["accounts"] for r in manifest["regions"]]


def per_pair_counts(manifest: dict[str, Any]) -> list[tuple[int, int]]:
    """(functions, functions with nothing in the window) per (account, region), as seeded."""
    from benchmarks.seed import state_of

    pairs = pairs_of(manifest)
    counts = [[0, 0] for _ in pairs]
    for i in range(manifest["functions"]):
        slot = counts[i % len(pairs)]
        slot[0] += 1
        if state_of(i, len(pairs)) in ZERO_IN_WINDOW:
            slot[1] += 1
    return [(n, z) for n, z in counts]


def minimum_calls(manifest: dict[str, Any]) -> dict[str, int]:
    """The fewest calls the APIs allow for list-inactive's answer.

    ListFunctions: 50 a page (an empty region still costs one call). GetMetricData: every function
    needs two queries over the window (Invocations, and Throttles: a throttled request is not an
    invocation, so a function with Throttles only is called, not idle), 500 a call; the ones with
    nothing in the window need their last
    invocation from the 455-day look-back, 500 a call again (one 455-day query per function instead
    would fit only 221 a call at daily resolution, which costs more whenever most functions are
    active). Plus the caller's identity, the organization's account list and one AssumeRole per member.
    """
    accounts = len(manifest["accounts"])
    pairs = per_pair_counts(manifest)
    out = {
        "sts:GetCallerIdentity": 1,
        "lambda:ListFunctions": sum(max(1, math.ceil(n / LIST_PAGE)) for n, _ in pairs),
        "cloudwatch:GetMetricData": sum(
            math.ceil(2 * n / METRIC_QUERIES) + math.ceil(z / METRIC_QUERIES) for n, z in pairs
        ),
    }
    # Lambda@Edge: one ListDistributions pass per account whose us-east-1 holds functions (the seed
    # associates none with CloudFront, so no replica metrics are read).
    home = [n for (a, r), (n, _) in zip(pairs_of(manifest), pairs, strict=True) if r == "us-east-1" and n]
    if home:
        out["cloudfront:ListDistributions"] = len(home)
    if accounts > 1:
        out["organizations:ListAccounts"] = math.ceil(accounts / ORG_PAGE)
        out["sts:AssumeRole"] = accounts - 1
    return out


def check_list_inactive(result: Measured, manifest: dict[str, Any], report_path: Path) -> None:
    data = json.loads(report_path.read_text(encoding="utf-8"))
    rows = data["functions"]
    reported = sorted(r["arn"] for r in rows if r["status"] == "inactive")
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    result.checks = {
        "rows": len(rows),
        "statuses": dict(sorted(statuses.items())),
        "errors": len(data["errors"]),
        "inactive_matches_seed": reported == manifest["inactive"],
        "accounts_match_seed": data["scope"]["accounts"] == sorted(manifest["accounts"]),
    }
    missing = set(manifest["inactive"]) - set(reported)
    extra = set(reported) - set(manifest["inactive"])
    if missing or extra or len(rows) != manifest["functions"] or data["errors"]:
        raise SystemExit(
            f"WRONG ANSWER: {len(missing)} seeded inactive not reported, {len(extra)} reported "
            f"wrongly, {len(rows)} rows for {manifest['functions']} functions, errors {data['errors'][:3]}"
        )


# Calls `cost` may make: listing and batched metrics, a few per region whatever the function count.
COST_BATCHED = frozenset(
    {
        "lambda:ListFunctions",
        "cloudwatch:GetMetricData",
        "sts:GetCallerIdentity",
        "ec2:DescribeRegions",
        "organizations:ListAccounts",
        "sts:AssumeRole",
        "compute-optimizer:GetLambdaFunctionRecommendations",  # one paginated read per region
        # Lambda@Edge (the activity lambda-provisioned-inactive judges by): one per account whose
        # us-east-1 holds functions; replica metrics are GetMetricData, only for associated functions
        "cloudfront:ListDistributions",
    }
)


def check_cost(result: Measured, manifest: dict[str, Any], report_path: Path) -> None:
    """Every seeded function is in the report (priced, or unread with an error), and every call but
    the batched ones is counted as per-function: there must be none (the benchmark publishes no
    version, so no function can have provisioned concurrency to look up)."""
    data = json.loads(report_path.read_text(encoding="utf-8"))
    section = data["cost"]
    per_function = {op: n for op, n in sorted(result.calls.items()) if op not in COST_BATCHED}
    result.checks = {
        "functions_reported": len(section["functions"]) + len(section["unread"]),
        "errors": len(data["errors"]),
        "per_function_calls": per_function,
        "cost_monthly_usd": sum(a["cost_monthly"] for a in section["accounts"]),
    }
    if result.checks["functions_reported"] != manifest["functions"] or data["errors"] or per_function:
        raise SystemExit(f"WRONG ANSWER: cost {result.checks}, errors {data['errors'][:3]}")


def quota_bound(admitted: dict[tuple[str, str, str], int]) -> dict[str, Any]:
    """The least wall time AWS's rate quotas allow for these calls: per (account, region, bucket),
    calls / rate; buckets drain in parallel, so the slowest one bounds the run."""
    from lambdaops.collect.quotas import quota_for

    per_bucket: dict[tuple[str, str, str], float] = {}
    calls: dict[str, int] = {}
    for (key, region, op), n in admitted.items():
        service, _, operation = op.partition(":")
        quota = quota_for(service, operation)
        if quota is None:
            continue
        scope = (key, region, quota.bucket)
        per_bucket[scope] = per_bucket.get(scope, 0.0) + n / quota.rate
        calls[quota.bucket] = calls.get(quota.bucket, 0) + n
    if not per_bucket:
        return {"seconds": 0.0, "bucket": None, "calls_per_bucket": {}}
    slowest = max(per_bucket, key=lambda k: per_bucket[k])
    return {
        "seconds": round(per_bucket[slowest], 2),
        "bucket": f"{slowest[2]} in {slowest[1]}",
        "calls_per_bucket": dict(sorted(calls.items())),
    }


def comparable(report: Path) -> dict[str, Any]:
    data = json.loads(report.read_text(encoding="utf-8"))
    data.pop("generated_at", None)
    return dict(data)


def lambdaops_command(args: argparse.Namespace, manifest: dict[str, Any], report: Path) -> list[str]:
    command = [sys.executable, "-m", "lambdaops", args.command]
    if args.command == "list-inactive":
        command += ["--days", str(manifest["days"]), "--show", "all"]
    else:
        command += ["--days", str(manifest["days"])]
    for region in manifest["regions"]:
        command += ["--region", region]
    if len(manifest["accounts"]) > 1:
        command += ["--org", "--role-name", ORG_ROLE]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.max_rps:
        command += ["--max-rps", args.max_rps]
    return [*command, "--output", "json", "--output-file", str(report), "--no-progress"]


def run(args: argparse.Namespace) -> dict[str, Any]:
    from lambdaops.demo.server import running_server
    from tests.support.aws_proxy import AwsProxy

    regions = list(REGIONS[: args.regions])
    results: dict[str, Any] = {
        "parameters": {
            "functions": args.functions,
            "regions": regions,
            "accounts": args.accounts,
            "days": args.days,
            "latency_ms": args.latency_ms,
            "new_conn_ms": args.new_conn_ms,
            "command": args.command,
            "workers": args.workers or "default",
            "max_rps": args.max_rps or "default",
            "quotas": args.quotas,
            "warm": args.warm,
            "replay": args.replay,
        },
        "machine": machine(),
    }
    with tempfile.TemporaryDirectory(prefix="lambdaops-bench-") as tmp:
        work = Path(tmp)
        manifest_path = work / "manifest.json"
        server_env = {
            "BENCH_FUNCTIONS": str(args.functions),
            "BENCH_REGIONS": ",".join(regions),
            "BENCH_ACCOUNTS": str(args.accounts),
            "BENCH_DAYS": str(args.days),
            "BENCH_MANIFEST": str(manifest_path),
            "PYTHONPATH": str(ROOT),
        }
        seed_start = time.perf_counter()
        with running_server(env=server_env, seed="benchmarks.seed:seed_from_env", start_timeout=1800) as url:
            results["seed_s"] = round(time.perf_counter() - seed_start, 1)
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            results["seeded"] = {"states": manifest["states"], "inactive": len(manifest["inactive"])}
            with AwsProxy(
                url, latency_ms=args.latency_ms, new_conn_ms=args.new_conn_ms, replay=args.replay
            ) as proxy:
                env = child_env(proxy.url, regions[0])
                report = work / "report.json"
                command = lambdaops_command(args, manifest, report)
                reference: dict[str, Any] | None = None
                if (args.quotas or args.warm) and not args.no_reference:
                    measured = measure("reference", [*command, "--no-cache"], env, work, proxy)
                    if measured.exit_code not in (0, 3):
                        raise SystemExit(f"reference exited {measured.exit_code}:\n{measured.stderr[-3000:]}")
                    reference = comparable(report)
                    results["reference"] = summary(measured, [measured.wall_s])
                if args.quotas == "aws":
                    from tests.support.aws_proxy import QuotaBuckets

                    proxy.quotas = QuotaBuckets()
                runs = []
                warm_runs = []
                for attempt in range(args.repeat):
                    cache = ["--cache-dir", str(work / f"cache-{attempt}")]
                    passes = [("lambdaops", runs)] + ([("warm", warm_runs)] if args.warm else [])
                    for label, into in passes:
                        measured = measure(f"{label}-{attempt}", [*command, *cache], env, work, proxy)
                        if measured.exit_code not in (0, 3):
                            raise SystemExit(
                                f"lambdaops exited {measured.exit_code}:\n{measured.stderr[-3000:]}"
                            )
                        if args.command == "list-inactive":
                            check_list_inactive(measured, manifest, report)
                        if args.command == "cost":
                            check_cost(measured, manifest, report)
                        if reference is not None:
                            measured.checks["report_equals_reference"] = comparable(report) == reference
                            if not measured.checks["report_equals_reference"]:
                                raise SystemExit(
                                    f"WRONG ANSWER: the {label} report differs from the reference"
                                )
                        into.append(measured)
                best = min(runs, key=lambda m: m.wall_s)
                results["lambdaops"] = summary(best, [m.wall_s for m in runs])
                if warm_runs:
                    warm_best = min(warm_runs, key=lambda m: m.wall_s)
                    results["warm"] = summary(warm_best, [m.wall_s for m in warm_runs])
                if args.command == "list-inactive":
                    results["minimum_calls"] = minimum_calls(manifest)
                    total_min = sum(results["minimum_calls"].values())
                    results["calls_over_minimum"] = round(best.total_calls / total_min, 3)
                if args.baseline:
                    for label, extra in (("baseline", []), ("baseline-reuse-client", ["--reuse-client"])):
                        if label == "baseline-reuse-client" and not args.baseline_reuse:
                            continue
                        command = [
                            sys.executable,
                            "-m",
                            "benchmarks.baseline",
                            "--regions",
                            ",".join(regions),
                            *extra,
                        ]
                        measured = measure(label, command, env, work, proxy)
                        if measured.exit_code != 0:
                            tail = measured.stderr[-3000:]
                            raise SystemExit(f"{label} exited {measured.exit_code}:\n{tail}")
                        results[label] = summary(measured, [measured.wall_s])
                        results[label]["speed_up"] = round(measured.wall_s / best.wall_s, 1)
    return results


def summary(m: Measured, walls: Sequence[float]) -> dict[str, Any]:
    return {
        "wall_s": round(m.wall_s, 2),
        "wall_s_runs": [round(w, 2) for w in walls],
        "peak_rss_mb": round(m.peak_rss_mb, 1),
        "exit_code": m.exit_code,
        "calls": m.calls,
        "total_calls": m.total_calls,
        "connections": m.connections,
        "replayed": m.replayed,
        **({"checks": m.checks} if m.checks else {}),
        "throttled": m.throttled,
        "throttled_share": round(sum(m.throttled.values()) / max(1, m.total_calls), 4),
        "quota_bound": quota_bound(m.admitted),
        "over_quota_bound": round(m.wall_s / max(0.01, quota_bound(m.admitted)["seconds"]), 2),
    }


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def print_human(results: dict[str, Any]) -> None:
    p = results["parameters"]
    print(
        f"{p['command']}: {p['functions']} functions, {len(p['regions'])} regions, "
        f"{p['accounts']} account(s); latency {p['latency_ms']} ms + {p['new_conn_ms']} ms per new "
        f"connection; seeded in {results['seed_s']} s"
    )
    lam = results["lambdaops"]
    for label in ("reference", "lambdaops", "warm"):
        if label not in results:
            continue
        run = results[label]
        print(
            f"  {label}: {run['wall_s']} s (runs {run['wall_s_runs']}), peak RSS {run['peak_rss_mb']} MB, "
            f"{run['total_calls']} calls ({run['replayed']} replayed), {run['connections']} connections, "
            f"exit {run['exit_code']}; "
            f"throttled {sum(run['throttled'].values())} ({run['throttled_share']:.2%}); quota-bound "
            f"minimum {run['quota_bound']['seconds']} s ({run['quota_bound']['bucket']}), "
            f"ratio {run['over_quota_bound']}"
        )
        print(f"    calls per bucket: {run['quota_bound']['calls_per_bucket']}")
    minimum = results.get("minimum_calls", {})
    for op, n in lam["calls"].items():
        floor = f" (minimum {minimum[op]})" if op in minimum else ""
        print(f"    {op}: {n}{floor}")
    if "calls_over_minimum" in results:
        print(f"  calls / minimum: {results['calls_over_minimum']}")
    if lam.get("checks"):
        print(f"  correctness: {lam['checks']}")
    for label in ("baseline", "baseline-reuse-client"):
        if label in results:
            b = results[label]
            print(
                f"  {label}: {b['wall_s']} s, {b['total_calls']} calls, {b['connections']} connections, "
                f"peak RSS {b['peak_rss_mb']} MB; lambdaops is {b['speed_up']}x faster"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=2000)
    parser.add_argument("--regions", type=int, default=3, help=f"how many of {', '.join(REGIONS)}")
    parser.add_argument("--accounts", type=int, default=1, help="more than 1: an organization")
    parser.add_argument("--days", type=int, default=30, help="idle window")
    parser.add_argument("--command", choices=("list-inactive", "scan", "cost"), default="list-inactive")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--new-conn-ms", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=0, help="lambdaops --workers (default: its own)")
    parser.add_argument(
        "--max-rps", default="", help="lambdaops --max-rps (off: to measure the pacing's own cost)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="lambdaops runs; the fastest is reported")
    parser.add_argument("--baseline", action="store_true", help="also time one call per function")
    parser.add_argument(
        "--baseline-reuse",
        action="store_true",
        help="with --baseline: also the one-client-per-region variant",
    )
    parser.add_argument("--quotas", choices=("aws",), default=None, help="enforce AWS's API rate quotas")
    parser.add_argument("--warm", action="store_true", help="rerun each scan with the cache it left")
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the run without quotas (no report comparison)"
    )
    parser.add_argument(
        "--replay", action="store_true", help="serve reads seen before from the proxy (needs the reference)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    if args.replay and (args.no_reference or not (args.quotas or args.warm)):
        parser.error("--replay needs the reference run: --quotas or --warm, without --no-reference")
    if not 1 <= args.regions <= len(REGIONS):
        parser.error(f"--regions must be from 1 to {len(REGIONS)}")
    results = run(args)
    print_human(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
