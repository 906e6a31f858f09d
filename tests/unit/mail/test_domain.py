"""Mail checks: addresses, header injection refused naming the field, Message-IDs, templates."""

import pytest

from domain.errors import InvalidInput
from domain.mail.outbound import EmailTemplate, Mail, check_address, message_id


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("ana@prokov.test", "ana@prokov.test"),
        ("Ana <ana@prokov.test>", "Ana <ana@prokov.test>"),
        ('"Ben, Jr" <ben@prokov.test>', '"Ben, Jr" <ben@prokov.test>'),
        ("Zoé <zoe@prokov.test>", "Zoé <zoe@prokov.test>"),
        ("root@localhost", "root@localhost"),
    ],
)
def test_valid_addresses_come_back_canonical(raw, canonical):
    assert check_address(raw) == canonical


@pytest.mark.parametrize(
    "raw", ["", "not an address", "a@", "@b.test", "a b@c.test", "a@b.test, c@d.test", "x" * 250 + "@b.test"]
)
def test_invalid_addresses_are_refused(raw):
    with pytest.raises(ValueError):
        check_address(raw)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("to", {"to": "ana@prokov.test\r\nBcc: everyone@evil.test"}),
        ("to", {"to": "ana@prokov.test\nBcc: everyone@evil.test"}),
        ("reply_to", {"reply_to": "x@y.test\x00"}),
        ("subject", {"subject": "Hello\r\nBcc: everyone@evil.test"}),
        ("subject", {"subject": "Hello\nX-Evil: 1"}),
        ("subject", {"subject": "nul\x00"}),
    ],
)
def test_header_injection_is_refused_naming_the_field(field, kwargs):
    args = {"to": "ana@prokov.test", "subject": "Hi", "body": "text", **kwargs}
    with pytest.raises(InvalidInput) as err:
        Mail.create(**args)
    assert [e.field for e in err.value.field_errors] == [field]
    assert err.value.code == "VALIDATION_ERROR"
    if "\x00" not in str(kwargs):
        assert "line breaks" in err.value.field_errors[0].message


def test_every_bad_field_is_reported_at_once_with_its_prefix():
    with pytest.raises(InvalidInput) as err:
        Mail.create("nope", "", "", prefix="recipients[2].")
    assert {e.field for e in err.value.field_errors} == {
        "recipients[2].to",
        "recipients[2].subject",
        "recipients[2].body",
    }


def test_a_mail_needs_a_text_or_an_html_body():
    assert Mail.create("a@b.test", " Hi ", body_html="<p>x</p>").subject == "Hi"
    with pytest.raises(InvalidInput):
        Mail.create("a@b.test", "Hi", "  ", "")


def test_message_ids_name_the_app():
    assert message_id("1234", "prokov") == "<1234@prokov.sogoms>"


def test_a_template_needs_a_subject_and_a_body():
    EmailTemplate(subject="Hi {{ name }}", body_html="<p>x</p>")
    with pytest.raises(ValueError, match="subject"):
        EmailTemplate(subject=" ", body="x")
    with pytest.raises(ValueError, match="body"):
        EmailTemplate(subject="Hi")
