"""parallel.run: results in input order, whatever the chunking."""

from __future__ import annotations

import pytest

from briefgen.build import parallel


@pytest.mark.parametrize("count", [0, 1, 7, 130, 1001])
def test_results_come_back_in_input_order(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_JOB", 1)  # fork even for a few items
    items = [f"item-{i}" for i in range(count)]
    assert parallel.run(str.upper, items, jobs=2) == [i.upper() for i in items]
