"""``python -m lambdas.budget_guard``: see :mod:`lambdas.budget_guard.cli`."""

from lambdas.budget_guard.cli import main

raise SystemExit(main())
