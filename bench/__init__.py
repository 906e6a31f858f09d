"""SOGOMS benchmark (SPEC section 11): `make bench`."""
