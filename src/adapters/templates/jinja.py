"""The TemplateRenderer on Jinja2's sandbox: HTML bodies autoescaped, a missing variable an error naming it."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from application.mail.ports import Rendered
from domain.errors import ConfigError, FieldError, InvalidInput, NotFound

from .files import PARTS, TemplateFile, read_template_file, template_files
from .gotemplate import ROOT, RUNTIME, GoTemplateError, looks_like_go, to_runtime_jinja
from .gotemplate import snake as _snake

log = logging.getLogger("sogoms.mail")
_UNDEFINED = re.compile(r"^'([^']+)' is undefined$")

_text = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_html = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True, keep_trailing_newline=True)
for _e in (_text, _html):
    _e.globals.update(RUNTIME)  # the functions translated Go templates call (gotemplate.py)


class Renderable(Protocol):
    def render(self, *args: Any, **kwargs: Any) -> str: ...


class GoPart:
    """A part written in Go text/template syntax, translated to Jinja2: the data is its root (`.`)."""

    def __init__(self, template: Template) -> None:
        self._template = template

    def render(self, data: dict[str, Any]) -> str:
        return self._template.render({ROOT: data})


def is_go(tf_syntax: str, texts: list[str]) -> bool:
    """The file's syntax: declared, else Go when any part uses Go's (`{{.Name}}`, `{{end}}`, `$var`)."""
    if tf_syntax:
        return tf_syntax == "go"
    return any(looks_like_go(t) for t in texts if t)


def with_aliases(data: Any, depth: int = 0) -> Any:
    """Data with each capitalised key (as the Go services pass them: `Name`, `UserName`) also under the name the
    Python services use (`name`, `user_name`), so a Jinja2 template (or a converted one) reads either."""
    if depth > 8:
        return data
    if isinstance(data, dict):
        out = {k: with_aliases(v, depth + 1) for k, v in data.items()}
        for k, v in list(out.items()):
            if isinstance(k, str) and k[:1].isupper():
                out.setdefault(_snake(k), v)
        return out
    if isinstance(data, list):
        return [with_aliases(v, depth + 1) for v in data]
    return data


def _env(part: str) -> ImmutableSandboxedEnvironment:
    return _html if part == "body_html" else _text


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    source: TemplateFile
    parts: dict[str, Renderable]
    go: bool = False  # written in Go text/template syntax


TemplateSet = dict[str, dict[str, CompiledTemplate]]


def compile_file(tf: TemplateFile) -> CompiledTemplate:
    parts: dict[str, Renderable] = {}
    go = is_go(tf.template.syntax, [getattr(tf.template, part) for part in PARTS])
    for part in PARTS:
        text = getattr(tf.template, part)
        if not text:
            continue
        try:
            parts[part] = GoPart(_env(part).from_string(to_runtime_jinja(text))) if go else _env(part).from_string(text)
        except GoTemplateError as exc:
            line = tf.first_lines.get(part, 1) + exc.line - 1
            raise ConfigError(f"{tf.path}: line {line}: in `{part}` (Go template syntax): {exc.message}") from None
        except TemplateSyntaxError as exc:
            line = tf.first_lines.get(part, 1) + (exc.lineno or 1) - 1
            raise ConfigError(f"{tf.path}: line {line}: in `{part}`: {exc.message}") from None
    return CompiledTemplate(tf, parts, go)


@functools.lru_cache(maxsize=256)
def _inline(part: str, text: str) -> Renderable:
    try:
        if looks_like_go(text):
            return GoPart(_env(part).from_string(to_runtime_jinja(text)))
        return _env(part).from_string(text)
    except GoTemplateError as exc:
        raise InvalidInput([FieldError(part, f"line {exc.line}: {exc.message}")]) from None
    except TemplateSyntaxError as exc:
        raise InvalidInput([FieldError(part, f"line {exc.lineno}: {exc.message}")]) from None


def _render(label: str, part: str, template: Renderable, data: dict[str, Any]) -> str:
    try:
        return template.render(data if isinstance(template, GoPart) else with_aliases(data))
    except UndefinedError as exc:
        m = _UNDEFINED.match(str(exc.message))
        if m:
            name = m.group(1)
            raise InvalidInput(
                [FieldError(f"data.{name}", f"{label} uses `{name}` in `{part}`, which `data` does not provide")]
            ) from None
        raise InvalidInput([FieldError("data", f"{label}, in `{part}`: {exc.message}")]) from None
    except SecurityError as exc:
        raise InvalidInput([FieldError("data", f"{label}, in `{part}`: refused by the sandbox: {exc}")]) from None
    except Exception as exc:  # noqa: BLE001 - whatever the data makes a template do wrong is the caller's input
        raise InvalidInput([FieldError("data", f"{label}, in `{part}`: cannot be rendered: {exc}")]) from None


class JinjaTemplates:
    """Implements TemplateRenderer over every app's `emails/` folder; `use()` swaps the whole set (reload)."""

    def __init__(self) -> None:
        self._sets: TemplateSet = {}

    @staticmethod
    def load(folders: dict[str, Path]) -> TemplateSet:
        """Read and compile every template of every app; ConfigError naming the file (and line) on the first problem."""
        loaded: TemplateSet = {}
        for app_id, folder in folders.items():
            compiled: dict[str, CompiledTemplate] = {}
            for path in template_files(Path(folder)):
                tf = read_template_file(path)
                if tf.name in compiled:
                    raise ConfigError(f"{path}: template {tf.name!r} is defined twice (.yaml and .yml)")
                compiled[tf.name] = compile_file(tf)
            loaded[app_id] = compiled
        return loaded

    def use(self, templates: TemplateSet) -> None:
        self._sets = templates

    def configure(self, folders: dict[str, Path]) -> None:
        self.use(self.load(folders))

    def names(self, app_id: str) -> list[str]:
        return sorted(self._sets.get(app_id, {}))

    def render(self, app_id: str, name: str, data: dict[str, Any]) -> Rendered:
        compiled = self._sets.get(app_id, {}).get(name)
        if compiled is None:
            known = ", ".join(self.names(app_id)) or "none"
            raise NotFound(f"App {app_id!r} has no email template {name!r} (templates: {known})")
        label = f"template {name!r}"
        out = {part: _render(label, part, t, data) for part, t in compiled.parts.items()}
        return Rendered(out.get("subject", ""), out.get("body", ""), out.get("body_html", ""))

    def render_inline(self, app_id: str, template: Rendered, data: dict[str, Any]) -> Rendered:
        out: dict[str, str] = {}
        for part in PARTS:
            text = getattr(template, part)
            out[part] = _render(f"inline `{part}`", part, _inline(part, text), data) if text else ""
        return Rendered(out["subject"], out["body"], out["body_html"])
