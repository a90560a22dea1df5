"""`python -m sparkle` runs the `sparkle` command."""

import sys

from sparkle.cli import main

sys.exit(main())
