"""Entry script of the frozen app: the same `main()` as the `register-server` console script.

PyInstaller needs a script file to start from; `wizard/__main__.py` would do, but a script
outside the package keeps the package importable as `wizard` (not as `__main__`) in the bundle.
"""

from wizard.cli import main

raise SystemExit(main())
