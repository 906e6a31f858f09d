"""The commands of the CRUD use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.app import App
from domain.listing import ListParams
from domain.principal import Principal


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
    total: int
    limit: int
    offset: int

    def meta(self) -> dict[str, int]:
        return {"total": self.total, "limit": self.limit, "offset": self.offset}
