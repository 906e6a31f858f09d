"""Password hashing (argon2-cffi, bcrypt for imported hashes) and access tokens (PyJWT)."""
