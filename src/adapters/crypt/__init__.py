"""Field encryption: key files (stdlib only) and the AES-256-GCM cipher (`cryptography`, loaded only by aesgcm)."""
