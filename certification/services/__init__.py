"""Writes of certification, one module per concern (ledger, …)."""
