"""The local cluster harness: 3 Galera nodes, two sogoctl hosts, nginx in front (`make cluster-up`)."""
