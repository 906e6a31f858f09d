"""An app's API as data: its route table, and what is derived from it (the data dictionary, the OpenAPI document)."""
