"""`python -m bot`: see bot/cli for the sub-commands."""

import sys

from bot.cli import main

sys.exit(main())
