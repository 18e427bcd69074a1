"""Every numeric rule in one place: the pages, the command line, the docs and the tests read these.

Bandwidth units follow the original agent's cmdlet, which takes bits per second with
binary multiples (512 Kbps = 512 * 1024 bit/s).
"""

from __future__ import annotations

from datetime import timedelta

KBPS = 1024                 # bits per second in one Kbps
MBPS = 1024 * KBPS          # bits per second in one Mbps
GBPS = 1024 * MBPS

MIN_BANDWIDTH_BPS = 512 * KBPS          # 512 Kbps
MAX_BANDWIDTH_BPS = 1023 * MBPS         # 1,023 Mbps

PASSPHRASE_MIN_LENGTH = 16
# Domain facts leave the maximum open. 1,024 printable ASCII characters is far beyond any
# generated or memorable passphrase while bounding the KDF input and the passphrase file.
PASSPHRASE_MAX_LENGTH = 1024
GENERATED_PASSPHRASE_LENGTH = 32

CREDENTIALS_MAX_BYTES = 1024 * 1024     # checked before parsing
CREDENTIALS_EXTENSION = ".VaultCredentials"
CREDENTIAL_LIFETIME_DEFAULT = timedelta(hours=48)
CREDENTIAL_NOT_BEFORE_BACKDATE = timedelta(minutes=10)
# Allowance for a machine clock that is slightly off when checking a file's validity window.
CLOCK_SKEW_ALLOWANCE = timedelta(minutes=5)

MAX_MACHINES_PER_VAULT = 50
MAX_DATA_SOURCE_GB = 54_400
CACHE_FREE_SPACE_RATIO = 0.05           # scratch space: 5% of the data to back up

MACHINE_NAME_MAX_LENGTH = 63
TLS_MINIMUM = "TLSv1.2"
MAX_PAC_BYTES = 1024 * 1024            # a PAC file: corporate ones are a few KB to a few hundred KB
