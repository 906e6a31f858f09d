"""The ValueRenderer on Jinja2's immutable sandbox: `{{ subject }}` and friends in rule values."""

from __future__ import annotations

import functools
import re
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from domain.errors import FieldError, InvalidInput

_env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_ONE_EXPRESSION = re.compile(r"^\{\{(?P<expr>(?:(?!\}\}).)+)\}\}$", re.DOTALL)


def check_value(value: Any) -> None:
    """ValueError when a templated value does not compile (the rules file is refused)."""
    if isinstance(value, dict):
        for v in value.values():
            check_value(v)
    elif isinstance(value, list):
        for v in value:
            check_value(v)
    elif isinstance(value, str) and "{" in value:
        try:
            _compile(value)
        except TemplateSyntaxError as exc:
            raise ValueError(f"template error: {exc.message}") from None


@functools.lru_cache(maxsize=1024)
def _compile(text: str) -> Any:
    one = _ONE_EXPRESSION.match(text.strip())
    if one is not None:
        return ("expr", _env.compile_expression(one.group("expr").strip(), undefined_to_none=False))
    return ("text", _env.from_string(text))


class JinjaValues:
    """Implements ValueRenderer: `{{ expr }}` alone keeps the expression's type (an id stays a number)."""

    def render(self, value: Any, context: dict[str, Any]) -> Any:
        if isinstance(value, dict):
            return {k: self.render(v, context) for k, v in value.items()}
        if isinstance(value, list):
            return [self.render(v, context) for v in value]
        if not isinstance(value, str) or "{" not in value:
            return value
        kind, compiled = _compile(value)
        try:
            result = compiled(**context) if kind == "expr" else compiled.render(**context)
        except UndefinedError as exc:
            raise InvalidInput([FieldError("rule", f"template {value!r}: {exc.message}")]) from None
        except SecurityError as exc:
            raise InvalidInput([FieldError("rule", f"template {value!r}: {exc}")]) from None
        if kind == "expr" and isinstance(result, StrictUndefined):  # pragma: no cover - raised above
            raise InvalidInput([FieldError("rule", f"template {value!r} is undefined")])
        return result
