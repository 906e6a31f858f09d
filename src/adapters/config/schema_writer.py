"""Write a Schema back as schema.yaml: one line per field, only what differs from the defaults."""

from __future__ import annotations

from typing import Any

import yaml

from domain.schema.model import CRUD_OPERATIONS, Field, Schema, Table


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    # dumped inside a flow mapping, so a comma, colon or bracket in a string is quoted for `{key: value}` lines
    text = yaml.safe_dump({"k": v}, default_flow_style=True, width=10_000).strip()
    return text.removeprefix("{k: ").removesuffix("}").strip()


def field_line(f: Field) -> str:
    parts = [f"type: {f.type.value}"]
    defaults = Field()
    for attr in ("primary", "auto", "unique", "required"):
        if getattr(f, attr):
            parts.append(f"{attr}: true")
    if not f.nullable and not f.primary and not f.required:
        parts.append("nullable: false")
    for attr in ("default", "max_length", "foreign", "filter", "auth", "description"):
        value = getattr(f, attr)
        if value is not None and value != getattr(defaults, attr):
            parts.append(f"{attr}: {_scalar(value)}")
    for attr in ("hidden", "index", "encrypted", "blind_index"):
        if getattr(f, attr):
            parts.append(f"{attr}: true")
    if f.readonly is not None:
        parts.append(f"readonly: {'true' if f.readonly else 'false'}")
    return "{" + ", ".join(parts) + "}"


def table_text(t: Table) -> list[str]:
    lines = [f"  {t.name}:"]
    if t.description:
        lines.append(f"    description: {_scalar(t.description)}")
    if t.crud != CRUD_OPERATIONS:
        lines.append(f"    crud: [{', '.join(t.crud)}]")
    if t.order:
        lines.append(f"    order: {_scalar(t.order)}")
    for key in ("roles", "filters", "check"):
        value = getattr(t, key)
        if value:
            dumped = yaml.safe_dump(
                {key: {k: list(v) if isinstance(v, tuple) else v for k, v in value.items()}},
                default_flow_style=False,
                sort_keys=False,
                width=10_000,
            )
            lines += ["    " + line for line in dumped.rstrip().splitlines()]
    if t.unique_together:
        lines.append(f"    unique_together: [{', '.join('[' + ', '.join(g) + ']' for g in t.unique_together)}]")
    if t.indexes:
        lines.append(f"    indexes: [{', '.join('[' + ', '.join(g) + ']' for g in t.indexes)}]")
    lines.append("    fields:")
    lines += [f"      {name}: {field_line(f)}" for name, f in t.fields.items()]
    return lines


def schema_text(schema: Schema, header: str = "") -> str:
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    lines += ['version: "1"', "tables:"]
    for t in schema.tables.values():
        lines += table_text(t)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


class YamlSchemaText:
    """Implements SchemaText with the `sogoms schema generate` writer."""

    def text(self, schema: Schema, header: str) -> str:
        return schema_text(schema, header)
