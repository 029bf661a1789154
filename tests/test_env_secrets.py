"""The environment-variable secret detector (lambdaops/env_secrets.py): detect-secrets' detectors on
each value, references to secrets left alone, and only names and detector types kept."""

from __future__ import annotations

import logging

import pytest

from lambdaops.collect.awslambda import function_from_api
from lambdaops.env_secrets import EnvSecret, is_reference, scan_environment

SECRETS = {
    "STRIPE_SECRET_KEY": ("sk_live_51DemoSecretDoNotPrint0000000000", "Stripe Access Key"),
    "AWS_KEY": ("AKIADEMOSECRETKEY0001", "AWS Access Key"),
    "DB_PASSWORD": ("demo-db-password-Zx9!q", "Secret Keyword"),
    "GITHUB": ("ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "GitHub Token"),
    "DATABASE_URL": ("postgres://admin:Sup3rS3cret@db.example.com:5432/app", "Basic Auth Credentials"),
    "SIGNING": ("-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----", "Private Key"),
    "OPAQUE": ("q8Zr3kL0pW9vX2mN7bT4yH6jF1sD5gA0", "Base64 High Entropy String"),
}
NOT_SECRETS = {
    "DB_PASSWORD": "{{resolve:ssm-secure:/prod/db/password:3}}",
    "API_KEY": "{{resolve:secretsmanager:prod/api:SecretString:key}}",
    "STRIPE_SECRET": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/stripe-AbCdEf",
    "TOKEN_PARAM": "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/token",
    "PASSWORD": "ssm:/prod/db/password",
    "SECRET_NAME": "prod/db",  # the name of a secret (reference suffix), not the secret
    "DB_SECRET_ARN": "prod-db",
    "SECRETS_EXTENSION": "/aws/reference/secretsmanager/prod/db",
    "LOG_LEVEL": "debug",
    "TABLE": "employees-prod",
    "ENDPOINT": "https://api.example.com/v1",
    "GIT_SHA": "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3",  # hex: a commit, not a key
    "REQUEST_ID": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "TOKEN_TTL": "3600",
    "EMPTY_PASSWORD": "",
}


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_each_kind_of_secret_is_found(name: str) -> None:
    value, detector = SECRETS[name]
    found = scan_environment({name: value})
    assert EnvSecret(name, detector) in found
    assert all(value not in repr(s) and value[:6] not in repr(s) for s in found)


@pytest.mark.parametrize("name", sorted(NOT_SECRETS))
def test_references_and_ordinary_values_are_not_secrets(name: str) -> None:
    assert scan_environment({name: NOT_SECRETS[name]}) == ()


def test_reference_forms() -> None:
    assert is_reference("{{resolve:ssm:/a/b}}")
    assert is_reference(" arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x-AbCdEf ")
    assert not is_reference("hunter2")


def test_function_from_api_keeps_names_and_detectors_never_values(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    value = SECRETS["STRIPE_SECRET_KEY"][0]
    item = {
        "FunctionName": "f",
        "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:f",
        "LastModified": "2026-11-27T12:00:00.000+0000",
        "Environment": {"Variables": {"STRIPE_SECRET_KEY": value, "LOG_LEVEL": "info"}},
        "Timeout": 30,
        "TracingConfig": {"Mode": "Active"},
        "KMSKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/k",
        "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:eu-west-1:123456789012:dlq"},
        "VpcConfig": {"SubnetIds": ["subnet-b", "subnet-a"], "SecurityGroupIds": ["sg-1"]},
    }
    fn = function_from_api(item, "123456789012", "eu-west-1")
    assert {s.variable for s in fn.env_secrets or ()} == {"STRIPE_SECRET_KEY"}
    assert value not in repr(fn) and value not in caplog.text
    assert (fn.timeout_s, fn.tracing_mode, fn.subnet_ids) == (30, "Active", ("subnet-a", "subnet-b"))
    assert fn.kms_key_arn.endswith("key/k") and fn.dead_letter_arn.endswith(":dlq")  # type: ignore[union-attr]
    absent = dict.fromkeys(("Environment", "TracingConfig", "KMSKeyArn", "DeadLetterConfig", "VpcConfig"))
    bare = function_from_api({**item, **absent}, "123456789012", "eu-west-1")
    assert (bare.env_secrets, bare.tracing_mode, bare.kms_key_arn, bare.dead_letter_arn, bare.subnet_ids) == (
        (),
        "PassThrough",
        "",
        "",
        (),
    )


def test_a_detector_that_raises_never_carries_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from lambdaops import env_secrets

    class Broken:
        secret_type = "Broken"

        def analyze_string(self, text: str) -> list[str]:
            raise RuntimeError(f"bug on {text}")

    monkeypatch.setattr(env_secrets, "_plugins", [Broken(), *env_secrets._load_plugins()])
    found = scan_environment({"AWS_KEY": SECRETS["AWS_KEY"][0]})  # no exception escapes
    assert EnvSecret("AWS_KEY", "AWS Access Key") in found
