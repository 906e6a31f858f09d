"""Email templates written in Go `text/template` syntax (the Go SOGOMS's), translated to Jinja2.

The subset the seed's templates use: fields (`{{.Name}}`, `{{.User.Email}}`, `{{.}}`), `if / else if / else / end`,
`range` (with `$i, $e :=` and `else`), `with`, variables (`$x := ...`, `$`), pipelines (`.X | printf "%05d"`),
parenthesised pipelines, comments, `{{-`/`-}}` trimming, and the functions `eq ne lt le gt ge and or not len index
printf print println html urlquery js`. `define`, `template` and `block` are refused with a clear error.

Two translations of the same parse:
- `to_runtime_jinja`: what sogoms-smtp renders. Go's semantics are kept by small functions (`_go_field`, `_go_print`,
  ...): a field is looked up by its Go name and then as the Python services name it (`.Name` -> `Name`, then `name`;
  `.UserName` -> `user_name`), a missing field is false in a condition and an error naming it when printed, booleans
  print `true`/`false`, whole floats print without `.0`, a range over a map goes by sorted key. The result runs in the
  same Jinja2 sandbox as every template; the template's text can only reach data through these functions.
- `to_jinja`: what `sogoms emails convert` writes: idiomatic Jinja2 (`{{ name }}`, `{% for item in items %}`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .gotemplate_parse import Block, Comment, Output, SetVar, Text, parse
from .gotemplate_pipeline import Call, Chain, Field, GoTemplateError, Lit
from .gotemplate_runtime import ROOT, RUNTIME, snake

__all__ = [
    "ROOT",
    "RUNTIME",
    "ConvertError",
    "GoTemplateError",
    "looks_like_go",
    "snake",
    "to_jinja",
    "to_runtime_jinja",
]

# --- detection -----------------------------------------------------------------------------------------------------

_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.DOTALL)
_GO_ONLY = re.compile(r"(?:^|[\s(|,])(?:\.[A-Za-z_]\w*|\.$|\$\w*)|^(?:end|else)$|^/\*")


def looks_like_go(text: str) -> bool:
    """True when the text's actions use Go syntax (`.Field`, `$var`, `end`, `/* */`), and it has no Jinja2 block."""
    if "{%" in text or "{#" in text:
        return False
    return any(_GO_ONLY.search(m.group(1).strip()) for m in _ACTION.finditer(text))


# --- emit ----------------------------------------------------------------------------------------------------------


def _raw_text(text: str) -> str:
    if any(m in text for m in ("{{", "{%", "{#")) or text.endswith("{"):
        if "{% endraw %}" in text or "endraw" in text:
            return "".join("{{ " + json.dumps(c) + " }}" for c in text)
        return "{% raw %}" + text + "{% endraw %}"
    return text


class _Translator:
    """What both translations share: `value` and `nodes` are each one's own."""

    def value(self, node: Any, dot: str) -> str:
        raise NotImplementedError

    def nodes(self, nodes: list[Any], dot: str) -> str:
        raise NotImplementedError

    def if_chain(self, b: Block, dot: str) -> str:
        """`{{if}} ... {{else if}} ... {{else}} ... {{end}}`."""
        parts = []
        for i, (cond, body) in enumerate(b.branches):
            if cond is None:
                parts.append("{% else %}")
            else:
                parts.append("{% " + ("if" if i == 0 else "elif") + " " + self.value(cond, dot) + " %}")
            parts.append(self.nodes(body, dot))
        return "".join(parts) + "{% endif %}"

    def otherwise(self, b: Block, dot: str) -> str:
        """The `{{else}}` of a `with` or `range` block ("" without one)."""
        return "{% else %}" + self.nodes(b.branches[1][1], dot) if len(b.branches) > 1 else ""


class _Runtime(_Translator):
    """Jinja2 source keeping Go's semantics through RUNTIME's functions."""

    def __init__(self) -> None:
        self.n = 0

    def value(self, node: Any, dot: str) -> str:
        if isinstance(node, Lit):
            if isinstance(node.value, str):
                return json.dumps(node.value)
            if node.value is None:
                return "none"
            if isinstance(node.value, bool):
                return "true" if node.value else "false"
            return repr(node.value)
        if isinstance(node, Field):
            base = dot if node.base == "dot" else ROOT if node.base == "root" else f"v_{node.base}"
            if not node.names:
                return base
            return f"_go_field({base}, {', '.join(json.dumps(n) for n in node.names)})"
        if isinstance(node, Chain):
            return f"_go_field({self.value(node.inner, dot)}, {', '.join(json.dumps(n) for n in node.names)})"
        if isinstance(node, Call):
            fn = "_go_print_fn" if node.name == "print" else f"_go_{node.name}"
            return f"{fn}({', '.join(self.value(a, dot) for a in node.args)})"
        raise TypeError(node)

    def nodes(self, nodes: list[Any], dot: str) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(_raw_text(node.text))
            elif isinstance(node, Comment):
                continue
            elif isinstance(node, Output):
                left, right = ("-" if node.trim_left else ""), ("-" if node.trim_right else "")
                if isinstance(node.value, Lit) and node.value.value == "":
                    out.append("{%" + left + " if false %}{% endif " + right + "%}")
                else:
                    out.append("{{" + left + " _go_print(" + self.value(node.value, dot) + ") " + right + "}}")
            elif isinstance(node, SetVar):
                out.append("{% set v_" + node.name + " = " + self.value(node.value, dot) + " %}")
            elif isinstance(node, Block):
                out.append(self.block(node, dot))
        return "".join(out)

    def block(self, b: Block, dot: str) -> str:
        self.n += 1
        n = self.n
        if b.kind == "if":
            return self.if_chain(b, dot)
        if b.kind == "with":
            var = f"_go_w{n}"
            cond, body = b.branches[0]
            out = "{% with " + var + " = " + self.value(cond, dot) + " %}{% if " + var + " %}"
            out += self.nodes(body, var)
            out += self.otherwise(b, dot)
            return out + "{% endif %}{% endwith %}"
        key, val = f"_go_k{n}", f"_go_d{n}"
        cond, body = b.branches[0]
        out = "{% for " + key + ", " + val + " in _go_items(" + self.value(cond, dot) + ") %}"
        if b.keyvar:
            out += "{% set v_" + b.keyvar + " = " + key + " %}"
        if b.valvar:
            out += "{% set v_" + b.valvar + " = " + val + " %}"
        out += self.nodes(body, val)
        out += self.otherwise(b, dot)
        return out + "{% endfor %}"


def to_runtime_jinja(text: str) -> str:
    """Jinja2 source rendering as Go would; render it with `{"_go_root": data}` and RUNTIME as globals."""
    return _Runtime().nodes(parse(text), ROOT)


# --- idiomatic Jinja2 (sogoms emails convert) ------------------------------------------------------------------------

_JINJA_WORDS = {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False", "None"}
_JINJA_WORDS |= {"for", "endfor", "endif", "loop", "block", "with", "set", "import", "include", "recursive"}


class ConvertError(ValueError):
    pass


class _Idiomatic(_Translator):
    """Readable Jinja2: fields as the Python services name them (`.UserName` -> `user_name`)."""

    def __init__(self) -> None:
        self.depth = 0
        self.vars: dict[str, str] = {}

    @staticmethod
    def name(go: str) -> str:
        plain = snake(go)
        if plain in _JINJA_WORDS or not re.fullmatch(r"[a-z_]\w*", plain):
            raise ConvertError(f"field .{go} has no plain Jinja2 name ({plain!r} is a Jinja2 word)")
        return plain

    def path(self, base: str, names: tuple[str, ...]) -> str:
        parts = [base] if base else []
        parts += [self.name(n) for n in names]
        if not parts:
            raise ConvertError("`{{.}}` at the top of a template has no Jinja2 equivalent: name the field")
        return ".".join(parts)

    def value(self, node: Any, dot: str) -> str:
        if isinstance(node, Lit):
            return _Runtime().value(node, dot)
        if isinstance(node, Field):
            if node.base == "dot":
                return self.path(dot, node.names)
            if node.base == "root":
                return self.path("", node.names)
            return self.path(self.vars.get(node.base, node.base), node.names)
        if isinstance(node, Chain):
            return self.path("(" + self.value(node.inner, dot) + ")", node.names)
        if isinstance(node, Call):
            a = [self.value(x, dot) for x in node.args]
            ops = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
            if node.name == "eq" and len(a) > 2:
                return "(" + " or ".join(f"{a[0]} == {b}" for b in a[1:]) + ")"
            if node.name in ops and len(a) == 2:
                return f"({a[0]} {ops[node.name]} {a[1]})"
            if node.name in ("and", "or") and a:
                return "(" + f" {node.name} ".join(a) + ")"
            if node.name == "not" and len(a) == 1:
                return f"(not {a[0]})"
            if node.name == "len" and len(a) == 1:
                return f"({a[0]} | length)"
            if node.name == "index" and len(a) >= 2:
                return a[0] + "".join(f"[{k}]" for k in a[1:])
            if node.name == "printf" and a:
                fmt = a[0]
                if isinstance(node.args[0], Lit) and isinstance(node.args[0].value, str):
                    fmt = json.dumps(re.sub(r"%([-+# 0]*\d*(?:\.\d+)?)[vt]", r"%\1s", node.args[0].value))
                return f"({fmt} | format({', '.join(a[1:])}))"
            if node.name == "html":
                return f"({' ~ '.join(a)} | e)"
            if node.name == "urlquery":
                return f"({' ~ '.join(a)} | urlencode)"
            if node.name in ("print", "js"):
                return "(" + " ~ ".join(a) + ")"
            if node.name == "println":
                return "(" + ' ~ " " ~ '.join(a) + ' ~ "\\n")'
            raise ConvertError(f"{node.name} with {len(a)} argument(s) has no Jinja2 equivalent")
        raise TypeError(node)

    def nodes(self, nodes: list[Any], dot: str) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(_raw_text(node.text))
            elif isinstance(node, Comment):
                out.append("{#" + node.text.replace("#}", "# }") + "#}")
            elif isinstance(node, Output):
                left, right = ("-" if node.trim_left else ""), ("-" if node.trim_right else "")
                if isinstance(node.value, Lit) and node.value.value == "":
                    out.append("{%" + left + " if false %}{% endif " + right + "%}" if (left or right) else "")
                else:
                    out.append("{{" + left + " " + self.value(node.value, dot) + " " + right + "}}")
            elif isinstance(node, SetVar):
                out.append("{% set " + self.name(node.name) + " = " + self.value(node.value, dot) + " %}")
            elif isinstance(node, Block):
                out.append(self.block(node, dot))
        return "".join(out)

    def block(self, b: Block, dot: str) -> str:
        if b.kind == "if":
            return self.if_chain(b, dot)
        if b.kind == "with":
            cond, body = b.branches[0]
            expr = self.value(cond, dot)
            out = "{% if " + expr + " %}" + self.nodes(body, expr)
            out += self.otherwise(b, dot)
            return out + "{% endif %}"
        self.depth += 1
        item = self.name(b.valvar) if b.valvar else ("item" if self.depth == 1 else f"item{self.depth}")
        cond, body = b.branches[0]
        out = "{% for " + item + " in " + self.value(cond, dot) + " %}"
        if b.keyvar:
            self.vars[b.keyvar] = "loop.index0"
        out += self.nodes(body, item)
        out += self.otherwise(b, dot)
        self.depth -= 1
        return out + "{% endfor %}"


def to_jinja(text: str) -> str:
    """Readable Jinja2 for `sogoms emails convert`; ConvertError for what has no plain equivalent."""
    return _Idiomatic().nodes(parse(text), "")
