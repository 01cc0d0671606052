"""Entry point of ``python -m demo`` (what ``make demo`` runs after ``make install``)."""

import os
import sys

# Before any import that may load the CDK (jsii): quiet the Node 20 end-of-life banner, as the Makefile does.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from demo.cli import main

sys.exit(main())
