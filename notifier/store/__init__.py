"""Persistence: SQLModel tables, Alembic migrations, the ledger."""
