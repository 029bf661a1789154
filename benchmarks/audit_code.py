"""Benchmark `lambdaops audit-code`: many functions sharing few packages are few downloads.

    python -m benchmarks.audit_code --functions 2000 --packages 200

A moto server (lambdaops' shims installed, so GetFunction's and GetLayerVersion's locations serve
the real packages) is seeded with `--functions` functions in one region, function i deployed with
package i % `--packages` (each a real Python package: dist-info of requests, urllib3 and boto3, and
a module of its own, about 60 KB zipped). Then `lambdaops audit-code` runs as a subprocess against
it, matching with the bundled OSV export, first with an empty package cache (cold), then again
with the cache the first run left (warm). Reported per run: wall time, the lambdaops process's peak
RSS (os.wait4's rusage of that child), and the report's own figures (function versions read,
downloads, cache hits, findings).

Not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REGION = "eu-west-1"
ASSUME = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def package(i: int) -> bytes:
    from lambdaops.demo import code_packages as cp

    files: dict[str, bytes | str] = {"handler.py": f"def handler(e, c):\n    return {i}\n"}
    for name, version in (("requests", "2.19.0"), ("urllib3", "1.26.4"), ("boto3", "1.28.0")):
        files.update(cp.dist_info(name, version))
    files[f"app_{i}/core.py"] = cp.filler(f"app-{i}", 50_000)
    return cp.build_zip(files)


def seed(url: str, functions: int, packages: int) -> float:
    import boto3

    started = time.monotonic()
    kw: dict[str, Any] = {
        "endpoint_url": url,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    iam = boto3.client("iam", **kw)
    role = iam.create_role(RoleName="bench-role", AssumeRolePolicyDocument=json.dumps(ASSUME))["Role"]["Arn"]
    lam = boto3.client("lambda", **kw)
    zips = [package(i) for i in range(packages)]
    for i in range(functions):
        lam.create_function(
            FunctionName=f"fn-{i:05d}",
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": zips[i % packages]},
        )
    return time.monotonic() - started


def run_lambdaops(url: str, cache_dir: Path, workers: int) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(
        {
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "PYTHONPATH": str(ROOT),
        }
    )
    osv = ROOT / "lambdaops" / "demo" / "data" / "osv"
    command = [
        sys.executable, "-m", "lambdaops", "audit-code", "--region", REGION, "--osv-db", str(osv),
        "-o", "json", "--no-progress", "--cache-dir", str(cache_dir), "--workers", str(workers),
    ]  # fmt: skip
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    report = json.loads(stdout) if stdout.strip() else {}
    return {
        "exit_code": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "code": report.get("code"),
        "findings": len(report.get("findings", [])),
        "errors": len(report.get("errors", [])),
        "stderr": stderr[-500:] if not report else "",
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=2000)
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    from lambdaops.demo.server import running_server

    with running_server(start_timeout=120) as url, tempfile.TemporaryDirectory() as cache:
        seeded = seed(url, args.functions, args.packages)
        cold = run_lambdaops(url, Path(cache), args.workers)
        warm = run_lambdaops(url, Path(cache), args.workers)
    print(
        json.dumps(
            {
                "functions": args.functions,
                "packages": args.packages,
                "seed_s": round(seeded, 1),
                "cold": cold,
                "warm": warm,
                "cpus": os.cpu_count(),
                "load_avg": os.getloadavg(),
            },
            indent=2,
        )
    )
    ok = cold["code"] and cold["code"]["downloads"] == args.packages and warm["code"]["downloads"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
