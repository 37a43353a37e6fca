"""Is every file the output's manifest lists still there? output.intact()'s answer for a
long-lived process's output, without listing the whole output each time.

The one check of folder stamps is build/listing.py's Kept (a long-lived builder's listings,
refreshed by the folders whose stamp changed; its docstring says why that is sound): this is
output.intact() over such a listing. build/warm.py's WarmRebuild does the same within its
build (inputs.state with `kept`); this class is for a caller that only asks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from briefgen.build import output
from briefgen.build.listing import RECENT_NS as RECENT_NS  # re-exported: its home was here
from briefgen.build.listing import Kept


class OutputCheck:
    """output.intact() for one long-lived process's output, by folder stamp (see above)."""

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        self.kept = Kept(clock)

    @property
    def listings(self) -> int:
        """Folders listed so far, for tests: how much work the checks did."""
        return self.kept.listed

    def intact(self, out_dir: Path, manifest: output.Manifest) -> bool:
        """Every file `manifest` lists is a regular file in out_dir, reached without a
        symbolic link (output.intact()'s answer)."""
        try:
            listing = self.kept.of(out_dir)
        except OSError:
            return False
        return output.intact(out_dir, manifest, listing)
