"""register-server: register a server with a backup vault.

The package is one Qt-free core (`wizard.core`) with several faces: the Qt wizard
(`wizard.ui`), the command line (`wizard.cli` and `wizard.commands`), the local vault
service (`wizard.vault`) and the documentation generator.
"""

__version__ = "0.1.0"
