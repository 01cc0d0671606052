"""Bounded paging for every paginated AWS read: stops with an error on a repeated token or past a page bound.

A service (or something in between) that answers the same page token twice would otherwise make a
``while token:`` loop run until the Lambda times out, paying per page (Cost Explorer: USD 0.01 each).
Every reader in ``lambdas/`` pages through :func:`follow_pages` (or :func:`paginate`, the same over a boto3
client method, with throttling backoff). botocore's own paginators catch only a token repeated on the very
next page, not a cycle, and have no bound, so they are not used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any, Final, TypeVar

from lambdas.common.retry import call_with_backoff

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
    """:func:`follow_pages` over a boto3 client method: ``call(**request)``, then with the token passed as
    ``page_param`` and read from the answer's ``page_field`` (default: the same name). Each page request is
    retried on throttling by :func:`lambdas.common.retry.call_with_backoff` unless ``backoff=False``.

    Example: ``paginate(sagemaker.list_tags, {"ResourceArn": arn}, page_param="NextToken", what="...")``.
    """
    field = page_field or page_param

    def fetch(token: str | None) -> Page:
        bound = partial(call, **({**request, page_param: token} if token else request))
        return call_with_backoff(bound) if backoff else bound()

    def next_token(page: Page) -> str | None:
        value = page.get(field) if isinstance(page, Mapping) else None
        return value if isinstance(value, str) else None

    return follow_pages(fetch, next_token, what=what, max_pages=max_pages)
