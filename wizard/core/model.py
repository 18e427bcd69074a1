"""The one typed model of a registration: a frozen dataclass per wizard step.

Pages load from and apply to these objects; the command line builds them from an
answer file; validators read them. Secrets are held as `Secret`, whose repr is
redacted, so printing a model never prints a password or passphrase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import IntEnum, StrEnum
from pathlib import Path

from wizard.core.bandwidth import Bandwidth
from wizard.core.i18n import N_
from wizard.core.limits import MBPS
from wizard.core.secret import Secret


class ProxyMode(StrEnum):
    NONE = "none"
    SYSTEM = "system"
    CUSTOM = "custom"
    PAC = "pac"


class ProxyAuth(StrEnum):
    """How to sign in to a proxy that answers 407. AUTO takes the strongest scheme the proxy offers
    that can be done with what was given (integrated identity, or a user name and password)."""

    AUTO = "auto"
    BASIC = "basic"
    DIGEST = "digest"
    NTLM = "ntlm"
    NEGOTIATE = "negotiate"


# Weekday names, English msgids marked for extraction and translated when shown.
_DAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
              N_("Sunday"))
_DAY_SHORT = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


class Weekday(IntEnum):
    """Numbered like `datetime.weekday()`; the name is the answer-file spelling."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6

    @property
    def key(self) -> str:
        return self.name.lower()

    def title(self, language: str | None = None) -> str:
        """The day's name as people read it, in `language` ("Monday", "Montag")."""
        from wizard.core.i18n import gettext

        return gettext(_DAY_NAMES[self], language)

    def short(self, language: str | None = None) -> str:
        """The day's abbreviation ("Mon", "Mo")."""
        from wizard.core.i18n import gettext

        return gettext(_DAY_SHORT[self], language)

    @classmethod
    def from_key(cls, key: str) -> "Weekday":
        return cls[key.strip().upper()]


WORK_WEEK = frozenset({Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY})


@dataclass(frozen=True)
class MachineSettings:
    name: str | None = None  # None: this computer's name


@dataclass(frozen=True)
class ProxySettings:
    mode: ProxyMode = ProxyMode.NONE
    host: str = ""
    port: int | None = None
    username: str = ""
    password: Secret | None = None
    auth: ProxyAuth = ProxyAuth.AUTO
    # Sign in as the signed-in identity (Kerberos ticket cache / SSPI): no user name or password.
    integrated: bool = False
    pac_url: str = ""               # mode "pac": where the proxy auto-configuration file is (http, https, file)
    bypass: tuple[str, ...] = ()    # custom and PAC modes: hosts that go direct (wizard.core.bypass)

    @property
    def authenticated(self) -> bool:
        """Signs in with a user name and password (the password is a secret to keep)."""
        return self.mode is ProxyMode.CUSTOM and bool(self.username)


@dataclass(frozen=True)
class VaultSettings:
    credentials_file: Path | None = None
    ca_bundle: Path | None = None


@dataclass(frozen=True)
class ThrottlingSchedule:
    """Work hours on work days get `work_bandwidth`; every other moment `non_work_bandwidth`.

    An end time before the start time is an overnight window: it opens on a work day at
    `work_start` and closes the next calendar day at `work_end` (22:00-06:00 on Friday
    runs into Saturday morning). Start equal to end is refused by the validator.
    """

    enabled: bool = False
    work_days: frozenset[Weekday] = WORK_WEEK
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    work_bandwidth: Bandwidth = Bandwidth(2 * MBPS)
    non_work_bandwidth: Bandwidth = Bandwidth(100 * MBPS)

    @property
    def overnight(self) -> bool:
        return self.work_end < self.work_start

    @property
    def work_hours_text(self) -> str:
        """The window as people read it: "09:00 – 18:00", or "22:00 – 06:00, overnight" so an end
        typed before the start is never silently a window into the next day."""
        from wizard.core.i18n import gettext

        start, end = f"{self.work_start:%H:%M}", f"{self.work_end:%H:%M}"
        if self.overnight:
            return gettext("{start} \u2013 {end}, overnight").format(start=start, end=end)
        return f"{start} \u2013 {end}"

    def in_work_hours(self, moment: datetime) -> bool:
        day = Weekday(moment.weekday())
        now = moment.time().replace(tzinfo=None)
        if not self.overnight:
            return day in self.work_days and self.work_start <= now < self.work_end
        if day in self.work_days and now >= self.work_start:
            return True
        previous_day = Weekday((moment - timedelta(days=1)).weekday())
        return previous_day in self.work_days and now < self.work_end

    def limit_at(self, moment: datetime) -> Bandwidth | None:
        """The limit in force at `moment` (local wall-clock time); None when throttling is off."""
        if not self.enabled:
            return None
        return self.work_bandwidth if self.in_work_hours(moment) else self.non_work_bandwidth


@dataclass(frozen=True)
class RecoveryFolder:
    path: Path | None = None
    create: bool = False
    space_needed_bytes: int | None = None


@dataclass(frozen=True)
class EncryptionSettings:
    passphrase: Secret | None = None
    confirmation: Secret | None = None
    save_to: Path | None = None
    stored_safely: bool = False
    # Seal the passphrase to the vault's recovery certificate: True requires it, False never,
    # None (the default) when the vault has a recovery certificate.
    escrow: bool | None = None


@dataclass(frozen=True)
class RegistrationSettings:
    machine: MachineSettings = field(default_factory=MachineSettings)
    proxy: ProxySettings = field(default_factory=ProxySettings)
    vault: VaultSettings = field(default_factory=VaultSettings)
    throttling: ThrottlingSchedule = field(default_factory=ThrottlingSchedule)
    recovery: RecoveryFolder = field(default_factory=RecoveryFolder)
    encryption: EncryptionSettings = field(default_factory=EncryptionSettings)
    # Where the secrets go: "keyring" or "systemd-creds" (wizard.core.secrets.choice); None = not
    # chosen here, so the store the registration record names, else the OS keyring.
    secret_store: str | None = None
