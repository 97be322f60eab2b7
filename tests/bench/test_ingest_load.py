"""The load generator's posts: built from a template, they are the documents `openalpr_body` spells out."""

from __future__ import annotations

import base64
import json

import pytest

from plateledger.bench.ingest_load import OpenAlprPosts, make_crop, openalpr_body, unique_jpeg


@pytest.mark.parametrize("number", [0, 1, 7, 12_345, 10**9, 10**11, 10**12])  # 10**12: a longer comment
def test_templated_posts_are_the_reference_posts(number: int) -> None:
    crop = make_crop(4_000)
    templated = json.loads(OpenAlprPosts(crop)(number))
    assert templated == json.loads(openalpr_body(number, crop))
    assert base64.b64decode(templated["best_plate"]["plate_crop_jpeg"], validate=True) == unique_jpeg(crop, number)
    assert json.loads(OpenAlprPosts(None)(number)) == json.loads(openalpr_body(number, None))


def test_every_post_is_its_own() -> None:
    posts = OpenAlprPosts(make_crop(4_000))
    documents = [json.loads(posts(number)) for number in range(50)]
    assert len({document["best_plate_number"] for document in documents}) == 50
    assert len({document["best_plate"]["plate_crop_jpeg"] for document in documents}) == 50
    assert len({document["epoch_start"] for document in documents}) == 50
