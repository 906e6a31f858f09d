"""The RFC 8288 `Link` header of a list page: the same query with the next or previous cursor."""

from __future__ import annotations

from urllib.parse import urlencode

from application.crud.commands import Page

_POSITION = ("after", "before", "offset")


def page_links(path: str, query: list[tuple[str, str]], page: Page) -> dict[str, str] | None:
    """`<path?...&after=c>; rel="next"` and `rel="prev"` (relative URLs: the client's own scheme and host)."""
    if page.next is None and page.prev is None:
        return None
    kept = [(k, v) for k, v in query if k not in _POSITION]
    links = []
    for rel, key, cursor in (("next", "after", page.next), ("prev", "before", page.prev)):
        if cursor is not None:
            links.append(f'<{path}?{urlencode([*kept, (key, cursor)])}>; rel="{rel}"')
    return {"Link": ", ".join(links)}
