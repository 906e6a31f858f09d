"""Email templates on Jinja2's sandbox: text as is, HTML autoescaped, clear errors, demo templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.templates.jinja import JinjaTemplates
from application.mail.ports import Rendered
from domain.errors import ConfigError, InvalidInput, NotFound

ROOT = Path(__file__).resolve().parents[3]
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=1>'


def app_with(tmp_path: Path, **files: str) -> JinjaTemplates:
    emails = tmp_path / "shop" / "emails"
    emails.mkdir(parents=True)
    for name, text in files.items():
        (emails / f"{name}.yaml").write_text(text, encoding="utf-8")
    templates = JinjaTemplates()
    templates.configure({"shop": tmp_path / "shop"})
    return templates


WELCOME = """\
subject: "Welcome {{ name }}"
body: |
  Hello {{ name }},
  you signed up as {{ email }}.
body_html: |
  <h1>Welcome {{ name }}</h1>
  <p>{{ email }}</p>
"""


def test_text_is_left_as_is_and_html_is_escaped(tmp_path):
    templates = app_with(tmp_path, welcome=WELCOME)
    out = templates.render("shop", "welcome", {"name": HOSTILE, "email": "a@b.test"})
    assert out.subject == f"Welcome {HOSTILE}"
    assert out.body.startswith(f"Hello {HOSTILE},")
    assert "<script>" not in out.body_html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=1&gt;" in out.body_html
    assert out.body_html.startswith("<h1>Welcome ")


def test_a_missing_variable_is_an_error_naming_it(tmp_path):
    templates = app_with(tmp_path, welcome=WELCOME)
    with pytest.raises(InvalidInput) as err:
        templates.render("shop", "welcome", {"name": "Ana"})
    (e,) = err.value.field_errors
    assert e.field == "data.email"
    assert "`email`" in e.message and "'welcome'" in e.message


def test_the_sandbox_refuses_to_reach_python_internals(tmp_path):
    templates = app_with(tmp_path, evil='subject: "{{ name.__class__.__mro__[1].__subclasses__() }}"\nbody: x\n')
    with pytest.raises(InvalidInput):
        templates.render("shop", "evil", {"name": "Ana"})
    inline = Rendered("{{ ''.__class__.__base__.__subclasses__() }}", "x", "")
    with pytest.raises(InvalidInput):
        templates.render_inline("shop", inline, {})


def test_data_cannot_be_modified_by_a_template(tmp_path):
    templates = app_with(tmp_path, t='subject: "{{ items.append(1) }}"\nbody: x\n')
    with pytest.raises(InvalidInput, match=r"sandbox|cannot be rendered"):
        templates.render("shop", "t", {"items": []})


def test_a_syntax_error_names_the_file_and_its_line(tmp_path):
    broken = "subject: Hi\nbody: |\n  line one\n  {% for x in items %}\n  {{ x }\n  {% endfor %}\n"
    with pytest.raises(ConfigError) as err:
        app_with(tmp_path, broken=broken)
    assert str(tmp_path / "shop" / "emails" / "broken.yaml") in err.value.message
    assert "line 5" in err.value.message
    assert "`body`" in err.value.message


def test_unknown_keys_and_missing_parts_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown key `bodyhtml`"):
        app_with(tmp_path, t="subject: Hi\nbody: x\nbodyhtml: y\n")
    with pytest.raises(ConfigError, match="body"):
        app_with(tmp_path / "2", t="subject: Hi\n")


def test_unknown_template_lists_the_known_ones(tmp_path):
    templates = app_with(tmp_path, welcome=WELCOME)
    with pytest.raises(NotFound, match="templates: welcome"):
        templates.render("shop", "digest", {})


def test_inline_sources_render_and_report_their_syntax_errors():
    templates = JinjaTemplates()
    out = templates.render_inline(
        "shop", Rendered("{{ n }} tasks", "You have {{ n }}", "<b>{{ who }}</b>"), {"n": 2, "who": "<i>"}
    )
    assert out == Rendered("2 tasks", "You have 2", "<b>&lt;i&gt;</b>")
    with pytest.raises(InvalidInput) as err:
        templates.render_inline("shop", Rendered("{{ n ", "x", ""), {})
    assert err.value.field_errors[0].field == "subject"


def test_the_demo_templates_load_and_render():
    templates = JinjaTemplates()
    templates.configure({"prokov": ROOT / "config/apps/prokov", "koprogo": ROOT / "config/apps/koprogo"})
    assert templates.names("prokov") == ["mail_refused", "task_created", "tasks_today", "welcome"]
    assert templates.names("koprogo") == ["welcome"]
    welcome = templates.render("prokov", "welcome", {"name": "Ana", "email": "ana@prokov.test"})
    assert welcome.subject == "Bienvenue Ana !"
    digest = templates.render(
        "prokov",
        "tasks_today",
        {
            "user_name": "Ana",
            "email": "ana@prokov.test",
            "tasks": [
                {"title": "Roof <urgent>", "project_name": "Roof", "status_name": "todo"},
                {"title": "Call Ben", "project_name": None, "status_name": None},
            ],
        },
    )
    assert digest.subject == "2 tâches pour aujourd'hui"
    assert "- Roof <urgent> (Roof) [todo]" in digest.body
    assert "- Call Ben\n" in digest.body
    assert "<strong>Roof &lt;urgent&gt;</strong>" in digest.body_html
    kopro = templates.render("koprogo", "welcome", {"first_name": "Marie", "last_name": "Dupont", "email": "m@d.test"})
    assert kopro.subject == "Bienvenue sur KoproGo, Marie"
