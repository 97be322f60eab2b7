"""Passwords: argon2id hashes, a length policy, and generated passwords for new accounts."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from plateledger.config import Settings

# No look-alike characters, so a password read aloud or off a screen is typed right the first time.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class PasswordPolicyError(ValueError):
    pass


class Passwords:
    """Hashing and checking with the argon2id parameters of the settings."""

    def __init__(self, settings: Settings) -> None:
        self.min_length = settings.password_min_length
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        # A hash to check against when the user does not exist, so that takes as long as a wrong password.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def check_policy(self, password: str) -> None:
        if len(password) < self.min_length:
            raise PasswordPolicyError(f"a password needs at least {self.min_length} characters")
        if len(password) > 1024:
            raise PasswordPolicyError("a password has at most 1024 characters")

    def hash(self, password: str) -> str:
        self.check_policy(password)
        return self._hasher.hash(password)

    def rehash(self, password: str) -> str:
        """A hash with the current parameters of a password that was just verified (no policy check)."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when `password` matches; with no stored hash, spend the same time and answer False."""
        try:
            return self._hasher.verify(stored_hash or self._decoy, password) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def generate(self, length: int = 20) -> str:
        return "".join(secrets.choice(_ALPHABET) for _ in range(max(length, self.min_length)))
