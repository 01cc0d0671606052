"""Secrets do not belong in the config: a container variable whose name or value looks like a credential is
refused, because the config and the synthesized template are read in clear text (by anyone with
``cloudformation:GetTemplate``, in CI logs, in git). Tokens go to Secrets Manager (``hf_token_secret_name``).
"""

from __future__ import annotations

import itertools
import re

#: Words of a variable name (split on ``_``) that say it holds a credential; ``MAX_TOTAL_TOKENS`` is a size.
_SECRET_WORDS = frozenset(
    {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "APIKEY", "CREDENTIAL", "CREDENTIALS", "AUTH"}
)
_SECRET_PAIRS = frozenset({("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"), ("SECRET", "KEY")})
#: Value shapes of well-known credentials (prefixes as the issuers publish them), and PEM private keys.
_SECRET_VALUES = (
    ("a Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}")),
    ("an API secret key", re.compile(r"\bsk-[A-Za-z0-9_-]{20,}")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
)


def secret_problem(name: str, value: str) -> str | None:
    """Why ``name=value`` looks like a credential, or None."""
    words = name.upper().split("_")
    if _SECRET_WORDS.intersection(words) or _SECRET_PAIRS.intersection(itertools.pairwise(words)):
        return f"{name!r} is named like a credential"
    for what, pattern in _SECRET_VALUES:
        if pattern.search(value):
            return f"the value of {name!r} looks like {what}"
    return None
