"""The route label of /metrics: a template of the path, never a raw value (bounded label cardinality)."""

from __future__ import annotations

import pytest

from application.api.routes import match


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/api/projects", "/{resource}"),
        ("/api/projects/", "/{resource}"),
        ("/api/projects/123", "/{resource}/{id}"),
        ("/api/auth/login", "/auth/login"),
        ("/api/auth/whatever", "/auth/{action}"),
        ("/api/_schema/projects", "/_schema/{table}"),
        ("/api", "/"),
        ("/apix/projects", "other"),
        ("/elsewhere", "other"),
        ("/api/a/b/c", "other"),
    ],
)
def test_route_templates_never_carry_raw_values(path, template):
    assert match(path, "/api")[0].template == template
