"""The tests' private Secret Service is the product's own (the demo starts the same one)."""

from wizard.core.secrets.private_service import (SECRETS_BUS_NAME, SecretService,  # noqa: F401
                                                 SecretServiceUnavailable)
