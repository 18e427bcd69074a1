"""The Qt face: the QWizard, one module per page, small reusable widgets.

Pages load from and apply to the core model (`wizard.core.model`); every rule comes
from the core validators. Nothing here holds business logic.
"""
