"""Deployment helpers: the local multi-host cluster harness (deploy/cluster)."""
