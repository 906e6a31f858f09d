# SOGOMS for Python. `make run` and `make test` are all a fresh clone needs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test check lint typecheck contracts bench fuzz clean install demo

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
	@echo "  admin  : http://127.0.0.1:9000  (user admin, password above; plain-http cookies allowed by make run)"
	@echo "  status : .venv/bin/sogoctl status     logs: var/log/{service}.log     stop: Ctrl-C"
	@echo ""
	SOGOMS_ADMIN_SECURE_COOKIE=$${SOGOMS_ADMIN_SECURE_COOKIE:-false} exec $(VENV)/bin/sogoctl

test: $(STAMP)
	$(PY) tests/run.py

# SPEC section 11's ratios, side by side in one run (loopback, bounded; needs MariaDB on 127.0.0.1:3306 and wrk).
bench: $(STAMP)
	$(PY) bench/run.py

# schemathesis against each demo app's OpenAPI document, many examples per operation, on SQLite and MariaDB
fuzz: $(STAMP)
	SOGOMS_FUZZ_EXAMPLES=$${SOGOMS_FUZZ_EXAMPLES:-200} $(PY) tests/run.py tests/integration/schema/test_fuzz_openapi.py -q -n 2

check: $(STAMP) lint typecheck contracts

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests $(wildcard bench)
	$(VENV)/bin/ruff format --check src tests $(wildcard bench)

typecheck: $(STAMP)
	$(VENV)/bin/mypy src/domain src/application

contracts: $(STAMP)
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
