"""The gateway's behaviour (features/auth, isolation, crud, errors) on SQLite and MariaDB, in-process and over IPC."""

from __future__ import annotations

import pytest
from pytest_bdd import scenarios

from .steps_auth import *  # noqa: F403  (step definitions are fixtures: they must be in this module's namespace)
from .steps_common import *  # noqa: F403
from .steps_crud import *  # noqa: F403

# requested here rather than from a step, so the `backend` and `transport` parameters apply to every scenario
pytestmark = pytest.mark.usefixtures("http")

scenarios("auth", "isolation", "crud", "errors")
