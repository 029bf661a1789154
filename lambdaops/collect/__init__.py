"""The collect layer: the only code that talks to AWS.

Clients are built once per (account, region, service) by `AwsContext`, with botocore's standard
retry mode, bounded attempts and connect/read timeouts; work fans out over (account, region) pairs
through a bounded pool (`fanout.run_all`); a refused call becomes an `ErrorRecord`, never an empty
result (`guard.record_errors`).
"""
