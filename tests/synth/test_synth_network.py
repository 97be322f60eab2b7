import re

import pytest

from plateledger.plates.formats import KNOWN_REGIONS
from plateledger.synth import Network, build_network
from plateledger.synth.network import DIRECTIONS
from plateledger.synth.places import METRO_SPECS


def test_same_seed_same_network_and_other_seed_differs(network: Network) -> None:
    assert build_network(11) == network
    assert build_network(12).cameras != network.cameras


def test_counts_and_unique_ids() -> None:
    net = build_network(3, metros=2, fixed_cameras_per_metro=40, patrol_cars_per_metro=5)
    assert len(net.metros) == 2
    assert sum(c.kind == "fixed" for c in net.cameras) == 80
    assert sum(c.kind == "mobile" for c in net.cameras) == 10
    assert len({c.id for c in net.cameras}) == len(net.cameras)
    assert len({a.id for a in net.agencies}) == len(net.agencies)


def test_agencies_per_metro_have_the_usual_kinds(network: Network) -> None:
    for metro in network.metros:
        kinds = sorted(a.kind for a in network.agencies if a.jurisdiction == metro.region)
        assert kinds == ["federal", "local", "local", "private", "state"]
    assert {"sfpd", "phxpd", "cpd"} <= {a.id for a in network.agencies}


def test_cameras_belong_to_agencies_of_their_metro(network: Network) -> None:
    agencies = {a.id: a for a in network.agencies}
    for camera in network.cameras:
        assert agencies[camera.agency_id].jurisdiction == network.metro_of(camera.id).region


def test_fixed_cameras_sit_on_the_grid_and_say_where(network: Network) -> None:
    pattern = re.compile(r"^[\w .'-]+ & [\w .'-]+, (north|south|east|west)bound$")
    for camera in network.cameras:
        if camera.kind == "mobile":
            assert camera.lat is None and camera.lon is None and "patrol car" in camera.description
            continue
        south, west, north, east = network.metro_of(camera.id).bounds()
        assert camera.lat is not None and camera.lon is not None and camera.heading is not None
        assert south < camera.lat < north and west < camera.lon < east
        assert pattern.match(camera.description), camera.description
        assert camera.description.endswith(DIRECTIONS[int(camera.heading) // 90])


def test_private_cameras_cluster_and_arterials_dominate(network: Network) -> None:
    for m, metro in enumerate(network.metros):
        spots = [
            network.placement[c.id] for c in network.cameras if c.kind == "fixed" and network.placement[c.id][0] == m
        ]
        on_arterial = sum(metro.is_arterial(x) or metro.is_arterial(y) for _, x, y, _ in spots)
        assert on_arterial / len(spots) > 0.8
        private = [
            network.placement[c.id]
            for c in network.cameras
            if c.agency_id in ("stonestown", "biltmore", "watertower") and network.placement[c.id][0] == m
        ]
        xs, ys = [p[1] for p in private], [p[2] for p in private]
        assert max(xs) - min(xs) <= 4 and max(ys) - min(ys) <= 4


def test_metro_catalogue_is_longer_than_needed_and_known() -> None:
    assert len(METRO_SPECS) >= 8
    net = build_network(1, metros=len(METRO_SPECS), fixed_cameras_per_metro=10, patrol_cars_per_metro=1)
    for metro in net.metros:
        assert metro.region in KNOWN_REGIONS
        assert 150 <= metro.spacing_m <= 250
        assert len(set(metro.ns_streets)) == metro.nx and len(set(metro.ew_streets)) == metro.ny


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        build_network(metros=0)
    with pytest.raises(ValueError):
        build_network(metros=len(METRO_SPECS) + 1)
    with pytest.raises(ValueError):
        build_network(fixed_cameras_per_metro=-1)
