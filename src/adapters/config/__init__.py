"""YAML configuration: `${VAR:-default}` expansion, strict decoding into domain objects, app folders, secrets, the
mail rules."""
