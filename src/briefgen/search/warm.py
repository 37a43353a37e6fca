"""What a long-lived caller (serve) keeps of the search index between builds."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefgen.search.merge import Slice
    from briefgen.search.previous import State


class Warm(dict[str, "Slice"]):
    """Key -> slice, as the last build merged them (index.py), and what that merge made
    (previous.py) and each slice's briefings, so that serve reads none from the store."""

    state: State | None = None
    briefings: dict[str, list[tuple[str, int]]] | None = None  # as in the store (resplice.py)
