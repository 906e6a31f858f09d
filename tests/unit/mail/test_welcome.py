"""The welcome mail after sign-up: queued when the app has the template, never failing the sign-up."""

import pytest

from application.mail.welcome import WelcomeMail
from domain.app import App, AppSettings, DatabaseSettings
from domain.auth import AuthQueries, AuthQuery
from domain.errors import Unavailable
from tests.fakes.logs import FakeLogSink
from tests.fakes.mail import FakeMailer


class Catalog:
    def __init__(self, *names):
        self.names = set(names)

    def has(self, app, name):
        return name in self.names


def make_app(name_field="name"):
    auth = AuthQueries(
        login=AuthQuery("SELECT id, email, password FROM users WHERE email = :email"),
        me=AuthQuery("SELECT id, email FROM users WHERE id = :user_id"),
        name_field=name_field,
    )
    settings = AppSettings(app="shop", hosts=("shop.test",), database=DatabaseSettings(url="sqlite+aiosqlite://"))
    return App(settings=settings, resources={}, auth=auth, jwt_secret=b"x" * 32, folder="/nowhere")


USER = {"id": 7, "email": "ana@shop.test", "name": "Ana", "role": "user"}


async def test_the_welcome_template_is_queued_to_the_new_user_with_their_fields():
    mailer, logs = FakeMailer(), FakeLogSink()
    await WelcomeMail(mailer, Catalog("welcome"), logs).welcome(make_app(), USER)
    assert mailer.calls == [
        (
            "send_template",
            {"app_id": "shop", "template": "welcome", "to": "ana@shop.test", "data": {**USER, "app": "shop"}},
        )
    ]
    assert logs.events[0][1] == "welcome_mail_queued"


async def test_the_name_field_is_also_given_as_name():
    mailer = FakeMailer()
    user = {"id": 3, "email": "jo@shop.test", "first_name": "Jo"}
    await WelcomeMail(mailer, Catalog("welcome"), FakeLogSink()).welcome(make_app("first_name"), user)
    assert mailer.calls[0][1]["data"]["name"] == "Jo"


async def test_no_template_no_mail():
    mailer = FakeMailer()
    await WelcomeMail(mailer, Catalog(), FakeLogSink()).welcome(make_app(), USER)
    assert mailer.calls == []


@pytest.mark.parametrize("error", [Unavailable("sogoms-smtp is unavailable"), RuntimeError("boom")])
async def test_a_mail_failure_is_logged_and_never_raised(error):
    mailer, logs = FakeMailer(error), FakeLogSink()
    await WelcomeMail(mailer, Catalog("welcome"), logs).welcome(make_app(), USER)
    (app, message, level, data) = logs.errors[0]
    assert app == "shop"
    assert level == "warn"
    assert "welcome mail not queued" in message
    assert data == {"to": "ana@shop.test", "user_id": 7}


async def test_even_a_failing_log_sink_does_not_fail_the_sign_up():
    class BrokenLogs(FakeLogSink):
        async def log_error(self, *args, **kwargs):
            self.errors.append(args)
            raise Unavailable("logs down")

    logs = BrokenLogs()
    await WelcomeMail(FakeMailer(Unavailable("down")), Catalog("welcome"), logs).welcome(make_app(), USER)
    assert len(logs.errors) == 1  # it tried to log, the failure stopped there
