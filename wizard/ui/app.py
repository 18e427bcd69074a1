"""Start the Qt application and run the wizard until it closes.

Sets the application style and the wizard style explicitly: the platform's own style and
the Aero wizard on Windows, Fusion + Modern everywhere else (same look on every Linux
desktop and in every screenshot); see `wizard.ui.platform_look`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from wizard.core.exit_codes import ExitCode



def application() -> "QApplication":  # noqa: F821 - imported lazily below
    """The process's QApplication, created once with the product's style."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("register-server")
    from wizard.ui.platform_look import look_for

    style = look_for().app_style
    if style is not None:
        app.setStyle(style)
    from wizard.ui.qt_language import use_language

    use_language(app)  # QWizard's own buttons in the administrator's language
    return app  # type: ignore[return-value]


def run_wizard(answers: str | Path | None = None, home: str | Path | None = None, *,
               settings: object | None = None, after_first_paint: Callable[[], object] | None = None,
               high_contrast: bool = False) -> int:
    """Show the wizard; exit code OK once registered, CANCELLED when closed before that.

    `high_contrast` switches the whole application to white on black before the window is built.
    `after_first_paint` runs once the first page has been painted (wizard.cli sets up the
    log file there, so the user sees the window sooner).
    """
    app = application()
    if high_contrast:  # white on black (wizard.ui.contrast); a dark platform palette is followed anyway
        from wizard.ui.contrast import use_high_contrast

        use_high_contrast(app)
    from wizard.ui.wizard import create_wizard

    # A RegisterServerError (a bad answer file) goes up: wizard.cli prints message + fix and exits
    # with the code's exit status.
    wizard = create_wizard(answers, home=home, settings=settings, lazy=True)  # type: ignore[arg-type]
    if after_first_paint is not None:
        from wizard.ui.wizard import _FirstPaint

        first = wizard.page(wizard.startId())
        first.installEventFilter(_FirstPaint(after_first_paint, wizard))
    wizard.show()
    _quit_on_termination(app, wizard)
    app.exec()
    return int(ExitCode.OK if wizard.result is not None else ExitCode.CANCELLED)


def _quit_on_termination(app: "QApplication", wizard: object) -> None:  # noqa: F821
    """Ctrl+C or SIGTERM closes the wizard the normal way, so `demo` can stop its vault service.

    Python runs signal handlers only between bytecodes; a light timer gives it that chance
    while Qt's event loop runs in C++.
    """
    import signal

    from PySide6.QtCore import QTimer

    def quit_(signum: int, frame: object) -> None:
        wizard.close_now()  # type: ignore[attr-defined]
        app.quit()

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, quit_)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(200)
