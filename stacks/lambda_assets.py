"""Lambda assets staged without Docker: the ``lambdas`` package and a pure-Python Powertools layer.

Both are copied from this checkout and its locked virtual environment into a staging folder once per process,
so synth needs no network and the asset hashes change only when the code or the lock changes.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import shutil
import tempfile
from functools import cache
from pathlib import Path

LAMBDAS_DIR = Path(__file__).resolve().parent.parent / "lambdas"
#: Distributions in the Powertools layer (Logger, Metrics, Tracer); boto3 comes with the Lambda runtime.
LAYER_DISTRIBUTIONS = ("aws-lambda-powertools", "aws-xray-sdk", "wrapt", "jmespath", "typing-extensions")
_SKIP_SUFFIXES = (".so", ".pyd", ".pyc", ".c")


def _ignore(_directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n in {"__pycache__", "tests"} or n.endswith(_SKIP_SUFFIXES)]


def _staging_dir(prefix: str) -> Path:
    """A temporary folder removed when the process exits (synth has copied the assets into cdk.out by then)."""
    staging = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, staging, ignore_errors=True)
    return staging


@cache
def lambda_code_dir() -> str:
    """A folder holding ``lambdas/`` (the code of every function), so handlers import ``lambdas.<package>``."""
    staging = _staging_dir("infersave-code-")
    shutil.copytree(LAMBDAS_DIR, staging / "lambdas", ignore=_ignore)
    return str(staging)


@cache
def powertools_layer_dir() -> str:
    """A layer folder (``python/...``) with the locked Powertools and its pure-Python dependencies.

    Compiled extensions are left out on purpose: the layer targets arm64 whatever machine synthesizes, and
    wrapt falls back to its pure-Python implementation without its C extension.
    """
    staging = _staging_dir("infersave-layer-")
    target = staging / "python"
    for name in LAYER_DISTRIBUTIONS:
        distribution = importlib.metadata.distribution(name)
        for file in distribution.files or []:
            parts = Path(str(file)).parts
            top = parts[0]
            if top == ".." or top.endswith((".dist-info", "-stubs")) or "__pycache__" in parts:
                continue
            if str(file).endswith(_SKIP_SUFFIXES):
                continue
            source = Path(str(distribution.locate_file(file)))
            destination = target / Path(*parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
    return str(staging)
