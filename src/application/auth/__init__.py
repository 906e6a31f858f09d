"""Auth use cases: register, login (enriched), refresh, logout, me, and authenticating a request."""
