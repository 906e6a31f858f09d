"""Read and check `config/apps/{app}/mailrules.yaml`: types, patterns, templates, and what the rules refer to."""

from __future__ import annotations

from pathlib import Path

from adapters.config.strict import convert, load_yaml_as, parse_yaml, read_yaml
from adapters.config.yaml_limits import YamlTooLarge
from adapters.regex.matching import check_pattern
from adapters.templates.rule_values import check_value
from domain.app import App
from domain.errors import ConfigError
from domain.mail.inbound import MailRules

RULES_FILE = "mailrules.yaml"


def _check(rules: MailRules, app: App | None, where: str) -> None:
    folder = Path(app.folder) if app is not None and app.folder else None
    templates = (
        {p.stem for p in (folder / "emails").glob("*.yaml")}
        if folder is not None and (folder / "emails").is_dir()
        else None
    )
    mailboxes = set(app.settings.imap) if app is not None else None
    trusted = rules.senders.authentication_results is not None or rules.senders.secret_address
    if rules.senders.refusal_template and templates is not None and rules.senders.refusal_template not in templates:
        raise ConfigError(
            f"{where}: at `senders.refusal_template`: no template emails/{rules.senders.refusal_template}.yaml"
        )
    for i, rule in enumerate(rules.rules):
        at = f"rules[{i}]"
        if rule.sender == "known" and not trusted:
            raise ConfigError(
                f"{where}: at `{at}.sender`: `known` needs a way to prove senders: set "
                "`senders.authentication_results` or `senders.secret_address: true` (a From header proves nothing)"
            )
        if mailboxes is not None and rule.mailbox and rule.mailbox not in mailboxes:
            raise ConfigError(f"{where}: at `{at}.mailbox`: {rule.mailbox!r} is not a mailbox of app.yaml's `imap`")
        for name, pattern in rule.match.patterns().items():
            try:
                check_pattern(pattern)
            except ValueError as exc:
                raise ConfigError(f"{where}: at `{at}.match.{name}`: {exc}") from None
        for j, action in enumerate(rule.actions):
            here = f"{at}.actions[{j}].{action.kind}"
            try:
                if action.create is not None:
                    check_value(action.create.values)
                if action.find is not None:
                    check_value(action.find.where)
                if action.reply is not None:
                    check_value(action.reply.data)
                    check_value(action.reply.subject)
                if action.move is not None:
                    check_value(action.move)
            except ValueError as exc:
                raise ConfigError(f"{where}: at `{here}`: {exc}") from None
            target = action.create or action.find
            resource = target.resource if target is not None else ""
            if resource and app is not None:
                table = app.schema.table(resource) if app.schema is not None else None
                if table is None and app.resource(resource) is None:
                    raise ConfigError(f"{where}: at `{here}.resource`: the app has no resource {resource!r}")
            if action.reply is not None and templates is not None and action.reply.template not in templates:
                raise ConfigError(f"{where}: at `{here}.template`: no template emails/{action.reply.template}.yaml")


def load_mail_rules(app: App, env: dict[str, str] | None = None) -> MailRules | None:
    """The app's rules, checked against the app; None when it has no mailrules.yaml."""
    path = Path(app.folder) / RULES_FILE
    if not path.exists():
        return None
    rules = load_yaml_as(path, MailRules, env)
    _check(rules, app, str(path))
    return rules


def check_mail_rules_text(text: str, app: App, where: str) -> MailRules:
    """A mailrules.yaml given as text (the admin's editor), checked as the service would; ConfigError if not."""
    import yaml

    try:
        data = parse_yaml(text)
    except YamlTooLarge as exc:
        raise ConfigError(f"{where}: refused: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{where}: invalid YAML{line}: {getattr(exc, 'problem', None) or exc}") from None
    rules = convert(data or {}, MailRules, where)
    _check(rules, app, where)
    return rules


__all__ = ["RULES_FILE", "check_mail_rules_text", "load_mail_rules", "read_yaml"]
