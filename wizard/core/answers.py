"""Answer files: the TOML the wizard saves and the unattended mode reads.

One format for both faces. An answer file never holds a secret: it says where each
secret comes from (an environment variable, a file, the keyring, or generated), and
`resolve_secrets` fetches them at run time. Every problem is reported with its key and
line, all at once, so an operator fixes a file in one pass.

Relative paths are resolved against the answer file's folder; the resolved absolute
path is what the model holds and what is reported.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

from wizard.core.bandwidth import Bandwidth, format_bandwidth
from wizard.core.errors import RegisterServerError
from wizard.core.fields import DEFAULT_PASSPHRASE_ENV, DEFAULT_PROXY_PASSWORD_ENV, schema
from wizard.core.i18n import L_, LazyText, in_language
from wizard.core.issues import Issue, issue
from wizard.core.model import (EncryptionSettings, MachineSettings, ProxyAuth, ProxyMode, ProxySettings, RecoveryFolder,
                               RegistrationSettings, ThrottlingSchedule, VaultSettings, Weekday)
from wizard.core.secret import Secret
from wizard.core.secrets.choice import STORES
from wizard.core.validators import parse_bandwidth_text, parse_size_text, parse_time_text



class SourceKind(StrEnum):
    ENV = "env"
    FILE = "file"
    KEYRING = "keyring"
    GENERATE = "generate"
    PROMPT = "prompt"


@dataclass(frozen=True)
class SecretSource:
    """Where a secret comes from; `name` is the variable or file (empty for keyring/generate/prompt)."""

    kind: SourceKind
    name: str = ""

    def describe(self) -> str:
        return {SourceKind.ENV: f"environment variable {self.name}", SourceKind.FILE: f"file {self.name}",
                SourceKind.KEYRING: "the keyring", SourceKind.GENERATE: "generated",
                SourceKind.PROMPT: "typed at a prompt"}[self.kind]


@dataclass(frozen=True)
class Answers:
    """The settings of an answer file, secrets not yet fetched."""

    settings: RegistrationSettings
    proxy_password: SecretSource | None = None
    passphrase: SecretSource | None = None
    path: Path | None = None
    sections: frozenset[str] = frozenset()   # the sections the file names (what `settings` changes)
    pin: SecretSource | None = None          # [security]: the vault's security PIN, for changes that need one


MAX_PROBLEMS = 50  # problems reported per answer file; the rest are counted


class InvalidAnswers(RegisterServerError):
    """All problems of an answer file; `code` is the first one's."""

    def __init__(self, issues: list[Issue], *, answers: "Answers | None" = None) -> None:
        self.issues = issues
        # What could still be read (bad values left at their defaults), so a caller can go on
        # checking the rest and report every problem of the file at once.
        self.answers = answers
        self.detail_lines = [f"{i.field}: {i.message}" for i in issues]
        super().__init__(issues[0].code)

    def message_in(self, language: str | None) -> str:
        if len(self.issues) == 1:
            return self.issues[0].message if language is None else self.issues[0].message_in(language)
        return f"{len(self.issues)} problems in the answer file: " + "; ".join(self.detail_lines)


# key -> expected Python type(s) for each section, from the one field table
_SCHEMA: dict[str, dict[str, tuple[type, ...]]] = schema()
_TYPE_NAMES = {str: L_("a string"), int: L_("a whole number"), bool: L_("true or false"), list: L_("a list")}


def _either(names: list[str]) -> str:
    """"a string or a whole number", in the reader's language too."""
    if len(names) == 1:
        return names[0]
    return L_("{first} or {second}", first=names[0], second=_either(names[1:]))


_BARE_OR_QUOTED = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_HEADER = re.compile(r"^\s*\[\[?\s*(?P<path>[^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(rf"^\s*(?P<path>{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*)\s*=")


def _key_path(text: str) -> tuple[str, ...]:
    """`a."b c".d` -> ("a", "b c", "d"): a TOML dotted key, quotes removed."""
    parts = re.findall(_BARE_OR_QUOTED, text)
    return tuple(part.strip("\"'") for part in parts)


def _line_of(text: str, section: str, key: str | None) -> int | None:
    """Best-effort line number of `[section]` / `section.key` (tomllib reports none for valid files).

    Follows the ways TOML can spell the same key, because an operator must be pointed at the
    line they wrote: `[proxy]` headers with a trailing comment, dotted headers
    (`[vault.inner]`), dotted keys (`proxy.port = 1`) and a section given as a plain value
    (`machine = "x"`). Multi-line strings are not tracked; a miss only drops the line number.
    """
    wanted = (section,) if key is None else (section, key)
    prefixes, inline = _line_index(text)
    found = [prefixes.get(wanted)] + [inline.get(wanted[:size]) for size in range(1, len(wanted))]
    numbers = [number for number in found if number is not None]
    return min(numbers) if numbers else None


@functools.lru_cache(maxsize=4)
def _line_index(text: str) -> tuple[dict[tuple[str, ...], int], dict[tuple[str, ...], int]]:
    """One pass over the file: the first line of every key path prefix, and of every inline table.
    (Scanning the file once per problem made a file of 40,000 unknown keys take minutes.)"""
    prefixes: dict[tuple[str, ...], int] = {}
    inline: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _key_path(header.group("path"))
            full = table
        else:
            assignment = _KEY.match(line)
            if not assignment:
                continue
            full = table + _key_path(assignment.group("path"))
            if "{" in line:
                inline.setdefault(full, number)
        for size in range(1, min(len(full), 2) + 1):
            prefixes.setdefault(full[:size], number)
    return prefixes, inline


def line_of_field(text: str, field: str) -> int | None:
    """The line of the answer key an issue's field names (`proxy.port`), else of its section.

    Fields named for the wizard's widgets map to the key the file uses for them: the
    passphrase and proxy password fields to whichever `*_env`/`*_file`/`*_keyring`/`generate`
    key is present.
    """
    section, _, key = field.partition(".")
    if section not in _SCHEMA:
        return None
    candidates = [key] if key in _SCHEMA[section] else []
    candidates += [k for k in _SCHEMA[section] if key and k.startswith(key + "_")]
    if key == "passphrase":
        candidates.append("generate")
    for candidate in candidates:
        line = _line_of(text, section, candidate)
        if line:
            return line
    return _line_of(text, section, None)


class _Reader:
    """Collects issues while turning the TOML document into model objects."""

    def __init__(self, text: str, base: Path) -> None:
        self.text = text
        self.base = base
        self.issues: list[Issue] = []
        self.dropped: list[str] = []   # codes of the problems past MAX_PROBLEMS

    def problem(self, section: str, key: str | None, code: str, detail: str) -> None:
        if len(self.issues) >= MAX_PROBLEMS:
            # Each line lookup scans the file: uncapped, a file of 40,000 unknown keys took minutes.
            self.dropped.append(code)
            return
        line = _line_of(self.text, section, key)
        told = L_("{detail} (line {line}).", detail=detail, line=line) if line else LazyText("{detail}.", detail=detail)
        self.issues.append(issue(f"{section}.{key}" if key else section, code, told))

    def table(self, doc: Mapping[str, Any], section: str) -> dict[str, Any]:
        value = doc.get(section, {})
        if not isinstance(value, dict):
            self.problem(section, None, "answers.wrong_type", L_("[{section}] must be a table", section=section))
            return {}
        good: dict[str, Any] = {}
        for key, item in value.items():
            expected = _SCHEMA[section].get(key)
            dotted = section + "." + key
            if expected is None:
                self.problem(section, key, "answers.unknown_key", L_("unknown key {key}", key=dotted))
            elif not isinstance(item, expected) or (isinstance(item, bool) and bool not in expected):
                names = _either([_TYPE_NAMES[t] for t in expected])
                self.problem(section, key, "answers.wrong_type",
                             L_("{key} must be {types}", key=dotted, types=names))
            else:
                good[key] = item
        return good

    def path(self, value: str | None) -> Path | None:
        if not value:
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.base / path).resolve()

    def time(self, section: str, key: str, value: str | None, default: time) -> time:
        if value is None:
            return default
        parsed, found = parse_time_text(f"{section}.{key}", value)
        self._relocate(section, key, found)
        return parsed or default

    def bandwidth(self, section: str, key: str, value: str | int | None, default: Bandwidth) -> Bandwidth:
        if value is None:
            return default
        parsed, found = parse_bandwidth_text(f"{section}.{key}", value)
        self._relocate(section, key, [i for i in found if parsed is None])
        return parsed or default

    def _relocate(self, section: str, key: str, found: list[Issue]) -> None:
        line = _line_of(self.text, section, key)
        for item in found:
            if not line:
                self.issues.append(item)
                continue
            where = L_("(line {line})", line=line)
            detail = LazyText("{detail} {where}", detail=item.detail, where=where) if item.detail else where
            self.issues.append(replace(item, message=f"{item.message} {in_language(where)}", detail=detail))

    def secret_source(self, section: str, table: Mapping[str, Any], prefix: str,
                      allow_generate: bool = False) -> SecretSource | None:
        chosen = []
        if f"{prefix}_env" in table:
            chosen.append(SecretSource(SourceKind.ENV, table[f"{prefix}_env"]))
        if f"{prefix}_file" in table:
            chosen.append(SecretSource(SourceKind.FILE, str(self.path(table[f"{prefix}_file"]))))
        if table.get(f"{prefix}_keyring"):
            chosen.append(SecretSource(SourceKind.KEYRING))
        if allow_generate and table.get("generate"):
            chosen.append(SecretSource(SourceKind.GENERATE))
        if len(chosen) > 1:
            self.problem(section, f"{prefix}_env", "answers.wrong_type",
                         L_("give only one source for the {section} {what}", section=section, what=prefix))
        return chosen[0] if chosen else None


_E = TypeVar("_E", bound=StrEnum)


def _choice(reader: "_Reader", table: dict[str, Any], section: str, key: str, default: _E) -> _E:
    """`key` of `table` as one of `default`'s enum values; anything else is a wrong_type problem
    naming every allowed value, and the default stands in so the other checks still run."""
    kind = type(default)
    try:
        return kind(table.get(key, default.value))
    except ValueError:
        reader.problem(section, key, "answers.wrong_type",
                       L_("{key} must be {types}", key=f"{section}.{key}",
                          types=", ".join(f'"{member.value}"' for member in kind)))
        return default


def parse_answers(text: str, *, base: Path | None = None, path: Path | None = None) -> Answers:
    """The answer file `text`; relative paths resolve against `base` (default: the working folder *now*)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidAnswers([issue("answers", "answers.malformed", f"({error})")]) from None
    except RecursionError:
        raise InvalidAnswers([issue("answers", "answers.malformed", "(arrays or tables nested too deeply)")]) from None
    reader = _Reader(text, base if base is not None else Path.cwd())
    for section in doc:
        if section not in _SCHEMA:
            reader.problem(section, None, "answers.unknown_key", L_("unknown section [{section}]", section=section))
    machine_t, proxy_t, vault_t = (reader.table(doc, s) for s in ("machine", "proxy", "vault"))
    throttling_t, recovery_t, encryption_t = (reader.table(doc, s) for s in ("throttling", "recovery", "encryption"))

    mode = _choice(reader, proxy_t, "proxy", "mode", ProxyMode.NONE)
    bypass = proxy_t.get("bypass", [])
    if not all(isinstance(entry, str) for entry in bypass):
        reader.problem("proxy", "bypass", "answers.wrong_type",
                       L_("{key} must be a list of strings", key="proxy.bypass"))
        bypass = []
    auth = _choice(reader, proxy_t, "proxy", "auth", ProxyAuth.AUTO)
    proxy = ProxySettings(mode, proxy_t.get("host", ""), proxy_t.get("port"), proxy_t.get("username", ""),
                          auth=auth, integrated=proxy_t.get("integrated", False),
                          pac_url=proxy_t.get("pac_url", ""), bypass=tuple(bypass))

    days: set[Weekday] = set()
    for day in throttling_t.get("work_days", [d.key for d in ThrottlingSchedule().work_days]):
        try:
            days.add(Weekday.from_key(str(day)))
        except KeyError:
            reader.problem("throttling", "work_days", "answers.wrong_type",
                           L_("{value} is not a weekday name", value=repr(day)))
    defaults = ThrottlingSchedule()
    throttling = ThrottlingSchedule(
        enabled=throttling_t.get("enabled", False), work_days=frozenset(days),
        work_start=reader.time("throttling", "work_start", throttling_t.get("work_start"), defaults.work_start),
        work_end=reader.time("throttling", "work_end", throttling_t.get("work_end"), defaults.work_end),
        work_bandwidth=reader.bandwidth("throttling", "work_bandwidth", throttling_t.get("work_bandwidth"),
                                        defaults.work_bandwidth),
        non_work_bandwidth=reader.bandwidth("throttling", "non_work_bandwidth",
                                            throttling_t.get("non_work_bandwidth"), defaults.non_work_bandwidth),
    )
    secret_store = reader.table(doc, "secrets").get("store")
    if secret_store is not None and secret_store not in STORES:
        reader.problem("secrets", "store", "answers.wrong_type",
                       L_("{key} must be {types}", key="secrets.store", types=_either([f'"{name}"' for name in STORES])))
        secret_store = None
    space_needed = None
    if "space_needed" in recovery_t:
        raw = recovery_t["space_needed"]
        space_needed = raw if isinstance(raw, int) else parse_size_text(raw)
        if space_needed is None:
            reader.problem("recovery", "space_needed", "recovery.space_needed_invalid",
                           L_("{value} is not a size", value=repr(raw)))
    settings = RegistrationSettings(
        machine=MachineSettings(machine_t.get("name")),
        proxy=proxy,
        vault=VaultSettings(reader.path(vault_t.get("credentials_file")), reader.path(vault_t.get("ca_bundle"))),
        throttling=throttling,
        recovery=RecoveryFolder(reader.path(recovery_t.get("folder")), recovery_t.get("create", False), space_needed),
        # In unattended mode, naming save_passphrase_to is the operator's promise to keep the file safe.
        encryption=EncryptionSettings(save_to=reader.path(encryption_t.get("save_passphrase_to")), stored_safely=True,
                                      escrow=encryption_t.get("escrow")),
        secret_store=secret_store,
    )
    proxy_password = reader.secret_source("proxy", proxy_t, "password")
    passphrase = reader.secret_source("encryption", encryption_t, "passphrase", allow_generate=True)
    pin = reader.secret_source("security", reader.table(doc, "security"), "pin")
    answers = Answers(settings, proxy_password, passphrase, path, frozenset(doc), pin=pin)
    if reader.dropped:
        reader.issues.append(issue("answers", reader.dropped[0],
                                   f"{len(reader.dropped)} more problems of this file are not shown: fix the ones "
                                   "above and check again."))
    if reader.issues:
        raise InvalidAnswers(reader.issues, answers=answers)
    return answers


ANSWER_FILE_LIMIT = 4 * 1024 * 1024  # far above any real answer file; /dev/zero or a log is refused at once


def load_answers(path: str | Path) -> Answers:
    from wizard.core.small_file import UnsafeFile, read_small_file

    path = Path(path).expanduser().resolve()
    try:
        text = read_small_file(path, ANSWER_FILE_LIMIT).decode("utf-8-sig")
    except UnsafeFile as error:
        raise RegisterServerError("answers.unreadable", reason=error.reason, detail=f"{error.detail}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RegisterServerError("answers.unreadable", detail=f"{path}: {error.__class__.__name__}.") from None
    return parse_answers(text, base=path.parent, path=path)


SecretPrompt = Callable[[str], str]


def resolve_secret(source: SecretSource, *, what: str, environ: Mapping[str, str],
                   keyring_get: Callable[[], Secret | None] | None = None,
                   prompt: SecretPrompt | None = None) -> Secret:
    """Fetch one secret; a missing one is `secrets.missing` naming where it was looked for."""
    if source.kind is SourceKind.ENV:
        if environ.get(source.name):
            return Secret(environ[source.name])
    elif source.kind is SourceKind.FILE:
        return _read_secret_file(Path(source.name), what)
    elif source.kind is SourceKind.KEYRING and keyring_get is not None:
        value = keyring_get()
        if value:
            return value
    elif source.kind is SourceKind.GENERATE:
        from wizard.core.passphrase import generate_passphrase

        return generate_passphrase()
    elif source.kind is SourceKind.PROMPT and prompt is not None:
        return Secret(prompt(f"{what}: "))
    raise RegisterServerError("secrets.missing", detail=f"The {what} was looked for in {source.describe()}.")


def _read_secret_file(path: Path, what: str) -> Secret:
    """A passphrase file this product wrote (its marked line), or a file whose first line is the secret."""
    from wizard.core.passphrase_file import read_passphrase_file, read_secret_bytes

    try:
        return read_passphrase_file(path)
    except RegisterServerError as error:
        if error.reason != "no_passphrase_line":
            raise
    first_line = read_secret_bytes(path).decode("utf-8-sig", errors="replace").splitlines()[:1]
    if first_line and first_line[0]:
        return Secret(first_line[0])
    raise RegisterServerError("secrets.missing", detail=f"The {what} file {path} is empty.")


def dump_answers(settings: RegistrationSettings, *,
                 proxy_password_env: str = DEFAULT_PROXY_PASSWORD_ENV,
                 passphrase_env: str = DEFAULT_PASSPHRASE_ENV) -> str:
    """The answer file for `settings`, with secrets referred to by environment variable."""
    import tomli_w

    doc: dict[str, Any] = {}
    if settings.machine.name:
        doc["machine"] = {"name": settings.machine.name}
    proxy: dict[str, Any] = {"mode": settings.proxy.mode.value}
    if settings.proxy.mode is ProxyMode.CUSTOM:
        proxy["host"] = settings.proxy.host
        if settings.proxy.port is not None:
            proxy["port"] = settings.proxy.port
        if settings.proxy.username:
            proxy["username"] = settings.proxy.username
            proxy["password_env"] = proxy_password_env
    if settings.proxy.mode is not ProxyMode.NONE:
        if settings.proxy.auth is not ProxyAuth.AUTO:
            proxy["auth"] = settings.proxy.auth.value
        if settings.proxy.integrated:
            proxy["integrated"] = True
    if settings.proxy.mode is ProxyMode.PAC:
        proxy["pac_url"] = settings.proxy.pac_url
    if settings.proxy.bypass and settings.proxy.mode in (ProxyMode.CUSTOM, ProxyMode.PAC):
        proxy["bypass"] = list(settings.proxy.bypass)
    doc["proxy"] = proxy
    vault: dict[str, Any] = {}
    if settings.vault.credentials_file:
        vault["credentials_file"] = str(settings.vault.credentials_file)
    if settings.vault.ca_bundle:
        vault["ca_bundle"] = str(settings.vault.ca_bundle)
    doc["vault"] = vault
    t = settings.throttling
    doc["throttling"] = {
        "enabled": t.enabled, "work_days": [d.key for d in sorted(t.work_days)],
        "work_start": t.work_start.strftime("%H:%M"), "work_end": t.work_end.strftime("%H:%M"),
        "work_bandwidth": format_bandwidth(t.work_bandwidth.bits_per_second),
        "non_work_bandwidth": format_bandwidth(t.non_work_bandwidth.bits_per_second),
    }
    recovery: dict[str, Any] = {"create": settings.recovery.create}
    if settings.recovery.path:
        recovery["folder"] = str(settings.recovery.path)
    if settings.recovery.space_needed_bytes:
        recovery["space_needed"] = settings.recovery.space_needed_bytes
    doc["recovery"] = recovery
    encryption: dict[str, Any] = {"passphrase_env": passphrase_env}
    if settings.encryption.save_to:
        encryption["save_passphrase_to"] = str(settings.encryption.save_to)
    doc["encryption"] = encryption
    if settings.secret_store is not None:
        doc["secrets"] = {"store": settings.secret_store}
    header = (
        "# register-server answer file. It holds no secrets: before running\n"
        "#   register-server register --answers THIS_FILE\n"
        f"# set {passphrase_env} to the encryption passphrase"
        + (f" and {proxy_password_env} to the proxy password" if "password_env" in proxy else "")
        + ".\n"
    )
    return header + tomli_w.dumps(doc)


def resolve_answers(answers: Answers, *, environ: Mapping[str, str], state_root: Path | None = None,
                    prompt: SecretPrompt | None = None, problems: list[Issue] | None = None) -> RegistrationSettings:
    """The answer file's settings with every secret fetched.

    Without a named source, a secret is asked for at `prompt` (a terminal) or is
    `secrets.missing`. A passphrase typed at a prompt is asked twice. With `problems`, a
    secret that cannot be fetched is added there (tagged with its field) instead of raised,
    so both secrets are looked for in one run.
    """
    settings = answers.settings

    def keyring_getter(name: str) -> Callable[[], Secret | None]:
        def get() -> Secret | None:
            from wizard.core.paths import state_dir
            from wizard.core.secrets.store import SecretStore

            return SecretStore.for_state_dir(state_root or state_dir(), settings.secret_store).get(name)
        return get

    proxy = settings.proxy
    if proxy.mode is ProxyMode.CUSTOM and proxy.username:
        source = answers.proxy_password or SecretSource(SourceKind.PROMPT)
        password = _collecting(problems, "proxy.password", lambda: resolve_secret(
            source, what="proxy password", environ=environ, keyring_get=keyring_getter("proxy-password"),
            prompt=prompt))
        proxy = replace(proxy, password=password)
    source = answers.passphrase or SecretSource(SourceKind.PROMPT)
    passphrase = _collecting(problems, "encryption.passphrase", lambda: resolve_secret(
        source, what="encryption passphrase", environ=environ, keyring_get=keyring_getter("backup-passphrase"),
        prompt=prompt))
    confirmation = passphrase
    if passphrase is not None and source.kind is SourceKind.PROMPT and prompt is not None:
        confirmation = Secret(prompt("Confirm the encryption passphrase: "))
    encryption = replace(settings.encryption, passphrase=passphrase, confirmation=confirmation)
    return replace(settings, proxy=proxy, encryption=encryption)


def _collecting(problems: list[Issue] | None, field: str, fetch: Callable[[], Secret]) -> Secret | None:
    """`fetch()`; with a `problems` list, a refusal is recorded there as `field`'s issue and None returned."""
    if problems is None:
        return fetch()
    try:
        return fetch()
    except RegisterServerError as error:
        problems.append(Issue(field, error.code, error.message))
        return None
