"""sogoway: the multi-tenant HTTP gateway (Litestar)."""
