"""``python -m codesim``: the codesim command."""

import sys

from .cli import main

sys.exit(main())
