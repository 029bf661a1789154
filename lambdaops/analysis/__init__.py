"""Pure derived facts, computed once per inventory: what checks select from (docs/architecture.md)."""
