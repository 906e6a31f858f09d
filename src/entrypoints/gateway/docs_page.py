"""`GET {base}/_docs`: the app's OpenAPI document as a readable page (server-rendered, no external assets)."""

from __future__ import annotations

import json
from typing import Any

_env: Any = None


def _template() -> Any:
    """Jinja2 is loaded at the first docs page, not in every worker at start."""
    global _env
    if _env is None:
        from jinja2 import Environment, PackageLoader, select_autoescape

        _env = Environment(
            loader=PackageLoader("entrypoints.gateway", "templates"), autoescape=select_autoescape(["html"])
        )
    return _env.get_template("docs.html")


def _resolve(doc: dict[str, Any], node: Any) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return target
    return node


def render_docs(doc: dict[str, Any]) -> str:
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            params = [_resolve(doc, p) for p in op.get("parameters", [])]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            responses = [(code, _resolve(doc, r).get("description", "")) for code, r in op.get("responses", {}).items()]
            groups.setdefault((op.get("tags") or ["other"])[0], []).append(
                {
                    "method": method,
                    "path": path,
                    "summary": op.get("summary", ""),
                    "secured": bool(op.get("security")),
                    "parameters": params,
                    "body": json.dumps(_resolve(doc, body), indent=2) if body else "",
                    "responses": responses,
                }
            )
    base = doc["servers"][0]["url"] if doc.get("servers") else ""
    return str(_template().render(doc=doc, groups=sorted(groups.items()), base=base))
