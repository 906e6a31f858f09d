# SOGOMS for Python. `make run` and `make test` are all a fresh clone needs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test check lint typecheck contracts bench fuzz faults clean install demo cluster-up cluster-down test-cluster bench-cluster bench-scale

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools >/dev/null 2>&1 || true
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Prepare the demo apps (secrets, databases, seed data) then start the platform.
demo: $(STAMP)
	$(VENV)/bin/sogoms secrets init prokov koprogo
	$(VENV)/bin/sogoms schema migrate prokov --apply
	$(VENV)/bin/sogoms schema migrate koprogo --apply
	@$(VENV)/bin/sogoms admin-user add admin --role super_admin --generate --if-missing

# sogoctl starts every service of config/sogoctl.yaml in order and keeps them alive; Ctrl-C stops them all
# (`sogoctl status` in another terminal shows them).
run: demo
	@echo ""
	@echo "  prokov : http://prokov.localhost:8080/api   (ana@prokov.test / demo1234, admin@prokov.test / admin1234)"
	@echo "  koprogo: http://koprogo.localhost:8080/api  (syndic@jardins.test / demo1234, admin@koprogo.com / admin123)"
	@echo "  admin  : http://127.0.0.1:9000/admin/  (user admin, password above; plain-http cookies allowed by make run)"
	@echo "  mail in: tasks@prokov.localhost, IMAP 127.0.0.1:1143 with Dovecot installed (docs/inbound-mail.md)"
	@echo "  status : .venv/bin/sogoctl status     logs: var/log/{service}.log     stop: Ctrl-C"
	@echo ""
	SOGOMS_ADMIN_SECURE_COOKIE=$${SOGOMS_ADMIN_SECURE_COOKIE:-false} exec $(VENV)/bin/sogoctl

test: $(STAMP)
	$(PY) tests/run.py

# Several hosts on a MariaDB Galera cluster (docs/scaling.md): 3 Galera nodes (galera-4), two sogoctl hosts and nginx
# in front, all on loopback ports under var/cluster; nothing of the system's MariaDB or nginx is touched.
cluster-up: $(STAMP)
	$(PY) -m deploy.cluster up

cluster-down: $(STAMP)
	$(PY) -m deploy.cluster down

# The guarantees across hosts against a real 3-node cluster and two gateways behind nginx (tests/cluster/).
test-cluster: $(STAMP)
	SOGOMS_TEST_CLUSTER=1 $(PY) -m pytest tests/cluster -p no:xdist -q $(ARGS)

# SPEC section 11's ratios, side by side in one run (loopback, bounded; needs MariaDB on 127.0.0.1:3306 and wrk).
bench: $(STAMP)
	$(PY) bench/run.py

# S1/S2 through nginx with two hosts on the 3-node Galera cluster vs one gateway on one MariaDB (docs/benchmarks.md).
bench-cluster: $(STAMP)
	$(PY) bench/cluster.py

# Each documented list form at 200 / 20,000 / 200,000 / 1,000,000 rows on SQLite and MariaDB (issue 14: within 2x).
# SCALE_ARGS="--sizes 200,2000" for a quick run.
bench-scale: $(STAMP)
	$(PY) bench/scale.py $(SCALE_ARGS)

# schemathesis against each demo app's OpenAPI document, many examples per operation, on SQLite and MariaDB
fuzz: $(STAMP)
	SOGOMS_FUZZ_EXAMPLES=$${SOGOMS_FUZZ_EXAMPLES:-200} $(PY) tests/run.py tests/integration/schema/test_fuzz_openapi.py -q -n 2

# The fault campaign (tests/e2e/faults, docs/reliability.md): each fault against real processes on loopback, every
# wait bounded; prints requests, acknowledged, lost, 5xx and recovery per experiment. Needs MariaDB on 127.0.0.1:3306.
faults: $(STAMP)
	SOGOMS_TEST_FAULTS=1 SOGOMS_TEST_MARIADB_URL=$${SOGOMS_TEST_MARIADB_URL:-mysql+asyncmy://root@127.0.0.1:3306/test} \
	  $(PY) -m pytest tests/e2e/faults -p no:xdist -q $(ARGS)

check: $(STAMP) lint typecheck contracts

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests $(wildcard bench) $(wildcard deploy)
	$(VENV)/bin/ruff format --check src tests $(wildcard bench) $(wildcard deploy)

typecheck: $(STAMP)
	$(VENV)/bin/mypy src tests

contracts: $(STAMP)
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
