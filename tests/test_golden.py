"""Every fixture page against the reviewed record of what `parse_article` reads from it.

A change of the parser that changes any field shows here as a diff against tests/golden/*.json;
regenerate with `python tests/golden/regenerate.py` and review the diff by hand.
"""

from __future__ import annotations

import json

import pytest

from tests.golden.regenerate import all_pages, golden_path, parsed

PAGES = all_pages()


def test_every_fixture_page_has_a_golden_record() -> None:
    assert len(PAGES) >= 20
    assert all(golden_path(name).exists() for name in PAGES)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_fixture_page_parses_to_its_golden_record(name: str) -> None:
    expected = json.loads(golden_path(name).read_text(encoding="utf-8"))
    assert parsed(name, PAGES[name]) == expected
