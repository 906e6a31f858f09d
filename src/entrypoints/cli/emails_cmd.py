"""`sogoms emails convert APP [--dry-run]`: rewrite an app's Go text/template email templates as Jinja2.

Each template file in Go syntax (`{{.Name}}`, `{{range .Items}}`) is rewritten in readable Jinja2 (`{{ name }}`,
`{% for item in items %}`); the original is kept beside it as `{name}.yaml.go` (which no service reads). Field
names become the Python services' (`.UserName` -> `user_name`); capitalised keys sent by Go callers still reach
them (sogoms-smtp adds the snake_case name of each capitalised key). A file already in Jinja2 is left alone.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import yaml

from adapters.templates.files import PARTS, read_template_file, template_files
from adapters.templates.gotemplate import ConvertError, GoTemplateError, to_jinja
from adapters.templates.jinja import compile_file, is_go
from domain.errors import ConfigError, NotFound
from entrypoints.paths import Paths

HEADER = "# Converted from Go text/template syntax by `sogoms emails convert`; the original is {original}.\n"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("emails", help="email templates")
    s = p.add_subparsers(dest="emails_cmd", required=True)
    c = s.add_parser("convert", help="rewrite an app's Go-syntax templates ({{.Name}}) as Jinja2 ({{ name }})")
    c.add_argument("app")
    c.add_argument("--dry-run", action="store_true", help="print the converted templates; change nothing")
    c.set_defaults(run=convert)


class _Literal(str):
    pass


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


yaml.SafeDumper.add_representer(_Literal, _literal)


def converted_text(path: Path) -> str | None:
    """The file's Jinja2 version, or None when it is not in Go syntax; ConfigError naming what cannot be converted."""
    tf = read_template_file(path)
    texts = {part: getattr(tf.template, part) for part in PARTS}
    if not is_go(tf.template.syntax, list(texts.values())):
        return None
    out: dict[str, str] = {}
    for part, text in texts.items():
        if not text:
            continue
        try:
            out[part] = _Literal(to_jinja(text))
        except (GoTemplateError, ConvertError) as exc:
            raise ConfigError(f"{path}: `{part}` cannot be converted: {exc}") from None
    body = yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=10_000)
    return HEADER.format(original=f"{path.name}.go") + body


def convert(args: argparse.Namespace, paths: Paths) -> int:
    folder = paths.config / "apps" / args.app
    if not folder.is_dir():
        raise NotFound(f"no app {args.app!r} in {paths.config / 'apps'}")
    changed = 0
    for path in template_files(folder):
        text = converted_text(path)
        if text is None:
            print(f"{path.name}: already Jinja2, left alone")
            continue
        changed += 1
        if args.dry_run:
            print(f"--- {path.name} (converted)\n{text}")
            continue
        backup = path.with_name(path.name + ".go")
        backup.write_bytes(path.read_bytes())
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".convert-") as work:
            tmp = Path(work) / path.name
            tmp.write_text(text, encoding="utf-8")
            compile_file(read_template_file(tmp))  # the converted file must load as sogoms-smtp loads it
            tmp.replace(path)
        print(f"{path.name}: converted (original kept as {backup.name})")
    if changed and not args.dry_run:
        print("reload sogoms-smtp to use them: sogoctl reload sogoms-smtp")
    return 0
