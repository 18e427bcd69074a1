"""Set the stage for the screenshots and run the capture process.

In a sandbox (see `sandbox.py`): start the local vault service, create the sample vault,
issue its credentials files the way an administrator would end up with them (an expired
one from last week, two downloads in quick succession side by side, and a fresh one),
start a real tinyproxy with basic authentication, then run `wizard.docs.capture` with
that plan. Everything is stopped and deleted at the end, also on failure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from wizard.docs import sample_data as sample
from wizard.docs.sandbox import Sandbox, SandboxError, die_with_parent


def _issue(admin: object, folder: Path, url: str, *, now: datetime, name: str | None = None) -> Path:
    """One credentials file issued at `now`, placed in `folder` (renamed like a browser's second download)."""
    scratch = folder.parent / f".issue-{now.timestamp():.0f}"
    path = admin.issue_credentials(sample.VAULT_NAME, scratch, base_url=url, now=now)  # type: ignore[attr-defined]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or path.name)
    shutil.move(str(path), target)
    shutil.rmtree(scratch, ignore_errors=True)
    return target


def _stage_credentials(sandbox: Sandbox, url: str, data_dir: Path) -> dict[str, str]:
    from wizard.vault.admin import VaultAdmin

    downloads = sandbox.root / "home" / "Downloads"
    now = datetime.now(timezone.utc)
    with VaultAdmin(data_dir) as admin:
        admin.create_vault(sample.VAULT_NAME)
        expired = _issue(admin, downloads / "last-week", url, now=now - timedelta(days=7))
        older = _issue(admin, downloads / "today", url, now=now - timedelta(minutes=30))
        newer_name = older.name.replace(".VaultCredentials", " (1).VaultCredentials")
        _issue(admin, downloads / "today", url, now=now - timedelta(minutes=29), name=newer_name)
        fresh = _issue(admin, downloads, url, now=now)
    return {"expired_file": str(expired), "older_file": str(older), "credentials_file": str(fresh)}


def capture_all(out: Path) -> list[Path]:
    """Take every screenshot of `sample_data.ALL_SHOTS` into `out/images`; returns the files.

    The pictures are taken into the sandbox and replace `out/images` only when all of them
    were taken, so a failed run never leaves the committed screenshots half replaced.
    """
    with Sandbox() as sandbox:
        vault = sandbox.start_vault()
        plan: dict[str, object] = dict(_stage_credentials(sandbox, vault.url, vault.data_dir))
        proxy = sandbox.start_proxy(sample.PROXY_USER, sample.PROXY_PASSWORD, preferred_port=sample.PROXY_PORT,
                                    connect_port=int(vault.url.rsplit(":", 1)[1].split("/")[0]))
        secure = sandbox.root / "home" / "secure-share"
        secure.mkdir()
        ca_file = sandbox.root / "home" / "contoso-vault-ca.pem"
        shutil.copyfile(vault.ca_file, ca_file)
        taken = sandbox.root / "images"
        taken.mkdir()
        plan.update({
            "out": str(taken), "proxy_port": proxy.port, "proxy_user": proxy.username,
            "proxy_password": proxy.password, "ca_file": str(ca_file),
            "home": str(sandbox.root / "state"), "home_failure": str(sandbox.root / "state-failure"),
            "recovery_folder": str(sandbox.root / "home" / "recovery"),
            "passphrase_file": str(secure / f"{sample.MACHINE_NAME}.passphrase.txt"),
            "passphrase_file_failure": str(secure / f"{sample.MACHINE_NAME}-attempt.passphrase.txt"),
        })
        plan_file = sandbox.root / "plan.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        try:
            from wizard.self_command import self_command

            done = subprocess.run([*self_command(), "docs", "--out", str(out), "--capture-plan", str(plan_file)],
                                  env=sandbox.env, capture_output=True, text=True, timeout=600,
                                  preexec_fn=die_with_parent)
        except subprocess.TimeoutExpired:
            raise SandboxError("the screenshot run did not finish within 10 minutes") from None
        if done.returncode != 0:
            sys.stderr.write(done.stderr[-4000:])
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise SandboxError(f"the screenshot run failed: {last}")
        expected = {name for shot in sample.ALL_SHOTS for name in (shot.file, shot.file_2x)}
        missing = expected - {p.name for p in taken.glob("*.png")}
        if missing:
            raise SandboxError(f"the screenshot run did not take {', '.join(sorted(missing))}")
        images = out / "images"
        images.mkdir(parents=True, exist_ok=True)
        for old in images.glob("*.png"):
            old.unlink()
        saved = []
        for name in sorted(expected):
            shutil.move(str(taken / name), images / name)
            saved.append(images / name)
        return saved
