"""IAM policy analysis as a pure library: parse, match actions and resources, judge statements.

Nothing here talks to AWS; the checks feed it documents from the inventory.
"""
