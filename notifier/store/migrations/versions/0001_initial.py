"""Initial schema: accounts, inventory, runs, the notice ledger, deliveries, health events,
suppressions.

Revision ID: 0001
Revises:
Create Date: 2026-08-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_STATUS_SQL = "status IN ('pending', 'sending', 'failed')"


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(), nullable=nullable)


def upgrade() -> None:
    _accounts_and_inventory()
    _ledger()
    _health()
    op.create_table(
        "suppression",
        sa.Column("address", sa.String(), primary_key=True),
        _text("reason"),
        _when("created_at"),
    )


def _accounts_and_inventory() -> None:
    op.create_table(
        "account",
        sa.Column("account_id", sa.String(length=12), primary_key=True),
        _text("name"),
        _text("primary_email"),
        _text("operations_email", nullable=True),
        _text("security_email", nullable=True),
        _text("billing_email", nullable=True),
        _when("updated_at"),
    )
    op.create_table(
        "function",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("account_id"),
        _text("region"),
        _text("name"),
        _text("runtime", nullable=True),
        _text("arn"),
        _text("package_type"),
        _text("last_modified", nullable=True),
    )
    op.create_index("ix_function_account_id_runtime", "function", ["account_id", "runtime"])


def _ledger() -> None:
    op.create_table(
        "run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        _when("started_at"),
        _when("finished_at", nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
    )
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        _text("account_id"),
        _text("account_name"),
        _text("runtime"),
        _text("phase"),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("milestone_date", sa.Date(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id"), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("functions", sa.Text(), nullable=False),
        _text("successor", nullable=True),
        _text("message_id"),
        _text("subject"),
        _when("created_at"),
        sa.UniqueConstraint("account_id", "runtime", "phase", "days_before", name="uq_notice_key"),
    )
    _deliveries()


def _deliveries() -> None:
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("notice_id", sa.Integer(), sa.ForeignKey("notice.id"), nullable=False),
        _text("channel"),
        _text("status"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("permanent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _text("provider_id", nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.UniqueConstraint("notice_id", "channel", name="uq_delivery_notice_channel"),
    )
    op.create_index(
        "ix_delivery_open",
        "delivery",
        ["id"],
        sqlite_where=sa.text(OPEN_STATUS_SQL),
        postgresql_where=sa.text(OPEN_STATUS_SQL),
    )


def _health() -> None:
    op.create_table(
        "health_event",
        sa.Column("arn", sa.String(), primary_key=True),
        *(_text(name) for name in ("account_id", "region", "runtime", "service")),
        *(_text(name) for name in ("event_type_code", "event_type_category")),
        _text("event_scope_code"),
        _when("start_time", nullable=True),
        _when("end_time", nullable=True),
        _when("last_updated_time"),
        _text("status_code"),
        _text("actionability"),
        *(sa.Column(name, sa.Text(), nullable=False) for name in ("personas", "description")),
        sa.Column("metadata", sa.Text(), nullable=False),
    )
    op.create_index("ix_health_event_account_id", "health_event", ["account_id"])
    op.create_table(
        "affected_entity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_arn", sa.String(), sa.ForeignKey("health_event.arn"), nullable=False),
        _text("entity_value"),
        _text("status"),
        _when("last_updated_time"),
        sa.UniqueConstraint("event_arn", "entity_value", name="uq_affected_entity_event_value"),
    )


def downgrade() -> None:
    for table in ("affected_entity", "health_event", "delivery", "notice", "run"):
        op.drop_table(table)
    for table in ("function", "account", "suppression"):
        op.drop_table(table)
