"""YAML configuration: `${VAR:-default}` expansion and strict decoding into domain objects."""
