"""Tests against a real 3-node Galera cluster, two gateway hosts and nginx (`make test-cluster`)."""
