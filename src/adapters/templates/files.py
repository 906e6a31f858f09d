"""Template files `config/apps/{app}/emails/{name}.yaml`: read, checked, and where each part starts in the file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from adapters.config.strict import convert, read_yaml
from domain.app import App
from domain.errors import ConfigError
from domain.mail.outbound import EmailTemplate

PARTS = ("subject", "body", "body_html")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True, slots=True)
class TemplateFile:
    name: str
    path: Path
    template: EmailTemplate
    first_lines: dict[str, int]  # part -> line of the file where its text starts (1-based)


def _first_lines(path: Path) -> dict[str, int]:
    """Where the text of each part starts, so a Jinja2 error line can be told as a line of the file."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return {}
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode):
                block = value.style in ("|", ">")
                lines[str(key.value)] = value.start_mark.line + (2 if block else 1)
    return lines


def read_template_file(path: Path) -> TemplateFile:
    """One template file, its keys checked (subject, body, body_html); ConfigError naming the file otherwise."""
    name = path.stem
    if not _NAME.match(name):
        raise ConfigError(f"{path}: template names are lower-case letters, digits, '-' and '_' (got {name!r})")
    data = read_yaml(path)
    if data is None:
        raise ConfigError(f"{path}: empty template (expected subject, body and/or body_html)")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with subject, body and/or body_html")
    template = convert(data, EmailTemplate, str(path))
    return TemplateFile(name, path, template, _first_lines(path))


def template_files(app_folder: Path) -> list[Path]:
    folder = app_folder / "emails"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


class EmailFolders:
    """Implements TemplateCatalog from the app's folder (`emails/{name}.yaml`)."""

    def has(self, app: App, name: str) -> bool:
        if not app.folder or not _NAME.match(name):
            return False
        folder = Path(app.folder) / "emails"
        return (folder / f"{name}.yaml").is_file() or (folder / f"{name}.yml").is_file()
