"""The services one app (or one CLI command) works with, opened on a data directory."""

from __future__ import annotations

from dataclasses import dataclass, field

from plateledger.access import Access, Clock, SystemClock
from plateledger.access.recorder import Recorder
from plateledger.api.metrics import Metrics
from plateledger.audit import AuditLedger
from plateledger.config import Settings
from plateledger.images import ImageStore
from plateledger.ingest import Ingestor
from plateledger.ingest.bindings import IngestBindings
from plateledger.ingest.deadletters import DeadLetterStore
from plateledger.ingest.records import IngestRecords
from plateledger.policy import Approvals, PolicyBook, PolicyGate
from plateledger.store.contract import ReadStore


@dataclass
class Services:
    settings: Settings
    store: ReadStore
    access: Access
    ledger: AuditLedger
    metrics: Metrics = field(default_factory=Metrics)

    def __post_init__(self) -> None:
        clock = self.access.clock
        self.policies = PolicyBook(self.access.db, clock, self.ledger, self.settings.default_lookback_days)
        self.approvals = Approvals(self.access.db, clock, self.ledger, self.settings.approval_lifetime_seconds)
        self.gate = PolicyGate(
            self.store, self.policies, self.approvals, self.ledger, clock, on_search=self.metrics.observe_search
        )
        self._open_ingest()
        self._open_alerting()

    def _open_alerting(self) -> None:
        """DIR/hotlists.db: hot lists, alerts, deliveries (docs/alerts.md). Every committed ingest batch is
        matched against the hot lists through the ingestor's hook."""
        from plateledger.alerts import Alerting
        from plateledger.alerts.engine import image_refs

        self.alerting = Alerting(
            self.settings, self.store, self.ledger, self.access.clock, images=image_refs(self.images)
        )
        self.ingestor.hotlist_hook = self.alerting.hook

    def _open_ingest(self) -> None:
        """DIR/ingest.db (extras, liveness, key bindings), DIR/deadletters.db and DIR/images/. The hot-list
        engineer plugs in with `services.ingestor.hotlist_hook = ...` (a no-op until then)."""
        from plateledger.api.ingest_senders import IngestSenders

        settings = self.settings
        self.images = ImageStore(settings.images_path)
        self.bindings = IngestBindings(settings.ingest_path)
        self.ingestor = Ingestor(
            self.store,
            images=self.images,
            records=IngestRecords(settings.ingest_path),
            deadletters=DeadLetterStore(settings.deadletters_path),
            group_commit=settings.ingest_group_commit,
        )
        self.senders = IngestSenders(self.store, self.bindings, self.ledger)

    @property
    def clock(self) -> Clock:
        return self.access.clock

    @property
    def recorder(self) -> Recorder:
        return self.ledger

    def close(self) -> None:
        # The ingestor first: its queued commits end in the hot-list hook, which needs alerting open.
        self.ingestor.close()
        self.alerting.close()
        self.bindings.close()
        self.access.close()
        self.ledger.close()
        self.store.close()


def open_services(settings: Settings, clock: Clock | None = None, store: ReadStore | None = None) -> Services:
    """Open the read store (unless one is given), DIR/access.db and DIR/audit.db in the data directory."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    clock = clock or SystemClock()
    ledger = AuditLedger(settings.audit_path, clock=clock.now_ms)
    access = Access.open(settings.access_path, settings, ledger, clock)
    if store is None:
        store = open_read_store(settings)
    return Services(settings, store, access, ledger)


def open_read_store(settings: Settings) -> ReadStore:
    """PostgreSQL when a connection string is set (a server for many users and processes), else SQLite."""
    if settings.reads_dsn:
        from plateledger.store.postgres import PostgresReadStore

        return PostgresReadStore(settings.reads_dsn, schema=settings.reads_schema)
    from plateledger.store.sqlite import SqliteReadStore

    return SqliteReadStore(settings.reads_path)
