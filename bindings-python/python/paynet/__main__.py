"""`python -m paynet`: the `paynet` command line (`paynet._cli`)."""

import sys

from ._cli import main

sys.exit(main())
