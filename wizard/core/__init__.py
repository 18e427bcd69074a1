"""The Qt-free core: model, validators, flow, file formats and procedures.

Nothing under this package may import Qt (an import-linter contract and a test check
it), so the command line, the vault service and the tests use it without a display.
"""
