"""`plateledger admin ...`: bootstrap and administer agencies, users and API keys from the command line.

The first agency and its first administrators can only be made here (the HTTP API needs a signed-in user).
Every command is recorded in the audit ledger under `cli:<operating-system user>`.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from plateledger.access.users import AccessError
from plateledger.api.services import Services, open_services
from plateledger.config import Settings, load_settings
from plateledger.policy.agencies import create_agency
from plateledger.policy.agency_policy import DEFAULT_CASE_PATTERN, AgencyPolicy
from plateledger.policy.decision import Refused
from plateledger.store.contract import Agency

admin_app = typer.Typer(help="Administer agencies, users and API keys (bootstrap included).", no_args_is_help=True)

DataOption = Annotated[
    Path | None, typer.Option("--data", help="The data directory (default: PLATELEDGER_DATA_DIR or ./data).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def settings_at(data: Path | None, **flags: object) -> Settings:
    """A command's settings: PLATELEDGER_* variables, then its flags, on the data directory (`--data`, else
    PLATELEDGER_DATA_DIR, else ./data). Settings that do not hold end the command with exit code 2."""
    try:
        return load_settings({"data_dir": data, **flags})
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


@contextmanager
def services_at(data: Path | None) -> Iterator[Services]:
    """The services on the data directory; refusals end the command with their reason and exit code 1."""
    services = open_services(settings_at(data))
    try:
        yield services
    except Refused as refused:
        typer.echo(f"error: {refused.decision.reason}", err=True)
        raise typer.Exit(1) from None
    except AccessError as error:
        typer.echo(f"error: {error.detail}", err=True)
        raise typer.Exit(1) from None
    finally:
        services.close()


@admin_app.command("create-agency")
def create_agency_command(
    agency_id: Annotated[str, typer.Option("--id", help="Lower-case id, e.g. sfpd.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    kind: Annotated[str, typer.Option(help="local, state, federal or private.")],
    jurisdiction: Annotated[str, typer.Option(help="ISO 3166-2, e.g. US-CA.")],
    case_pattern: Annotated[
        str, typer.Option(help="Regular expression case numbers must match.")
    ] = DEFAULT_CASE_PATTERN,
    max_lookback_days: Annotated[int, typer.Option(help="How far back searches may reach (days).")] = 90,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an agency in the read store with its access policy."""
    try:
        policy = AgencyPolicy(case_number_pattern=case_pattern, max_lookback_days=max_lookback_days)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    with services_at(data) as services:
        agency = Agency(agency_id, name, kind, jurisdiction)  # type: ignore[arg-type]
        chosen = create_agency(services.store, services.policies, services.ledger, agency, policy, actor=actor())
    result = {"id": agency_id, "name": name, "kind": kind, "jurisdiction": jurisdiction, "policy": chosen.model_dump()}
    typer.echo(json.dumps(result, indent=2) if as_json else f"created agency {agency_id} ({name})")


@admin_app.command("create-user")
def create_user_command(
    agency: Annotated[str, typer.Option(help="The user's agency id.")],
    username: Annotated[str, typer.Option(help="Login name (lower case).")],
    role: Annotated[str, typer.Option(help="officer, supervisor, auditor, agency_admin or system_admin.")],
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user with a generated password and TOTP secret (shown once: hand them over safely)."""
    with services_at(data) as services:
        created = services.access.users.create(agency, username, role, actor=actor())
    result = {
        "username": created.user.username,
        "password": created.password,
        "totp_secret": created.totp_secret,
        "totp_uri": created.totp_uri,
    }
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"created {role} {created.user.username} of {agency}")
    typer.echo(f"  password:    {created.password}")
    typer.echo(f"  TOTP secret: {created.totp_secret}")
    typer.echo(f"  TOTP URI:    {created.totp_uri}")


@admin_app.command("create-api-key")
def create_api_key_command(
    agency: Annotated[str, typer.Option(help="The key's agency id.")],
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'north gate camera'.")],
    scope: Annotated[list[str] | None, typer.Option(help="A scope (repeatable): ingest (default) or audit.")] = None,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue an API key (a machine credential); its token is shown once."""
    with services_at(data) as services:
        key, token = services.access.api_keys.create(agency, name, scope or (), actor=actor())
    result = {"id": key.id, "agency": key.agency_id, "name": key.name, "scopes": list(key.scopes), "token": token}
    typer.echo(json.dumps(result, indent=2) if as_json else f"API key {key.id} ({', '.join(key.scopes)}): {token}")


@admin_app.command("unlock")
def unlock_command(
    username: Annotated[str, typer.Option(help="The locked user.")],
    data: DataOption = None,
) -> None:
    """Unlock an account locked after repeated failed logins."""
    with services_at(data) as services:
        user = services.access.users.unlock(username, actor=actor())
    typer.echo(f"unlocked {user.username}")
