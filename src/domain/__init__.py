"""Pure domain model of SOGOMS: apps, queries, schemas, principals and errors (standard library only)."""
