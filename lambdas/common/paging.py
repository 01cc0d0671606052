"""Bounded pagination: follow an AWS page token, and stop with an error instead of paging forever.

A paginated read trusts the service to end the chain of page tokens. A token that comes back again (a
service bug, a proxy replaying an answer, an emulator) would make a plain ``while token:`` loop run until
the Lambda timeout, paying per page where the API charges (Cost Explorer: USD 0.01 a page). botocore's own
paginators catch only a token repeated on the very next page (``PaginationError: The same next token was
received twice``), not a cycle A, B, A, and have no page bound. Every paginated read of the Lambda
functions goes through :func:`paginate` (or :func:`follow_pages`), which raises :class:`PagingError`, naming
the read, when

* a token repeats any token seen before in the same read, or
* the read would need more than ``max_pages`` pages (a bound the caller sets from the API's page size and
  the most items it can sensibly return).

Each page request is retried on throttling by :func:`lambdas.common.retry.call_with_backoff` (on top of
botocore's own retries) unless ``backoff=False``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any, Final, TypeVar

from lambdas.common.retry import call_with_backoff

#: Pages a read may take unless its caller says otherwise: 1,000 pages of 100 items is 100,000 items.
DEFAULT_MAX_PAGES: Final = 1000

Page = TypeVar("Page", bound=Mapping[str, Any])


class PagingError(RuntimeError):
    """A paginated read that would not end: a repeated page token or more pages than its bound."""


def follow_pages(
    fetch: Callable[[str | None], Page],
    next_token: Callable[[Page], object],
    *,
    what: str,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> Iterator[Page]:
    """Yield the pages of one read: ``fetch(None)`` first, then ``fetch(token)`` while ``next_token(page)``
    gives a token. ``what`` names the read in errors (``"tagging GetResources infersave:project=demo"``).

    The chain ends on a missing or empty token. Raises PagingError on a token seen before in this read,
    a token that is not a string, or a page beyond ``max_pages``; pages already yielded stay yielded, so
    callers must treat the error as the failure of the whole read.
    """
    if max_pages < 1:
        raise ValueError(f"max_pages must be >= 1, got {max_pages}")
    seen: set[str] = set()
    token: str | None = None
    for number in range(1, max_pages + 1):
        page = fetch(token)
        yield page
        raw = next_token(page)
        if raw is None or raw == "":
            return
        if not isinstance(raw, str):
            raise PagingError(f"{what}: page {number} has a page token of type {type(raw).__name__}")
        if raw in seen:
            raise PagingError(
                f"{what}: page {number} repeats a page token already followed ({_short(raw)}); "
                "stopping instead of paging forever"
            )
        seen.add(raw)
        token = raw
    raise PagingError(
        f"{what}: still more pages after {max_pages} pages (the bound for this read); stopping. "
        "Narrow the read or raise its bound if this many items are expected"
    )


def paginate(
    call: Callable[..., Page],
    request: Mapping[str, Any],
    *,
    page_param: str,
    what: str,
    page_field: str | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    backoff: bool = True,
) -> Iterator[Page]:
    """Pages of ``call(**request)`` (a boto3 client method), passing the token as ``page_param`` and reading
    the next one from ``page_field`` (default: the same name). See :func:`follow_pages`.

    Example: ``paginate(tagging.get_resources, {...}, page_param="PaginationToken", what="...")``.
    """
    out_key = page_field or page_param

    def fetch(token: str | None) -> Page:
        kwargs = {**request, page_param: token} if token else dict(request)
        bound = partial(call, **kwargs)
        return call_with_backoff(bound) if backoff else bound()

    def next_token(page: Page) -> object:
        return page.get(out_key)

    return follow_pages(fetch, next_token, what=what, max_pages=max_pages)


def _short(token: str, limit: int = 40) -> str:
    """A token for an error message: its start only (tokens can be long and are not secrets, but noisy)."""
    return repr(token if len(token) <= limit else token[:limit] + "...")
