"""The commands of the CRUD use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.app import App
from domain.principal import Principal
from domain.query.listing import ListParams


@dataclass(frozen=True, slots=True)
class ListResource:
    app: App
    principal: Principal
    resource: str
    params: ListParams = field(default_factory=ListParams)


@dataclass(frozen=True, slots=True)
class ShowResource:
    app: App
    principal: Principal
    resource: str
    key: str
    params: ListParams = field(default_factory=ListParams)


@dataclass(frozen=True, slots=True)
class CreateResource:
    app: App
    principal: Principal
    resource: str
    body: dict[str, Any]
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class UpdateResource:
    app: App
    principal: Principal
    resource: str
    key: str
    body: dict[str, Any]
    partial: bool = True
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class DeleteResource:
    app: App
    principal: Principal
    resource: str
    key: str
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[dict[str, Any]]
    limit: int
    offset: int
    has_more: bool = False
    next: str | None = None  # cursor: `after=` it for the next page
    prev: str | None = None  # cursor: `before=` it for the previous page
    total: int | None = None  # only when asked for (`count=exact|estimated`)
    counted: str | None = None  # how `total` was found: exact | estimated

    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "limit": self.limit,
            "offset": self.offset,
            "has_more": self.has_more,
            "next": self.next,
            "prev": self.prev,
        }
        if self.total is not None:
            meta["total"] = self.total
            meta["count"] = self.counted
        return meta
