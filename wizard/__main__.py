"""Allows `python -m wizard`, the same as the `register-server` console script."""

from wizard.cli import main

raise SystemExit(main())
