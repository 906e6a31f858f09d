"""What the cluster suite saw, printed at its end (figures, retries): material for docs/scaling.md."""

FINDINGS: list[str] = []
