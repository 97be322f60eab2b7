"""The demo network: a store filled with a synthetic month of reads, for trying plateledger out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress

from plateledger.policy.agencies import create_agency
from plateledger.reads import now_ms
from plateledger.store.contract import NotFound, ReadStore
from plateledger.store.frames import read_id
from plateledger.store.sqlite import SqliteReadStore
from plateledger.synth import build_network, generate_reads

if TYPE_CHECKING:
    from plateledger.api.services import Services

DAY_MS = 86_400_000


def load_demo(path: Path, reads: int, *, seed: int = 7, days: float = 30.0) -> SqliteReadStore:
    """Open the demo store at `path`, filling it on first use with `reads` reads ending now."""
    store = SqliteReadStore(path)
    if store.count_reads() > 0:
        return store
    network = build_network(seed)
    start = now_ms() - int(days * DAY_MS)
    for agency in network.agencies:
        store.add_agency(agency)
    for camera in network.cameras:
        store.add_camera(camera)
    with Progress() as progress:
        task = progress.add_task("demo reads", total=reads)
        for batch in generate_reads(network, reads, seed=seed, start_ms=start, days=days):
            store.append(batch)
            progress.advance(task, len(batch))
    return store


DEMO_ROLES = ("officer", "supervisor")
CREDENTIALS_FILE = "demo-credentials.json"


def prepare_access(services: Services) -> list[dict[str, str]]:
    """Give every demo agency a policy, and the first agency a demo officer and supervisor.

    The demo users' credentials are kept in DIR/demo-credentials.json (readable by the owner only) so a later
    `plateledger demo` can print them again: acceptable for synthetic data, never for a real deployment.
    """
    for agency in services.store.list_agencies():
        if not services.policies.exists(agency.id):
            create_agency(services.store, services.policies, services.ledger, agency, None, actor="demo")
    path = services.settings.data_dir / CREDENTIALS_FILE
    if path.exists():
        return list(json.loads(path.read_text()))
    agencies = services.store.list_agencies()
    if not agencies:
        return []
    first = next((agency for agency in agencies if agency.kind == "local"), agencies[0])
    credentials = []
    for role in DEMO_ROLES:
        username = f"demo-{role}"
        if services.access.users.get(username) is not None:
            continue
        created = services.access.users.create(first.id, username, role, actor="demo")
        credentials.append(
            {
                "agency": first.id,
                "role": role,
                "username": created.user.username,
                "password": created.password,
                "totp_secret": created.totp_secret,
                "totp_uri": created.totp_uri,
            }
        )
    path.write_text(json.dumps(credentials, indent=2))
    path.chmod(0o600)
    return credentials


def sample_plate(store: ReadStore, agency_id: str) -> str | None:
    """A plate one of the agency's cameras has seen, to try a first search with."""
    for pass_id in range(1, 5000):
        try:
            read = store.get_read(read_id(pass_id, 0))
        except (NotFound, ValueError):
            continue
        if read.agency_id == agency_id:
            return read.plate
    return None


def print_credentials(credentials: list[dict[str, str]], base_url: str, plate: str | None = None) -> None:
    console = Console()
    if not credentials:
        console.print("no demo users: create one with `plateledger admin create-user`")
        return
    console.print(f"\n[bold]Demo users[/bold] (agency {credentials[0]['agency']}); API docs at {base_url}/docs")
    for item in credentials:
        console.print(f"  {item['role']:<10} username [bold]{item['username']}[/bold]  password {item['password']}")
        console.print(f"             TOTP secret {item['totp_secret']}")
    console.print(
        "A one-time code: python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\" (or add the secret to an"
        " authenticator app). See docs/api.md for a first search."
    )
    if plate:
        console.print(f"A plate seen in the demo data, for a first exact search: [bold]{plate}[/bold]")
