"""Entry point of ``python -m bench``."""

from .harness import main

raise SystemExit(main())
