"""The admin's mail pages over HTTP: mailboxes and outcomes from the real services' sockets, the rules editor."""

from __future__ import annotations

from tests.fakes.services import serving

from .test_web import URL, csrf_of, login, site

__all__ = ["site"]


class Imap:
    async def health(self) -> dict[str, object]:
        return {
            "ok": True,
            "watchers": [
                {
                    "app": "prokov",
                    "mailbox": "tasks",
                    "folder": "INBOX",
                    "connected": True,
                    "idle": True,
                    "processed": 2,
                }
            ],
        }


class Mailproc:
    def __init__(self) -> None:
        self.retried: list[int] = []

    async def messages(self, app_id: str, limit: int = 50) -> dict[str, object]:
        return {
            "messages": [
                {
                    "id": 4,
                    "from": "ana@prokov.test",
                    "subject": "<b>Paint</b>",
                    "status": "retry",
                    "attempts": 2,
                    "error": "find projects: none",
                    "outcome": {},
                    "mailbox": "tasks",
                    "folder": "INBOX",
                    "received_at": 1.0,
                },
            ]
        }

    async def retry(self, app_id: str, id: int) -> dict[str, object]:
        self.retried.append(id)
        return {"retry": id}


def test_the_mail_page_shows_mailboxes_outcomes_and_retries(site) -> None:
    platform, client = site
    login(client, "boss")
    down = client.get(URL.app("prokov", "mail"))
    assert down.status_code == 200 and "sogoms-imap:" in down.text and "tasks@prokov.localhost" in down.text
    mailproc = Mailproc()
    with (
        serving(Imap(), ("health",), platform.paths.socket("imap"), "sogoms-imap"),
        serving(mailproc, ("messages", "retry"), platform.paths.socket("mailproc"), "sogoms-mailproc"),
    ):
        page = client.get(URL.app("prokov", "mail"))
        assert page.status_code == 200
        assert "connected (IDLE)" in page.text and "find projects: none" in page.text
        assert "&lt;b&gt;Paint&lt;/b&gt;" in page.text  # a subject is text, never markup
        r = client.post(URL.app("prokov", "mail", "4", "retry"), data={"_csrf": csrf_of(page.text)})
        assert r.status_code == 201 or r.status_code == 200
        assert mailproc.retried == [4] and "tried again" in r.text


def test_the_rules_editor_refuses_an_invalid_file(site) -> None:
    platform, client = site
    login(client, "boss")
    path = platform.paths.config / "apps" / "prokov" / "mailrules.yaml"
    before = path.read_text()
    page = client.get(URL.app("prokov", "files", "mail", "mailrules"))
    assert page.status_code == 200 and "task_from_mail" in page.text
    r = client.post(
        URL.app("prokov", "files", "mail", "mailrules"),
        data={"_csrf": csrf_of(page.text), "text": before.replace("resource: tasks", "resource: invoices")},
    )
    assert r.status_code == 422 and "invoices" in r.text and "mailrules.yaml" in r.text
    assert path.read_text() == before


def test_an_app_admin_without_mail_permission_sees_neither(site) -> None:
    _, client = site
    login(client, "ann")
    assert client.get(URL.app("prokov", "mail")).status_code == 403
    assert client.get(URL.app("prokov", "files", "mail", "mailrules")).status_code == 403
