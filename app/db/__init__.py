"""Persistence: SQLAlchemy 2 models, engine and sessions (SQLite embedded, PostgreSQL for larger deployments)."""
