"""`python -m netutil` runs the CLI."""

import sys

from netutil.cli import main

sys.exit(main())
