"""``python -m sklearn_focal``: the command line."""

import sys

from .cli import main

sys.exit(main())
