"""Verifying credentials: each check with an outcome and a reason a person can read."""
