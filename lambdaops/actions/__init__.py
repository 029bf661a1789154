"""Writes to AWS: each module plans (pure) and applies (given clients) one kind of change."""
