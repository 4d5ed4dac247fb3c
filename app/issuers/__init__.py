"""Colleges that issue credentials: registration, keys, API keys and tenancy."""
