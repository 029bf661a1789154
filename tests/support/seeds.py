"""Seeding functions for ``python -m lambdaops.demo.server --seed tests.support.seeds:NAME``.

The server points ``AWS_ENDPOINT_URL`` at itself while a seed runs, so plain boto3 clients fill it.
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3

ACCOUNT_ID = "123456789012"
SEEDED_FUNCTION = "seeded-fn"


def zipped_handler() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def one_function() -> None:
    """One role and one function, ``seeded-fn`` in us-east-1, reserved at 5."""
    assume = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = boto3.client("iam", region_name="us-east-1").create_role(
        RoleName="seeded-role", AssumeRolePolicyDocument=json.dumps(assume)
    )["Role"]["Arn"]
    client = boto3.client("lambda", region_name="us-east-1")
    client.create_function(
        FunctionName=SEEDED_FUNCTION,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": zipped_handler()},
    )
    client.put_function_concurrency(FunctionName=SEEDED_FUNCTION, ReservedConcurrentExecutions=5)
