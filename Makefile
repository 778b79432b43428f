PYTHON ?= python3

.PHONY: install test check lint types bench

install:  ## install derive and check the catalogue
	$(PYTHON) -m pip install . && derive check --all

test:  ## install the test extras and run the tests
	$(PYTHON) -m pip install -e '.[test]' && $(PYTHON) -m pytest

lint:
	ruff check derive tests
	ruff format --check derive tests

types:
	mypy derive

check: lint types test  ## lint, types and tests
