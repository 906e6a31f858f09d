"""The meta documents of each app (data dictionary, OpenAPI document, docs page), built once per loaded app from its
route table."""

from __future__ import annotations

from typing import Any

from application.api.dictionary import data_dictionary
from application.api.openapi import openapi_document
from application.api.routes import RouteTables
from application.crud.catalog import TableCatalog
from domain.app import App

from .docs_page import render_docs
from .envelope import encode


class MetaDocs:
    def __init__(self, catalog: TableCatalog, routes: RouteTables) -> None:
        self._catalog, self._routes = catalog, routes
        self._cache: dict[str, tuple[App, dict[str, Any], bytes, bytes]] = {}

    async def _entry(self, app: App) -> tuple[App, dict[str, Any], bytes, bytes]:
        found = self._cache.get(app.name)
        if found is None or found[0] is not app:
            schema = await self._catalog.schema(app)
            routes = self._routes.of(app)
            doc = openapi_document(routes, schema)
            found = (app, data_dictionary(routes, schema), encode(doc), render_docs(doc).encode())
            self._cache[app.name] = found
        return found

    async def dictionary(self, app: App) -> dict[str, Any]:
        return (await self._entry(app))[1]

    async def openapi_bytes(self, app: App) -> bytes:
        return (await self._entry(app))[2]

    async def docs_html(self, app: App) -> bytes:
        return (await self._entry(app))[3]
