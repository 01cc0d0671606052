"""``python -m ops.calibrate``: see :mod:`ops.calibrate.command`."""

import sys

from ops.calibrate.command import main

sys.exit(main())
