"""Templates: email templates (YAML files of Jinja2 sources, or the Go seed's syntax) rendered in a sandbox, and the
templated values of mail rules (Jinja2's immutable sandbox)."""
