"""TOTP second factor (RFC 6238, 30-second steps, 6 digits) with replay protection.

A code is accepted for the current step and one step either side (clock drift). The step of the last
accepted code is remembered per user: a code for that step or an earlier one is refused as a replay, even
though it would still be "valid" by time alone.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import pyotp

STEP_SECONDS = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def code_at(secret: str, epoch_ms: int) -> str:
    """The code an authenticator shows at this time."""
    return pyotp.TOTP(secret).at(epoch_ms // 1000)


@dataclass(frozen=True, slots=True)
class TotpCheck:
    ok: bool
    step: int | None = None  # the accepted step, to remember
    reason: str = ""


def check_code(secret: str, code: str, now_ms: int, last_step: int) -> TotpCheck:
    """Accept `code` if it is the code of a step within the drift window that is later than `last_step`."""
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return TotpCheck(False, reason="the one-time code is 6 digits")
    totp = pyotp.TOTP(secret)
    current = now_ms // 1000 // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            if step <= last_step:
                return TotpCheck(False, reason="this one-time code was already used; wait for the next one")
            return TotpCheck(True, step=step)
    return TotpCheck(False, reason="the one-time code is wrong")
