"""What Galera needs of every write the platform makes: primary keys everywhere, replicated engines, and
servers that refuse anything else (the nodes run with wsrep_mode=REQUIRED_PRIMARY_KEY,STRICT_REPLICATION)."""

from __future__ import annotations

import pytest

from deploy.cluster.galera import ClusterError
from deploy.cluster.hosts import ADMIN_DATABASE, APPS
from deploy.cluster.topology import Cluster
from tests.cluster.api import Api


def test_every_table_the_platform_uses_has_a_primary_key_and_is_innodb(cluster: Cluster, via_nginx: Api):
    # exercise the platform first, so every table it creates on demand exists (auth state, outbox, cron, audit)
    email = via_nginx.new_user()
    token = via_nginx.session(email)["token"]
    assert via_nginx.call("POST", "/projects", token, json={"name": "safety"}).status_code == 201
    assert via_nginx.call("POST", "/auth/logout", token).status_code == 200
    schemas = ", ".join(f"'{s}'" for s in (*APPS, ADMIN_DATABASE))
    tables = cluster.galera.nodes[0].sql(
        f"SELECT t.table_schema, t.table_name, t.engine, "
        f"(SELECT COUNT(*) FROM information_schema.table_constraints c WHERE c.table_schema = t.table_schema "
        f"AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY') FROM information_schema.tables t "
        f"WHERE t.table_schema IN ({schemas}) AND t.table_type = 'BASE TABLE'"
    )
    names = {f"{s}.{t}" for s, t, _, _ in tables}
    for expected in ("prokov.sogoms_revoked_tokens", "prokov.sogoms_refresh_tokens", "prokov.sogoms_outbox",
                     "prokov.sogoms_cron_runs", "prokov.users", f"{ADMIN_DATABASE}.sogoms_admin_sessions"):  # fmt: skip
        assert expected in names
    assert [f"{s}.{t}" for s, t, _, pk in tables if pk != "1"] == []
    assert [f"{s}.{t} ({e})" for s, t, e, _ in tables if e != "InnoDB"] == []


def test_the_cluster_refuses_a_table_without_primary_key(cluster: Cluster):
    """So a platform table (or a migration) without one cannot slip through these tests unnoticed."""
    with pytest.raises(ClusterError, match="Galera replication not supported"):
        cluster.galera.nodes[0].sql("CREATE TABLE no_key (a INT)", "prokov")
