"""Email templates in Go text/template syntax: rendered as Go renders them, converted to readable Jinja2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.templates.files import read_template_file
from adapters.templates.gotemplate import GoTemplateError, looks_like_go, to_jinja
from adapters.templates.jinja import JinjaTemplates, compile_file
from domain.errors import ConfigError, InvalidInput

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("Bienvenue {{.Name}} !", {"Name": "Ana"}, "Bienvenue Ana !"),
    ("Bienvenue {{.Name}} !", {"name": "Ana"}, "Bienvenue Ana !"),  # as the Python services pass it
    ("{{.UserName}}/{{.ProjectID}}", {"user_name": "ana", "project_id": 3}, "ana/3"),
    ('{{if .Admin}}a{{else if eq .Role "x" "y"}}xy{{else}}u{{end}}', {"role": "y"}, "xy"),
    ("{{if .Missing}}yes{{else}}no{{end}}", {}, "no"),  # a missing key is false, as in Go
    ("{{range .Tasks}}- {{.Title}}\n{{else}}none{{end}}", {"tasks": [{"title": "A"}, {"Title": "B"}]}, "- A\n- B\n"),
    ("{{range .Tasks}}x{{else}}none{{end}}", {"Tasks": []}, "none"),
    (
        "{{range $i, $t := .T}}{{$i}}={{$t.N}} {{$.Who}};{{end}}",
        {"Who": "w", "T": [{"N": 1}, {"N": 2}]},
        "0=1 w;1=2 w;",
    ),
    ("{{range $k, $v := .M}}{{$k}}:{{$v}} {{end}}", {"M": {"b": 2, "a": 1}}, "a:1 b:2 "),  # maps by sorted key
    ("{{with .User}}{{.Email}}{{else}}nobody{{end}}", {"User": {"Email": "a@b"}}, "a@b"),
    ("{{with .User}}{{.Email}}{{else}}nobody{{end}}", {}, "nobody"),
    (
        '{{printf "%05.1f|%d|%s|%v|%t|%q|%x" .F .N .S .B .B .S .N}}',
        {"F": 3.14159, "N": 255, "S": "s", "B": True},
        '003.1|255|s|true|true|"s"|ff',
    ),
    ("{{.N}} {{.F}} {{.B}} {{.Z}}", {"N": 3.0, "F": 2.5, "B": False, "Z": None}, "3 2.5 false "),
    (
        "{{.Name | html}} {{len .Tasks}} {{index .Tasks 1}} {{(index .U 0).Name}}",
        {"Name": "<b>", "Tasks": ["x", "y"], "U": [{"Name": "n"}]},
        "&lt;b&gt; 2 y n",
    ),
    ("a  {{- /* a comment */ -}}  b {{$x := .N}}{{$x}}", {"N": 2}, "ab 2"),
    (
        "{{if and .A (not .B)}}y{{end}}{{if or .B .A}}o{{end}}{{if lt .N 3}}s{{end}}{{if ge .N 2}}g{{end}}",
        {"A": 1, "B": 0, "N": 2},
        "yosg",
    ),
    ('{{"quoted {{ }}"}} 100% {{print 1 2 "a" 3}} {{.}}', {"k": 1}, "quoted {{ }} 100% 1 2a3 map[k:1]"),
    ('{{.Name | printf "%s!" | urlquery}}', {"Name": "a b"}, "a+b%21"),
]


def _render(source: str, data: dict[str, Any], part: str = "body") -> str:
    return JinjaTemplates().render_inline("app", _rendered(source, part), data).__getattribute__(part)


def _rendered(source: str, part: str) -> Any:
    from application.mail.ports import Rendered

    return Rendered(
        source if part == "subject" else "s", source if part == "body" else "", source if part == "body_html" else ""
    )


@pytest.mark.parametrize(("source", "data", "expected"), CASES)
def test_go_templates_render_as_go_does(source: str, data: dict[str, Any], expected: str) -> None:
    assert looks_like_go(source)
    assert _render(source, data) == expected


def test_the_html_body_is_escaped_once() -> None:
    assert _render("<p>{{.Name}} {{.Name | html}}</p>", {"Name": "<A&B>"}, "body_html") == (
        "<p>&lt;A&amp;B&gt; &lt;A&amp;B&gt;</p>"
    )


def test_a_printed_missing_field_is_named() -> None:
    with pytest.raises(InvalidInput) as err:
        _render("Hello {{.User.Name}}", {"User": {}})
    assert err.value.field_errors[0].field == "data.User.Name"


@pytest.mark.parametrize(
    "source", ["{{.__class__}}", "{{.Name.__class__.__mro__}}", '{{index .Name "__class__"}}', "{{.Items.pop}}"]
)
def test_the_template_reaches_data_only(source: str) -> None:
    with pytest.raises(InvalidInput):
        _render(source, {"Name": "x", "Items": [1]})


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("a\n{{if .X}}b", "{{if}} without {{end}}"),
        ("a\nb {{end}}", "line 5: in `body` (Go template syntax): {{end}} without"),  # the file's line
        ('{{template "x" .}}', "not supported"),
        ("{{.A | nosuch}}", "unknown function 'nosuch'"),
        ("{{.A", "unclosed action"),
        ("{{/* x", "unclosed comment"),
    ],
)
def test_syntax_errors_name_the_file_and_line(tmp_path: Path, source: str, message: str) -> None:
    path = tmp_path / "emails" / "bad.yaml"
    path.parent.mkdir()
    path.write_text("syntax: go\nsubject: s\nbody: |\n" + "".join(f"  {line}\n" for line in source.splitlines()))
    with pytest.raises(ConfigError) as err:
        compile_file(read_template_file(path))
    assert str(path) in err.value.message and message in err.value.message and "`body`" in err.value.message


def test_jinja_templates_are_not_taken_for_go() -> None:
    for text in ("{{ name }}", "{{ user.name }}", "{% if x %}{{ x.y }}{% endif %}", "{{ 1.5 }}", "{{ not done }}"):
        assert not looks_like_go(text), text


def test_the_declared_syntax_wins(tmp_path: Path) -> None:
    path = tmp_path / "emails" / "t.yaml"
    path.parent.mkdir()
    path.write_text('syntax: jinja2\nsubject: "{{ x }}"\nbody: "{{ x }}"\n')
    assert not compile_file(read_template_file(path)).go
    path.write_text('syntax: pascal\nsubject: "x"\nbody: "x"\n')
    with pytest.raises(ConfigError, match="syntax"):
        read_template_file(path)


def test_jinja_looking_text_in_a_declared_go_template_is_kept_as_text(tmp_path: Path) -> None:
    path = tmp_path / "emails" / "t.yaml"
    path.parent.mkdir()
    path.write_text('syntax: go\nsubject: "{{.X}}"\nbody: "{% raw %} {# c #} {{.X}} {%"\n')
    compiled = compile_file(read_template_file(path))
    assert compiled.parts["body"].render({"X": "x"}) == "{% raw %} {# c #} x {%"


def test_conversion_gives_readable_jinja2() -> None:
    src = (
        "{{range .Tasks}}- {{.Title}} ({{.ProjectName}}){{end}}{{with .User}}{{.Email}}{{end}}{{if eq .N 1}}one{{end}}"
    )
    assert to_jinja(src) == (
        "{% for item in tasks %}- {{ item.title }} ({{ item.project_name }}){% endfor %}"
        "{% if user %}{{ user.email }}{% endif %}{% if (n == 1) %}one{% endif %}"
    )
    with pytest.raises(GoTemplateError):
        to_jinja("{{if .X}}")
