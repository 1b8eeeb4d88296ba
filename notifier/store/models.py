"""The tables. SQLModel table models live here and only here; nothing subclasses them.

JSON values (recipients, functions, summaries, personas, metadata) are stored as JSON text.
Datetimes are timezone-aware UTC (SQLModel's UTCDateTime); dates are plain dates.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

# The statuses a delivery may still leave. Kept literal (not bound) so SQLite can match queries
# against the partial index built on the same text.
OPEN_STATUSES = ("pending", "sending", "failed")
OPEN_STATUS_SQL = "status IN ('pending', 'sending', 'failed')"


class AccountRow(SQLModel, table=True):
    __tablename__ = "account"

    account_id: str = Field(primary_key=True, max_length=12)
    name: str
    primary_email: str
    operations_email: str | None = None
    security_email: str | None = None
    billing_email: str | None = None
    updated_at: datetime


class FunctionRow(SQLModel, table=True):
    """One function of the inventory; written in bulk by raw DBAPI calls, not the ORM.

    One index only: (account_id, runtime) also serves every lookup by account_id, and each
    extra index costs about a quarter of the import speed.
    """

    __tablename__ = "function"
    __table_args__ = (Index("ix_function_account_id_runtime", "account_id", "runtime"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: str
    region: str
    name: str
    runtime: str | None = None
    arn: str
    package_type: str
    last_modified: str | None = None


class RunRow(SQLModel, table=True):
    __tablename__ = "run"

    id: int | None = Field(default=None, primary_key=True)
    as_of: date
    started_at: datetime
    finished_at: datetime | None = None
    summary: str = Field(default="{}", sa_type=Text)


class NoticeRow(SQLModel, table=True):
    """The ledger: one row per (account, runtime, phase, days before), ever."""

    __tablename__ = "notice"
    __table_args__ = (
        UniqueConstraint("account_id", "runtime", "phase", "days_before", name="uq_notice_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: str
    account_name: str
    runtime: str
    phase: str
    days_before: int
    milestone_date: date
    as_of: date
    run_id: int = Field(foreign_key="run.id")
    recipients: str = Field(sa_type=Text)
    functions: str = Field(sa_type=Text)
    successor: str | None = None
    message_id: str
    subject: str
    created_at: datetime


class DeliveryRow(SQLModel, table=True):
    """One channel's delivery of a notice: pending, sending, delivered or failed.

    A `sending` row is claimed: `owner` names the process that holds it and `lease_until` when
    another may take it over. `unknown_outcomes` counts the times it was handed over and its
    outcome lost (a kill, a database that could not record it). `refused` is JSON: the
    recipients the provider refused while it took the message for others."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("notice_id", "channel", name="uq_delivery_notice_channel"),
        Index(
            "ix_delivery_open",
            "id",
            sqlite_where=text(OPEN_STATUS_SQL),
            postgresql_where=text(OPEN_STATUS_SQL),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id")
    channel: str
    status: str
    attempts: int = 0
    permanent: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    last_error: str | None = Field(default=None, sa_type=Text)
    provider_id: str | None = None
    created_at: datetime
    updated_at: datetime
    owner: str | None = None
    lease_until: datetime | None = None
    unknown_outcomes: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    refused: str | None = Field(default=None, sa_type=Text)


class HealthEventRow(SQLModel, table=True):
    __tablename__ = "health_event"

    arn: str = Field(primary_key=True)
    account_id: str = Field(index=True)
    region: str
    runtime: str
    service: str
    event_type_code: str
    event_type_category: str
    event_scope_code: str
    start_time: datetime | None = None
    end_time: datetime | None = None
    last_updated_time: datetime
    status_code: str
    actionability: str
    personas: str = Field(sa_type=Text)
    description: str = Field(sa_type=Text)
    # `metadata` is SQLModel's own attribute, so the column gets a different attribute name.
    event_metadata: str = Field(sa_column=Column("metadata", Text, nullable=False))


class AffectedEntityRow(SQLModel, table=True):
    __tablename__ = "affected_entity"
    __table_args__ = (
        UniqueConstraint("event_arn", "entity_value", name="uq_affected_entity_event_value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_arn: str = Field(foreign_key="health_event.arn")
    entity_value: str
    status: str
    last_updated_time: datetime


class SuppressionRow(SQLModel, table=True):
    """An address never to write to again (bounces, complaints); lower-cased."""

    __tablename__ = "suppression"

    address: str = Field(primary_key=True)
    reason: str
    created_at: datetime


class HealthPublicationRow(SQLModel, table=True):
    """The version (lastUpdatedTime) of each event a publishing channel last posted."""

    __tablename__ = "health_publication"

    event_arn: str = Field(primary_key=True)
    channel: str = Field(primary_key=True)
    last_updated_time: datetime


class StateRow(SQLModel, table=True):
    """Named counters and markers: the generation of the health burndown's inputs (bumped by
    every write to them) and what the last burndown saw (so an unchanged day can skip it)."""

    __tablename__ = "store_state"

    name: str = Field(primary_key=True)
    generation: int = 0
    value: str | None = Field(default=None, sa_type=Text)


class PaceRow(SQLModel, table=True):
    """Each channel's shared send budget (core.pace.Bucket): instants in wall seconds."""

    __tablename__ = "pace"

    channel: str = Field(primary_key=True)
    base: float
    rate: float
    next_at: float
    changed_at: float
