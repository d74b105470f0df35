"""Every generated variant of an article page parses exactly (xzcrawler/replica/variants.py).

The parser is checked the way users see it: `parse_article`, then the normalising pipelines,
then the export record's fields. One test per axis value from a plain baseline names the
cause of a failure; the hypothesis test mixes every axis (thousands of examples in CI).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from tests.helpers import differences, pipelines
from xzcrawler.replica import variants
from xzcrawler.replica.variants import AXES, Variant

EXAMPLES = int(os.environ.get("XZ_VARIANT_EXAMPLES", "2000"))


def assert_parses_exactly(variant: Variant) -> None:
    got = pipelines().record(variant.html, variant.url)
    wrong = differences(variant.expected, got)
    changed = {k: v for k, v in variant.choice.items() if AXES[k][0] != v}
    assert not wrong, f"fields wrong (expected, got): {wrong}\nchoice beyond baseline: {changed}"


# --- the generator itself (pure; holds whatever the parser does) ------------------------


def test_generation_is_reproducible_and_varied() -> None:
    assert variants.generate(7) == variants.generate(7)
    assert len({variants.generate(n).html for n in range(50)}) == 50
    assert variants.count() > 10**15


def test_every_axis_value_is_reachable_one_at_a_time() -> None:
    seen = {(axis, value) for axis, value, _ in variants.one_factor_variants()}
    assert seen == {(axis, value) for axis, values in AXES.items() for value in values}


def test_all_variants_walks_the_product_lazily() -> None:
    first = [v.choice for _, v in zip(range(3), variants.all_variants(), strict=False)]
    assert first[0] == variants.normalise(variants.baseline())
    assert first[1]["page_title"] == AXES["page_title"][1]


@pytest.mark.parametrize("seed", range(40))
def test_expected_records_follow_the_interface_rules(seed: int) -> None:
    variant = variants.generate(seed)
    want, c = variant.expected, variant.choice
    body = want["body"] or ""
    for removed in ("责任编辑", "供稿", "摄影", "图为", "【纠错】", "分享到", "【文/", "（文/图"):
        assert removed not in body
    assert want["published_at"].endswith("+08:00")
    if c["chain"] in ("wu_prev", "wu_next"):
        assert want["prev_url"] and want["next_url"], "a title beginning with 无 is a link"
    if c["author_value"] in ("placeholder", "empty", "absent") and c["credit_in_body"] in (
        "none",
        "dateline_no_credit",
    ):
        assert want["author"] is None
    if c["extra"] in ("update_after", "update_before"):
        assert want["published_at"][:10].replace("-", "") in variant.url, "never the update time"


# --- the parser on every variant ----------------------------------------------------------


def test_baseline_parses_exactly() -> None:
    assert_parses_exactly(variants.build(variants.baseline(), 0))


@pytest.mark.parametrize(
    ("axis", "value", "variant"),
    [pytest.param(a, v, var, id=f"{a}={v}") for a, v, var in variants.one_factor_variants()],
)
def test_each_form_parses_exactly(axis: str, value: str, variant: Variant) -> None:
    assert_parses_exactly(variant)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(variants.variants())
def test_every_generated_variant_parses_exactly(variant: Variant) -> None:
    assert_parses_exactly(variant)
