.PHONY: demo test lint messages bench
demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

bench:
	bash scripts/bench.sh

lint:
	.venv/bin/ruff check --fix src tests bench && .venv/bin/ruff format src tests bench && .venv/bin/mypy src

messages:
	cd src/congso && ../../.venv/bin/python ../../manage.py makemessages -l vi -l en --no-obsolete && ../../.venv/bin/python ../../manage.py compilemessages
