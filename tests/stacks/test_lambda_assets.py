"""The Lambda assets are staged offline: the code package and a pure-Python Powertools layer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stacks.lambda_assets import lambda_code_dir, powertools_layer_dir


def test_code_asset_holds_the_lambdas_package_without_caches() -> None:
    root = Path(lambda_code_dir())
    assert (root / "lambdas" / "cost_reporter" / "handler.py").is_file()
    assert (root / "lambdas" / "budget_guard" / "handler.py").is_file()
    assert (root / "lambdas" / "common" / "instance_catalog.json").is_file()
    assert not list(root.rglob("__pycache__"))


def test_layer_is_pure_python_and_imports_in_isolation() -> None:
    python = Path(powertools_layer_dir()) / "python"
    assert not [p for p in python.rglob("*") if p.suffix in {".so", ".pyd"}], (
        "the layer must not carry x86 binaries"
    )
    # Import Logger, Metrics, Tracer from the layer alone (site-packages disabled with -S).
    code = (
        f"import sys; sys.path.insert(0, {str(python)!r}); "
        "from aws_lambda_powertools import Logger, Metrics, Tracer; import wrapt; "
        f"assert wrapt.__file__.startswith({str(python)!r}); print('ok')"
    )
    result = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr
