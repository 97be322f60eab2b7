"""Random bearer tokens and how they are stored: only a SHA-256 digest ever reaches the database.

A token carries 256 random bits, so a plain SHA-256 (no salt, no stretching) is enough: nobody can guess a
preimage, and lookup by digest stays one index probe.
"""

from __future__ import annotations

import hashlib
import secrets

SESSION_PREFIX = "pls_"
API_KEY_PREFIX = "plk_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_session_token() -> str:
    return SESSION_PREFIX + secrets.token_urlsafe(32)


def new_key_id() -> str:
    return secrets.token_hex(6)


def new_key_secret() -> str:
    return secrets.token_urlsafe(32)


def api_key_token(key_id: str, secret: str) -> str:
    return f"{API_KEY_PREFIX}{key_id}.{secret}"


def split_api_key(token: str) -> tuple[str, str] | None:
    """(key id, secret) of an API key token, or None if it is not shaped like one."""
    if not token.startswith(API_KEY_PREFIX):
        return None
    key_id, dot, secret = token[len(API_KEY_PREFIX) :].partition(".")
    if not dot or not key_id or not secret:
        return None
    return key_id, secret
