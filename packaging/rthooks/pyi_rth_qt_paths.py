# Run-time hook (replaces PyInstaller's pyi_rth_pyside6): tell Qt where its plugins are.
#
# Why: PyInstaller's own hook also imports PySide6.QtCore at every start, to register an
# embedded qt.conf, which PySide6 wheels already register themselves when QtCore is first
# imported. That import loads Qt and ICU (about 80 ms) even for `--version` or a subcommand
# that never touches Qt. Setting the paths costs nothing; Qt loads when the wizard needs it.
import os
import sys


def _qt_paths() -> None:
    base = os.path.join(sys._MEIPASS, "PySide6")
    if not sys.platform.startswith("win"):
        base = os.path.join(base, "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(base, "plugins")
    os.environ["QML2_IMPORT_PATH"] = os.path.join(base, "qml")
    if sys.platform.startswith("win"):
        os.environ["PATH"] = sys._MEIPASS + os.pathsep + os.environ.get("PATH", "")


_qt_paths()
del _qt_paths
