"""The parser on real published reports (../shared/real): every field it got right stays right,
and the share of right fields does not fall below the pinned floor. Needs ../shared beside the
checkout (CI lays it there); skipped only where it is absent."""

from __future__ import annotations

import json

import pytest

from tests.real.pins import PINS, REAL, right_fields

pytestmark = pytest.mark.skipif(
    not (REAL / "truth.json").exists(), reason="needs ../shared/real beside the checkout"
)


@pytest.fixture(scope="module")
def measured():
    return right_fields()


def test_no_pinned_field_is_lost(measured):
    pins = json.loads(PINS.read_text(encoding="utf-8"))
    right, _, _ = measured
    lost = {name: sorted(set(fields) - set(right.get(name, []))) for name, fields in pins["right"].items()}
    lost = {k: v for k, v in lost.items() if v}
    assert not lost, f"fields no longer read right: {lost}"


def test_share_of_right_fields_holds_the_floor(measured):
    pins = json.loads(PINS.read_text(encoding="utf-8"))
    _, ok, total = measured
    assert 100 * ok / total >= pins["floor_pct"], f"{ok}/{total} right, floor {pins['floor_pct']}%"
