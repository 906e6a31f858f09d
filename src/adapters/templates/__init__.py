"""Email templates: YAML files of Jinja2 sources, rendered in a sandbox."""
