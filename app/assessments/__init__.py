"""Learners and their assessed results: the facts micro-credentials are derived from (one by one or by cohort)."""
