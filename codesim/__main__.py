"""``python -m codesim``: the codesim command."""

import sys

from .commands import main

sys.exit(main())
