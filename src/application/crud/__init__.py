"""CRUD use cases: list, show, create, update, delete a resource of an app for a principal."""
