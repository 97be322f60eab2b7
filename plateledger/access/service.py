"""The access services together, opened on one database: users, sessions and API keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from plateledger.access.apikeys import ApiKeys
from plateledger.access.clock import Clock, SystemClock
from plateledger.access.db import AccessDatabase
from plateledger.access.passwords import Passwords
from plateledger.access.principal import Principal
from plateledger.access.recorder import Recorder
from plateledger.access.sessions import Sessions
from plateledger.access.tokens import API_KEY_PREFIX
from plateledger.access.users import Users
from plateledger.config import Settings


@dataclass
class Access:
    db: AccessDatabase
    settings: Settings
    ledger: Recorder
    clock: Clock = field(default_factory=SystemClock)

    def __post_init__(self) -> None:
        self.passwords = Passwords(self.settings)
        self.users = Users(self.db, self.passwords, self.settings, self.clock, self.ledger)
        self.sessions = Sessions(self.db, self.settings, self.clock, self.ledger)
        self.api_keys = ApiKeys(self.db, self.clock, self.ledger)

    @classmethod
    def open(cls, path: str | Path, settings: Settings, ledger: Recorder, clock: Clock | None = None) -> Access:
        return cls(AccessDatabase(path), settings, ledger, clock or SystemClock())

    def authenticate(self, token: str) -> Principal:
        """The principal behind a bearer token (session or API key); AccessError(401) when none."""
        if token.startswith(API_KEY_PREFIX):
            return self.api_keys.resolve(token)
        return self.sessions.resolve(token)

    def close(self) -> None:
        self.db.close()
