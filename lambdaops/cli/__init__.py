"""The command line: the only layer that knows Typer. Heavy imports (boto3, moto) stay inside commands."""
