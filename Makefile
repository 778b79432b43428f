PYTHON ?= python3

.PHONY: install test check lint types bench golden soundness inferred screenshots

install:  ## install derive and check the catalogue
	$(PYTHON) -m pip install . && derive check --all

test:  ## install the test extras and run the tests
	$(PYTHON) -m pip install -e '.[test]' && $(PYTHON) -m pytest

lint:
	ruff check derive tests bench
	ruff format --check derive tests bench

types:
	mypy derive bench/bench.py bench/inferred.py tests

check: lint types test  ## lint, types and tests

golden:  ## regenerate the golden LaTeX reports the tests compare with (on purpose only)
	for name in softmax-ce seed-004; do \
		$(PYTHON) -m derive report $$name -o tests/golden/$$name.tex --date 2026-01-01; \
	done

bench:  ## derive against the naive route, side by side (not part of the tests)
	$(PYTHON) bench/bench.py

inferred:  ## verdicts with the front matter against the same bodies without it (and raw seed 004 when beside the project)
	$(PYTHON) bench/inferred.py tests/data/notes/*.md derivations/seed-004.md \
		$(if $(wildcard ../shared/seeds/004-two-layer-network.md),derivations/seed-004.md=../shared/seeds/004-two-layer-network.md)

soundness:  ## every mutant, every proved claim re-checked, and 20,000 generated claims
	DERIVE_ALL_MUTANTS=1 DERIVE_SOUNDNESS_EXAMPLES=20000 DERIVE_SOUNDNESS_NOTES=5000 $(PYTHON) -m pytest \
		tests/test_mutants.py tests/test_catalogue.py tests/test_fuzz.py tests/test_soundness.py

screenshots:  ## the README's pictures of seed 004's HTML and PDF reports (chromium, TeX)
	$(PYTHON) bench/screenshots.py docs
