"""`python -m ui` and the frozen build's entry script: start the desktop client."""

import sys

from ui.main import main

if __name__ == "__main__":
    sys.exit(main())
