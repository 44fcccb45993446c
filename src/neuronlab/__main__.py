"""``python -m neuronlab`` runs the command line (``neuronlab train`` when given no command)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
