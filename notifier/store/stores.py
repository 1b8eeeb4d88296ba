"""SqlStores: one of each store role, on one SQLite or PostgreSQL database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from notifier.store import schema
from notifier.store.accounts import SqlAccounts
from notifier.store.deliveries import SqlDeliveries
from notifier.store.engine import make_engine
from notifier.store.health import SqlHealthEvents
from notifier.store.inventory import SqlInventory
from notifier.store.ledger import SqlLedger
from notifier.store.lifecycle import SqlHealthUpkeep
from notifier.store.lock import SqlRunLock
from notifier.store.pace import SqlPace
from notifier.store.publication import SqlPublications
from notifier.store.suppression import SqlSuppressions


@dataclass(frozen=True)
class SqlStores:
    """The store's roles on `engine` (the service's `Stores`)."""

    engine: Engine
    accounts: SqlAccounts
    inventory: SqlInventory
    ledger: SqlLedger
    deliveries: SqlDeliveries
    suppressions: SqlSuppressions
    health: SqlHealthEvents
    upkeep: SqlHealthUpkeep
    publications: SqlPublications
    lock: SqlRunLock
    pace: SqlPace

    @classmethod
    def on(cls, engine: Engine) -> SqlStores:
        return cls(
            engine,
            accounts=SqlAccounts(engine),
            inventory=SqlInventory(engine),
            ledger=SqlLedger(engine),
            deliveries=SqlDeliveries(engine),
            suppressions=SqlSuppressions(engine),
            health=SqlHealthEvents(engine),
            upkeep=SqlHealthUpkeep(engine),
            publications=SqlPublications(engine),
            lock=SqlRunLock(engine),
            pace=SqlPace(engine),
        )

    @classmethod
    def open(cls, url: str, upgrade: bool = True) -> SqlStores:
        """The roles on `url`, its schema brought up to date unless `upgrade` is False."""
        engine = make_engine(url)
        if upgrade:
            schema.upgrade(engine)
        return cls.on(engine)

    def close(self) -> None:
        self.engine.dispose()
