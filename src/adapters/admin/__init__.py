"""Adapters of the admin UI: accounts file, session store, cookie signing, service clients, files, logs."""
