"""Bounded paging for every paginated AWS read: stops with an error on a repeated token or past a page bound.

A service (or something in between) that answers the same page token twice would otherwise make a
``while token:`` loop run until the Lambda times out, paying per page (Cost Explorer: USD 0.01 each).
Every reader in ``lambdas/`` pages through :func:`follow_pages`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final, TypeVar

Page = TypeVar("Page")

#: Default bound on pages per read. 1,000 pages is 100,000 endpoints at 100 per tagging page, far above
#: what one project holds; a read that needs more is wrong, not big.
DEFAULT_MAX_PAGES: Final = 1000


class PagingError(RuntimeError):
    """A paginated read that would not end: a page token came back twice, or the page bound was passed."""


def follow_pages(
    fetch: Callable[[str | None], Page],
    next_token: Callable[[Page], str | None],
    *,
    what: str,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[Page]:
    """Yield ``fetch(None)``, then ``fetch(token)`` for each next token, until a page has no token.

    Raises PagingError (naming ``what``) when a token repeats or more than ``max_pages`` pages come.
    """
    seen: set[str] = set()
    token: str | None = None
    for count in range(1, max_pages + 1):
        page = fetch(token)
        yield page
        token = next_token(page) or None
        if token is None:
            return
        if token in seen:
            raise PagingError(
                f"{what}: page token {token[:40]!r} came back again after {count} pages; stopped paging"
            )
        seen.add(token)
    raise PagingError(f"{what}: more than {max_pages} pages; stopped paging")
