"""One slice's pages replaced in a merged word's page list, without reading the rest of it.

A merged page list is its slices' lists joined in slice order (packed.join), so a slice's
pages are one run of bytes in it; State (previous.py) keeps, per word, where each slice's run
starts and its last page. Replacing a slice's run then touches only that run and the first
page entry after it (whose delta counts from the last page before it): the cost is that of
the changed slice's pages, not of the word's (a word on every page of the site has a page
list of megabytes).
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.search import packed

Row = list[int]  # [slice, where its run starts after the list's head, its last page]


class Mismatch(Exception):
    """The merged list is not what the old slice and the table say: merge in full."""


@dataclass
class PageList:
    content: bytes  # the encoded list after its head
    rows: list[Row]
    count: int  # page entries
    size: int  # what it adds to a chunk (packed.py)


def replace(
    found: PageList,
    index: int,
    offset: int,
    old: packed.Packed | None,
    new: packed.Packed | None,
    remap: packed.Remap,
) -> PageList:
    """`found` with slice `index`'s pages (`old`, or none) replaced by `new` (or none)."""
    content, rows = found.content, found.rows
    j = 0
    while j < len(rows) and rows[j][0] < index:
        j += 1
    has_old = j < len(rows) and rows[j][0] == index
    if has_old != (old is not None and old[0] > 0):
        raise Mismatch
    last_before = rows[j - 1][2] if j else 0
    start = rows[j][1] if j < len(rows) else len(content)
    after = j + 1 if has_old else j
    end = rows[after][1] if after < len(rows) else len(content)
    count, size = found.count, found.size
    if has_old:
        assert old is not None
        if rows[j][2] != offset + old[2] or end <= start:
            raise Mismatch
        if last_before + _delta(content, start) != offset + old[1]:
            raise Mismatch
        count, size = count - old[0], size - old[3]
    pieces, out = [content[:start]], rows[:j]
    at, last = start, last_before
    if new is not None and new[0]:
        made = packed.part(offset, remap, new, last_before)
        pieces.append(made)
        last = offset + new[2]
        out.append([index, at, last])
        at += len(made)
        count, size = count + new[0], size + new[3]
    if end < len(content):
        previous = rows[j][2] if has_old else last_before
        entry_head, rest = packed.moved(content, end, previous, last)
        pieces += [entry_head, content[rest:]]
        shift = at + len(entry_head) - rest
        out.append([rows[after][0], at, rows[after][2]])
        out += [[r[0], r[1] + shift, r[2]] for r in rows[after + 1 :]]
    return PageList(b"".join(pieces), out, count, size)


def _delta(content: bytes, at: int) -> int:
    """The page delta of the page entry at `at`."""
    items, at = packed.head_at(content, at, 4)
    if items != 3:
        raise Mismatch
    return packed.head_at(content, at, 0)[0]
