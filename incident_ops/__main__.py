"""Entry for `python -m incident_ops`."""

import sys

from incident_ops.cli.main import main

sys.exit(main())
