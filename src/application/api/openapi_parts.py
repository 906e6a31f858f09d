"""The parts of an app's OpenAPI document that do not depend on its tables: field types, envelopes, errors,
components."""

from __future__ import annotations

from typing import Any

from domain.errors import HTTP_STATUS
from domain.query.listing import DEFAULT_LIMIT, MAX_LIMIT
from domain.schema.model import Field, FieldType

_TYPES: dict[FieldType, dict[str, Any]] = {
    FieldType.INT: {"type": "integer"},
    FieldType.FLOAT: {"type": "number"},
    FieldType.BOOL: {"type": "boolean"},
    FieldType.STRING: {"type": "string"},
    FieldType.TEXT: {"type": "string"},
    FieldType.DATE: {"type": "string", "format": "date"},
    FieldType.DATETIME: {"type": "string", "format": "date-time"},
}
_DOCUMENTED = {  # the error responses every operation may list; their statuses come from the one table
    "BAD_REQUEST": ("BadRequest", "The body or the query string cannot be understood"),
    "UNAUTHORIZED": ("Unauthorized", "Missing, invalid, expired or revoked token"),
    "FORBIDDEN": ("Forbidden", "Your role may not do this"),
    "NOT_FOUND": ("NotFound", "No such resource or record (also another user's record)"),
    "METHOD_NOT_ALLOWED": ("MethodNotAllowed", "The resource does not allow this operation"),
    "CONFLICT": ("Conflict", "A unique value is already taken"),
    "PAYLOAD_TOO_LARGE": ("PayloadTooLarge", "The body is over the size limit"),
    "VALIDATION_ERROR": ("ValidationError", "Invalid values; `error.fields` lists each field"),
    "RATE_LIMITED": ("RateLimited", "Too many attempts; see Retry-After"),
    "INTERNAL_ERROR": ("InternalError", "Internal error"),
    "SERVICE_UNAVAILABLE": ("ServiceUnavailable", "A service or the database is down; retry later"),
}
ERRORS = {str(HTTP_STATUS[code]): (name, code, text) for code, (name, text) in _DOCUMENTED.items()}


def field_schema(f: Field, for_input: bool = False) -> dict[str, Any]:
    s: dict[str, Any] = dict(_TYPES.get(f.type, {}))
    if f.max_length and f.type is FieldType.STRING:
        s["maxLength"] = f.max_length
    elif f.type is FieldType.STRING:
        s["maxLength"] = 255
    if f.description:
        s["description"] = f.description
    nullable = f.is_nullable
    if nullable and "type" in s:
        s["type"] = [s["type"], "null"]
    return s


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def envelope(data: dict[str, Any], meta: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"success": {"const": True}, "message": {"type": "string"}, "data": data}
    required = ["success", "message", "data"]
    if meta:
        props["meta"] = ref("Meta")
        required.append("meta")
    return {"type": "object", "required": required, "properties": props}


def json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*codes: str) -> dict[str, Any]:
    return {c: {"$ref": f"#/components/responses/{ERRORS[c][0]}"} for c in (*codes, "500", "503")}


def components(records: dict[str, Any]) -> dict[str, Any]:
    """The document's components: the records and inputs built for its operations, then the shared ones."""
    schemas = dict(records)
    schemas["FieldError"] = {
        "type": "object",
        "required": ["field", "message"],
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
    }
    schemas["Error"] = {
        "type": "object",
        "required": ["success", "error"],
        "properties": {
            "success": {"const": False},
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {"type": "array", "items": ref("FieldError")},
                },
            },
        },
    }
    cursor = {"type": ["string", "null"]}
    schemas["Meta"] = {
        "type": "object",
        "required": ["limit", "offset", "has_more", "next", "prev"],
        "properties": {
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "has_more": {"type": "boolean", "description": "rows follow this page"},
            "next": {**cursor, "description": "cursor of the next page: pass it as `after`"},
            "prev": {**cursor, "description": "cursor of the previous page: pass it as `before`"},
            "total": {"type": "integer", "description": "only with count=exact or count=estimated"},
            "count": {"enum": ["exact", "estimated"], "description": "how `total` was found"},
        },
    }
    schemas["User"] = {"type": "object", "additionalProperties": True}
    schemas["Session"] = {
        "type": "object",
        "required": ["token", "token_type", "expires_in", "refresh_token", "user"],
        "properties": {
            "token": {"type": "string"},
            "token_type": {"const": "Bearer"},
            "expires_in": {"type": "integer"},
            "refresh_token": {"type": "string"},
            "user": ref("User"),
        },
        "additionalProperties": True,
    }
    responses = {name: json_body(ref("Error"), text) for name, _code, text in ERRORS.values()}
    parameters = {
        "id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
        "limit": query_param(
            "limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
        ),
        "offset": query_param(
            "offset",
            {"type": "integer", "minimum": 0, "default": 0},
            "Rows to skip (costs O(offset): prefer `after` for deep pages)",
        ),
        "after": query_param(
            "after",
            description="The page after this cursor (`meta.next`); same sort and filters as the page it came from",
        ),
        "before": query_param("before", description="The page before this cursor (`meta.prev`)"),
        "count": query_param(
            "count",
            {"enum": ["none", "exact", "estimated"], "default": "none"},
            "`meta.total`: none (default), exact (counts every matching row), "
            "estimated (the planner's estimate on MariaDB)",
        ),
        "sort": query_param("sort", description="Comma-separated fields; `-field` for descending"),
        "fields": query_param("fields", description="Comma-separated fields to return"),
        "include": query_param("include", description="Comma-separated relations (dotted for nesting, up to 3 levels)"),
    }
    return {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "adminToken": {
                "type": "apiKey",
                "in": "header",
                "name": "X-Admin-Token",
                "description": "The app's admin token ({SOGOMS_SECRETS_DIR}/{app}_admin_token), not a user's JWT",
            },
        },
        "schemas": schemas,
        "responses": responses,
        "parameters": parameters,
    }


def query_param(
    name: str, schema: dict[str, Any] | None = None, description: str = "", required: bool | None = None
) -> dict[str, Any]:
    """A query-string parameter (a string unless `schema` says otherwise)."""
    param: dict[str, Any] = {"name": name, "in": "query"}
    if required is not None:
        param["required"] = required
    param["schema"] = schema or {"type": "string"}
    if description:
        param["description"] = description
    return param


def title(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) or "Record"
