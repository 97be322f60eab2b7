"""Hot lists: the agency's custom lists and feeds, their entries, exclusions and delivery targets.

Adding an entry can search past reads for its plate (`retroactive`): that is a search, so it needs a purpose,
a case and a lookback, and it passes the policy gate like any other. The excluded categories of every list
are public: `GET /api/v1/transparency/hotlist-exclusions` answers without credentials.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from plateledger.access.principal import Principal
from plateledger.api.auth import CurrentPrincipal, ServicesDep, public, require
from plateledger.api.services import Services
from plateledger.hotlists.model import EntryDraft, EntryError, FeedSettings, HotList, entry_region
from plateledger.hotlists.retro import RetroRequest, hits_out, retroactive_search
from plateledger.hotlists.schemas import (
    EntryCreated,
    EntryIn,
    EntryOut,
    ExclusionOut,
    ExclusionsIn,
    HotListIn,
    HotListOut,
    RenewIn,
    RetroactiveIn,
    RetroactiveOut,
    TargetsIn,
    entry_out,
    list_out,
)
from plateledger.hotlists.service import HotlistService, refuse
from plateledger.hotlists.targets import Target
from plateledger.reads import to_epoch_ms

router = APIRouter(tags=["hotlists"])
ListId = Annotated[str, Path(min_length=1, max_length=64)]
EntryId = Annotated[int, Path(ge=1, le=2**62)]
PREFIX = "/api/v1/hotlists"


def _hotlists(services: Services) -> HotlistService:
    return services.alerting.hotlists


def _list(services: Services, principal: Principal, list_id: str, action: str) -> HotList:
    require(services, principal, action, parameters={"list_id": list_id})
    return _hotlists(services).get(list_id, principal.agency_id)


def _targets(targets: list[Target]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Stored form (with secrets) and shown form (masked) of delivery targets."""
    return [target.model_dump() for target in targets], [target.masked() for target in targets]


@router.get(PREFIX)
def list_hotlists(principal: CurrentPrincipal, services: ServicesDep) -> list[HotListOut]:
    """The agency's hot lists, with how many entries each holds and whether a feed is stale."""
    require(services, principal, "hotlist_read")
    hotlists = _hotlists(services)
    counts = hotlists.repository.counts()
    now = services.clock.now_ms()
    return [list_out(item, counts.get(item.id, 0), now) for item in hotlists.lists(principal.agency_id)]


@router.post(PREFIX, status_code=201)
def create_hotlist(body: HotListIn, principal: CurrentPrincipal, services: ServicesDep) -> HotListOut:
    """A custom list, or a feed (format, column mapping, source and schedule)."""
    require(services, principal, "hotlist_manage", parameters={"list_id": body.id})
    stored, _ = _targets(body.targets)
    feed = None
    if body.feed is not None:
        feed = FeedSettings(body.feed.format, body.feed.mapping, body.feed.source, body.feed.refresh_minutes)
    hotlist = _hotlists(services).create_list(
        principal.name,
        principal.agency_id,
        body.id,
        body.name,
        body.kind,
        description=body.description,
        feed=feed,
        freshness_hours=body.freshness_hours,
        excluded_categories=body.excluded_categories,
        targets=stored,
    )
    return list_out(hotlist, 0, services.clock.now_ms())


@router.get(PREFIX + "/{list_id}")
def get_hotlist(list_id: ListId, principal: CurrentPrincipal, services: ServicesDep) -> HotListOut:
    hotlist = _list(services, principal, list_id, "hotlist_read")
    counts = _hotlists(services).repository.counts()
    return list_out(hotlist, counts.get(hotlist.id, 0), services.clock.now_ms())


@router.put(PREFIX + "/{list_id}/exclusions")
def set_exclusions(
    list_id: ListId, body: ExclusionsIn, principal: CurrentPrincipal, services: ServicesDep
) -> HotListOut:
    """Leave categories of this list out of matching. Public: the transparency page shows them."""
    hotlist = _list(services, principal, list_id, "hotlist_manage")
    changed = _hotlists(services).set_exclusions(principal.name, hotlist, body.categories)
    counts = _hotlists(services).repository.counts()
    return list_out(changed, counts.get(hotlist.id, 0), services.clock.now_ms())


@router.put(PREFIX + "/{list_id}/targets")
def set_list_targets(
    list_id: ListId, body: TargetsIn, principal: CurrentPrincipal, services: ServicesDep
) -> HotListOut:
    """Where every alert of this list goes besides the on-duty browsers (email/SMS, webhooks, MQTT)."""
    hotlist = _list(services, principal, list_id, "hotlist_manage")
    stored, shown = _targets(body.targets)
    _hotlists(services).set_list_targets(principal.name, hotlist, stored, shown)
    counts = _hotlists(services).repository.counts()
    return list_out(_hotlists(services).get(list_id), counts.get(hotlist.id, 0), services.clock.now_ms())


@router.post(
    PREFIX + "/{list_id}/import",
    openapi_extra={"requestBody": {"required": False, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_feed(
    list_id: ListId, request: Request, principal: CurrentPrincipal, services: ServicesDep
) -> dict[str, Any]:
    """Replace the feed whole: with the CSV in the body, or (empty body) fetched from its source now.

    Malformed lines are reported by line number and skipped; the others load. Larger files than the request
    body limit: give the list a `source`, or use `plateledger hotlists import`.
    """
    hotlist = _list(services, principal, list_id, "hotlist_manage")
    body = await request.body()
    if body:
        text = body.decode("utf-8-sig", errors="replace")
        return await run_in_threadpool(_hotlists(services).import_feed, principal.name, hotlist, text)
    return await run_in_threadpool(_hotlists(services).refresh, principal.name, hotlist)


@router.get(PREFIX + "/{list_id}/entries")
def list_entries(
    list_id: ListId,
    principal: CurrentPrincipal,
    services: ServicesDep,
    after: Annotated[int, Query(ge=0, le=2**62, description="the last id of the previous page")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[EntryOut]:
    hotlist = _list(services, principal, list_id, "hotlist_read")
    now = services.clock.now_ms()
    return [
        entry_out(entry, now) for entry in _hotlists(services).repository.entries(hotlist.id, after=after, limit=limit)
    ]


def _retro(services: Services, principal: Principal, entry: Any, body: RetroactiveIn) -> list[RetroactiveOut]:
    request = RetroRequest(body.purpose, body.case_number, body.lookback_days, body.justification, body.include_near)
    outcomes = retroactive_search(services.gate, principal, entry, request, services.clock.now_ms())
    return [
        RetroactiveOut(kind=kind, count=len(outcome.page.hits), audit_seq=outcome.audit_seq, hits=hits_out(outcome))
        for kind, outcome in outcomes
    ]


@router.post(PREFIX + "/{list_id}/entries", status_code=201)
def add_entry(list_id: ListId, body: EntryIn, principal: CurrentPrincipal, services: ServicesDep) -> EntryCreated:
    """Add an entry to a custom list (at most 365 days). With `retroactive`, search past reads for it too."""
    hotlist = _list(services, principal, list_id, "hotlist_entry_add")
    try:
        region = entry_region(body.region)
    except EntryError as error:
        raise refuse(error.reason, error.field) from None
    stored, _ = _targets(body.targets)
    vehicle = {key: value for key, value in body.vehicle.model_dump().items() if value}
    draft = EntryDraft(
        plate=body.plate,
        region=region,
        category=body.category,
        reason=body.reason,
        case_number=body.case_number,
        owner=body.owner or principal.name,
        vehicle=vehicle,
        effective_ms=None if body.effective_at is None else to_epoch_ms(body.effective_at),
        expires_ms=to_epoch_ms(body.expires_at),
        targets=tuple(stored),
    )
    entry = _hotlists(services).add_entry(principal.name, hotlist, draft)
    retro = None if body.retroactive is None else _retro(services, principal, entry, body.retroactive)
    return EntryCreated(entry=entry_out(entry, services.clock.now_ms()), retroactive=retro)


@router.get(PREFIX + "/{list_id}/entries/{entry_id}")
def get_entry(list_id: ListId, entry_id: EntryId, principal: CurrentPrincipal, services: ServicesDep) -> EntryOut:
    hotlist = _list(services, principal, list_id, "hotlist_read")
    return entry_out(_hotlists(services).get_entry(hotlist, entry_id), services.clock.now_ms())


@router.delete(PREFIX + "/{list_id}/entries/{entry_id}", status_code=204)
def remove_entry(
    list_id: ListId,
    entry_id: EntryId,
    principal: CurrentPrincipal,
    services: ServicesDep,
    reason: Annotated[str | None, Query(min_length=1, max_length=500, description="why it leaves the list")] = None,
) -> None:
    hotlist = _list(services, principal, list_id, "hotlist_entry_add")
    entry = _hotlists(services).get_entry(hotlist, entry_id)
    _hotlists(services).remove_entry(principal.name, hotlist, entry, reason or "")


@router.post(PREFIX + "/{list_id}/entries/{entry_id}/renew")
def renew_entry(
    list_id: ListId, entry_id: EntryId, body: RenewIn, principal: CurrentPrincipal, services: ServicesDep
) -> EntryOut:
    """Keep a custom entry longer: at most 365 days from now. Recorded as hotlist_entry_renewed."""
    hotlist = _list(services, principal, list_id, "hotlist_entry_renew")
    entry = _hotlists(services).get_entry(hotlist, entry_id)
    renewed = _hotlists(services).renew_entry(principal.name, hotlist, entry, to_epoch_ms(body.expires_at))
    return entry_out(renewed, services.clock.now_ms())


@router.put(PREFIX + "/{list_id}/entries/{entry_id}/targets")
def set_entry_targets(
    list_id: ListId, entry_id: EntryId, body: TargetsIn, principal: CurrentPrincipal, services: ServicesDep
) -> EntryOut:
    """Where alerts of this entry go, besides the list's own targets."""
    hotlist = _list(services, principal, list_id, "hotlist_entry_add")
    entry = _hotlists(services).get_entry(hotlist, entry_id)
    stored, shown = _targets(body.targets)
    _hotlists(services).set_entry_targets(principal.name, hotlist, entry, stored, shown)
    return entry_out(_hotlists(services).get_entry(hotlist, entry_id), services.clock.now_ms())


@router.post(PREFIX + "/{list_id}/entries/{entry_id}/retroactive")
def search_entry_history(
    list_id: ListId, entry_id: EntryId, body: RetroactiveIn, principal: CurrentPrincipal, services: ServicesDep
) -> list[RetroactiveOut]:
    """Search past reads for an entry's plate: through the policy gate, with purpose, case and lookback."""
    hotlist = _list(services, principal, list_id, "hotlist_read")
    return _retro(services, principal, _hotlists(services).get_entry(hotlist, entry_id), body)


@router.get("/api/v1/transparency/hotlist-exclusions")
@public
def hotlist_exclusions(services: ServicesDep) -> list[ExclusionOut]:
    """Public: for every agency's hot list, the categories it leaves out of matching."""
    return [ExclusionOut(**item) for item in _hotlists(services).exclusions()]
