"""Listen to the wizard with Orca: what it would say on every page, for docs/accessibility.md.

    apt-get install orca   # not in setup.sh: a manual check, not a test
    .venv/bin/python scripts/orca_walk.py

Orca runs with speech and braille off and its debug log on (speech-dispatcher hangs without an
audio device); its "SPEECH OUTPUT" lines are what it would have said. The AT-SPI client of
tests/ui/test_screen_reader.py drives the wizard (Tab with xdotool, names for people) on a
private desktop, through a failed registration (superseded file) to a registered one.
"""
import os, subprocess, sys, tempfile, time, json
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
from tests.support.atspi_desktop import Desktop
from tests.support.fixtures_vault import start_vault_service
from tests.ui.test_screen_reader import Reader
from tests.ui.helpers import PASSPHRASE

work = Path(tempfile.mkdtemp(prefix="orca-walk-"))
from tests.support.secret_service import SecretService
ss = SecretService(work / "ss", "orca-walk-password").start()
class B:
    def terminate(self): ss.stop()
bus = B()
(work / "cfg").mkdir()
d = Desktop(work / "desk", ss.address).start()
env = dict(d.env, XDG_CONFIG_HOME=str(work / "cfg"))
vs = start_vault_service(work / "vault")
vault = vs.create_vault("contoso-vault")
creds = vs.issue(vault, work / "downloads")
(work / "recovery").mkdir(); (work / "keys").mkdir()
log = work / "orca.log"
orca = subprocess.Popen(["orca", "--replace", "-d", "speech", "-d", "braille", "--debug-file", str(log)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(4)
app = subprocess.Popen([sys.executable, "-m", "wizard", "--home", str(work / "home")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = Reader(env)
marks = []
def mark(name): marks.append((name, log.stat().st_size if log.exists() else 0))
def tabs(n):
    for _ in range(n):
        subprocess.run(["xdotool", "key", "Tab"], env=env); time.sleep(0.6)
try:
    r.ask(cmd="app", name="register-server")
    r.page("Proxy Configuration"); time.sleep(2); mark("Proxy Configuration"); tabs(5)
    r.ask(cmd="press", name="Use a custom proxy server"); r.ask(cmd="focus", name="Port"); r.ask(cmd="set_text", name="Port", text="99999"); time.sleep(0.5)
    r.ask(cmd="focus", name="Address"); time.sleep(1.5); r.ask(cmd="focus", name="Port"); time.sleep(1.5)
    r.ask(cmd="press", name="Connect directly (no proxy)"); r.press_when_enabled("Next >")
    r.page("Backup Vault"); time.sleep(1.5); mark("Backup Vault")
    r.ask(cmd="set_text", name="Credentials file", text=str(creds)); r.ask(cmd="set_text", name="Trusted CA certificate", text=str(vs.ca_file))
    r.wait("vault", lambda ns: any(n["name"] == vault for n in ns)); tabs(6)
    r.ask(cmd="focus", name="Test connection"); time.sleep(1); subprocess.run(["xdotool", "key", "space"], env=env); time.sleep(4)
    r.press_when_enabled("Next >")
    r.page("Throttling Setting"); time.sleep(1.5); mark("Throttling Setting"); tabs(4)
    r.ask(cmd="press", name="Limit the network bandwidth backups may use"); time.sleep(1); tabs(12)
    r.press_when_enabled("Next >")
    r.page("Recovery Folder Setting"); time.sleep(1.5); mark("Recovery Folder Setting")
    r.ask(cmd="set_text", name="Recovery folder", text=str(work / "recovery")); tabs(5)
    r.press_when_enabled("Next >")
    r.page("Encryption Setting"); time.sleep(1.5); mark("Encryption Setting")
    r.ask(cmd="focus", name="Passphrase"); time.sleep(0.5)
    subprocess.run(["xdotool", "type", "--delay", "60", PASSPHRASE[:10]], env=env); time.sleep(1)
    r.ask(cmd="set_text", name="Passphrase", text=PASSPHRASE)
    r.ask(cmd="focus", name="Confirm passphrase"); time.sleep(0.5); r.ask(cmd="set_text", name="Confirm passphrase", text=PASSPHRASE)
    r.ask(cmd="set_text", name="Save passphrase file to", text=str(work / "keys" / "passphrase.txt"))
    r.ask(cmd="press", name="I will keep the passphrase file..."); tabs(8)
    r.press_when_enabled("Next >")
    r.page("Register"); time.sleep(1.5); mark("Register")
    newer = vs.issue(vault, work / "downloads")
    r.press_when_enabled("Register"); r.wait("error", lambda ns: any(n["name"].startswith("Go to") for n in ns)); time.sleep(3)
    mark("Register (after the failure)")
    r.ask(cmd="press", name="Go to Backup Vault"); r.page("Backup Vault")
    r.ask(cmd="set_text", name="Credentials file", text=str(newer)); r.wait("vault", lambda ns: any(n["name"] == vault for n in ns))
    for t in ("Backup Vault", "Throttling Setting", "Recovery Folder Setting", "Encryption Setting"):
        r.page(t); r.press_when_enabled("Next >")
    r.page("Register"); mark("Register (second attempt)"); r.press_when_enabled("Register")
    r.page("Summary"); time.sleep(2); mark("Summary"); tabs(4); time.sleep(1)
    mark("end")
finally:
    r.stop(); app.terminate(); app.wait(); orca.terminate(); orca.wait(); vs.stop(); d.stop(); bus.terminate()
json.dump(marks, open(work / "marks.json", "w"))
text = log.read_bytes()
for (name, start), (_, end) in zip(marks, marks[1:]):
    print("=====", name)
    for line in text[start:end].decode(errors="replace").splitlines():
        if "SPEECH OUTPUT" in line:
            print(line.strip())
