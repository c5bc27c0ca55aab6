# Shortcuts; the two README commands are scripts/run.sh and scripts/test.sh.
.PHONY: run test check fmt bench

run:
	bash scripts/run.sh

# format check, lint, types and tests: the same thing CI runs
check test:
	bash scripts/test.sh

fmt:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench:
	.venv/bin/python -m benchmarks
