"""Password hashing (argon2-cffi, bcrypt for imported hashes), access tokens (PyJWT), signed cookies (HMAC)."""
