"""Proxy auto-configuration (PAC): fetch the file, run its `FindProxyForURL` in a sandbox, read the answer.

A PAC file is a script from the network, so it is treated as hostile:

* **Download** (`fetch_pac`): directly, never through a proxy (as WinHTTP does), at most
  `MAX_PAC_BYTES`, within the product's request deadline (`wizard.net.deadline`, so a server
  that drips its answer byte by byte is cut off), at most `MAX_REDIRECTS` redirects.
  `file://` addresses (Windows' AutoConfigURL may name one) are read with the same size limit.
* **Evaluation** (`evaluate`): QuickJS through the `quickjs` binding, a fresh engine per run with
  no host objects at all — no file system, no environment, no `require`, no Python callable —
  and the engine's own CPU-time, memory and stack limits, so `for(;;){}` or a runaway string
  stops with `pac.evaluation_failed` instead of hanging. (pypac's own `PACFile` runs on dukpy,
  whose interpreter hands every script `process.env` — this process's environment, where
  secrets such as the proxy password may be — and a `require` that loads files, and cannot be
  interrupted; and the `quickjs` binding refuses Python callables while a time limit is set.)
* **The PAC helpers** (`shExpMatch`, `isInNet`, `dnsResolve`, `myIpAddress`, ...) are pypac's
  well-tested Python implementations, reached without a callable: each helper in the engine
  looks its answer up in a table; a call the table cannot answer is recorded and aborts the
  run, Python computes the answers (DNS bounded by `DNS_SECONDS` per name), and the script runs
  again from the start with the bigger table. A PAC script is a pure function of its helpers'
  answers, so the last run is the one a browser would have made; at most `MAX_HELPER_CALLS`
  distinct calls and `EVAL_CPU_SECONDS` of engine time in all.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from wizard.core.errors import RegisterServerError
from wizard.core.limits import MAX_PAC_BYTES
from wizard.net.deadline import Deadline, request_seconds, watch

MAX_REDIRECTS = 3
EVAL_CPU_SECONDS = 1.0           # all runs of one evaluation together
EVAL_MEMORY_BYTES = 64 * 1024 * 1024
EVAL_STACK_BYTES = 512 * 1024
MAX_HELPER_CALLS = 256
DNS_SECONDS = 2.0
CACHE_SECONDS = 60.0             # one registration asks for the same answer several times

# pypac's helpers that may wait for DNS: bounded by DNS_SECONDS, with their "no answer" value.
_DNS_HELPERS = {"dnsResolve": "", "dnsResolveEx": "", "myIpAddress": "127.0.0.1", "myIpAddressEx": "",
                "isResolvable": False, "isResolvableEx": False, "isInNet": False, "isInNetEx": False}
_NEEDS = "__register_server_pac_needs_an_answer__"


@dataclass(frozen=True)
class PacAnswer:
    """What the PAC at `pac_url` answered for `target_url`, raw and parsed."""

    pac_url: str
    target_url: str
    answer: str                    # "PROXY proxy.example:3128; DIRECT"
    choices: tuple[str, ...]       # ("http://proxy.example:3128", "DIRECT"): the usable entries, in order

    @property
    def first(self) -> str:
        return self.choices[0]


def _pac_error(code: str, reason: str, detail: str) -> RegisterServerError:
    return RegisterServerError(code, reason=reason, detail=f"({detail})")


# ---- download -------------------------------------------------------------------------------------

def fetch_pac(url: str, *, deadline: Deadline | None = None) -> str:
    """The PAC script at `url` (http, https or file), or `pac.download_failed` / `pac.too_large`."""
    parts = urlsplit(url)
    if parts.scheme.lower() == "file":
        return _decode(_read_file(url, Path(unquote(parts.path))))
    deadline = deadline or Deadline.after(request_seconds(), "PAC download")
    return _decode(_download(url, deadline))


def _read_file(url: str, path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PAC_BYTES + 1)
    except OSError as exc:
        raise _pac_error("pac.download_failed", "unreadable", f"{url}: {exc.strerror or exc}") from None
    if len(data) > MAX_PAC_BYTES:
        raise _pac_error("pac.too_large", "too_large", f"{url} is larger than {MAX_PAC_BYTES // 1024} KiB")
    return data


def _download(url: str, deadline: Deadline) -> bytes:
    import httpx

    from wizard.net.abort import abortable_backend
    from wizard.net.tls import ssl_context

    timeout = httpx.Timeout(min(deadline.remaining(), 10.0))
    with httpx.Client(trust_env=False, verify=ssl_context(None), timeout=timeout, follow_redirects=True,
                      max_redirects=MAX_REDIRECTS) as client:
        backend = abortable_backend(client)
        received = bytearray()
        try:
            with watch(deadline, backend.interrupt if backend else (lambda: None)) as watched:
                with client.stream("GET", url, headers={"Accept": "application/x-ns-proxy-autoconfig, */*"}) as reply:
                    if reply.status_code != 200:
                        raise _pac_error("pac.download_failed", f"http_{reply.status_code}",
                                         f"{url} answered HTTP {reply.status_code}")
                    declared = reply.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > MAX_PAC_BYTES:
                        raise _too_large(url)
                    for chunk in reply.iter_raw():
                        received += chunk
                        if len(received) > MAX_PAC_BYTES:
                            raise _too_large(url)
                        if deadline.passed:
                            break
        except httpx.HTTPError as exc:
            if backend is not None and watched.fired:
                raise _late(url, deadline) from None
            raise _pac_error("pac.download_failed", type(exc).__name__.lower(), f"{url}: {exc or type(exc).__name__}") \
                from None
        if deadline.passed:
            raise _late(url, deadline)
    return bytes(received)


def _too_large(url: str) -> RegisterServerError:
    return _pac_error("pac.too_large", "too_large", f"{url} is larger than {MAX_PAC_BYTES // 1024} KiB")


def _late(url: str, deadline: Deadline) -> RegisterServerError:
    return _pac_error("pac.download_failed", "deadline",
                      f"{url}: not downloaded within the {deadline.what}'s {deadline.seconds:g} s")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # older PAC files are often Windows-1252/Latin-1


# ---- evaluation -----------------------------------------------------------------------------------

def _helpers() -> dict[str, Callable[..., Any]]:
    from pypac.parser_functions import function_injections
    from pypac.parser_functions_ex import function_injections as ipv6_functions

    return {**function_injections, **ipv6_functions}


def _prelude(names: list[str]) -> str:
    """The engine's side of the helper table: a frozen object the script cannot replace."""
    stubs = "".join(f"function {name}() {{ return __pac_host.ask({json.dumps(name)}, "
                    "Array.prototype.slice.call(arguments)); }\n" for name in names)
    return ("const __pac_host = (function (answers) {\n"
            "  var asked = [];\n"
            "  return Object.freeze({\n"
            "    ask: function (name, args) {\n"
            "      var key = name + '\\u0000' + JSON.stringify(args);\n"
            "      if (Object.prototype.hasOwnProperty.call(answers, key)) return answers[key];\n"
            "      asked.push([key, name, args]);\n"
            f"      throw new Error({json.dumps(_NEEDS)});\n"
            "    },\n"
            "    asked: function () { return JSON.stringify(asked); }\n"
            "  });\n"
            "})(JSON.parse(__pac_answers));\n"
            "delete globalThis.__pac_answers;\n" + stubs)


def _bounded(function: Callable[..., Any], args: list[Any], fallback: Any) -> Any:
    """`function(*args)` if it returns within DNS_SECONDS, else `fallback` (a resolver that hangs
    is left to finish on a daemon thread; its answer is no longer wanted)."""
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(function(*args))
        except Exception:  # noqa: BLE001 - a helper's failure is "no answer", as in a browser
            box.append(fallback)

    worker = threading.Thread(target=run, name="pac-dns", daemon=True)
    worker.start()
    worker.join(DNS_SECONDS)
    return box[0] if box else fallback


def _answer_helper(helpers: dict[str, Callable[..., Any]], name: str, args: list[Any]) -> Any:
    function = helpers.get(name)
    if function is None:
        return None
    if name in _DNS_HELPERS:
        result = _bounded(function, args, _DNS_HELPERS[name])
    else:
        try:
            result = function(*args)
        except Exception:  # noqa: BLE001 - wrong argument types from the script: the helper says no
            result = False
    return result if isinstance(result, (str, bool, int, float)) or result is None else str(result)


class _Round:
    """One run of the script with the answers known so far."""

    def __init__(self, script: str, url: str, host: str, answers: dict[str, Any], names: list[str],
                 cpu_seconds: float) -> None:
        import quickjs

        self.engine = quickjs.Context()
        self.engine.set_memory_limit(EVAL_MEMORY_BYTES)
        self.engine.set_max_stack_size(EVAL_STACK_BYTES)
        self.engine.set_time_limit(max(cpu_seconds, 0.01))
        self.engine.set("__pac_answers", json.dumps(answers))
        self.engine.eval(_prelude(names))
        self.script, self.url, self.host = script, url, host

    def run(self) -> tuple[str | None, str | None]:
        """(answer, None) or (None, the script's error); the asked-for calls are in `asked()`."""
        import quickjs

        try:
            self.engine.eval(self.script)
        except quickjs.JSException as exc:
            return None, "load:" + str(exc)
        kind = self.engine.eval("typeof FindProxyForURL === 'function' ? 'FindProxyForURL' : "
                                "typeof FindProxyForURLEx === 'function' ? 'FindProxyForURLEx' : ''")
        if not kind:
            return None, "nofunction:"
        self.engine.set("__pac_url", self.url)
        self.engine.set("__pac_hostname", self.host)
        try:
            answer = self.engine.eval(f"String({kind}(__pac_url, __pac_hostname))")
        except quickjs.JSException as exc:
            return None, "run:" + str(exc)
        return str(answer), None

    def asked(self) -> list[tuple[str, str, list[Any]]]:
        """(key, helper, arguments) of each call the table could not answer; the key is the
        engine's own, so Python never has to reproduce JavaScript's JSON spelling."""
        return [(key, name, args) for key, name, args in json.loads(self.engine.eval("__pac_host.asked()"))]


_ENGINE_LOCK = threading.Lock()  # the binding is not known to be safe with engines on several threads


def evaluate(script: str, url: str, host: str, *, pac_url: str = "PAC file",
             cpu_seconds: float = EVAL_CPU_SECONDS) -> str:
    """`FindProxyForURL(url, host)` of `script`, or `pac.invalid` / `pac.evaluation_failed`."""
    helpers = _helpers()
    names = sorted(helpers)
    answers: dict[str, Any] = {}
    started = time.process_time()
    with _ENGINE_LOCK:
        while True:
            remaining = cpu_seconds - (time.process_time() - started)
            if remaining <= 0:
                raise _script_error("run:InternalError: interrupted", pac_url)
            try:
                round_ = _Round(script, url, host, answers, names, remaining)
                answer, error = round_.run()
                asked = round_.asked()
            except Exception as exc:  # noqa: BLE001 - the engine itself gave up (memory, stack)
                raise _script_error("run:" + str(exc), pac_url) from None
            if not asked:
                if error is not None:
                    raise _script_error(error, pac_url)
                assert answer is not None
                return answer
            new = [(key, name, args) for key, name, args in asked if key not in answers]
            if not new:  # the script asked again for what it was given: it cannot progress
                raise _pac_error("pac.evaluation_failed", "no_progress", f"{pac_url} kept asking the same helper call")
            for key, name, args in new:
                answers[key] = _answer_helper(helpers, name, args)
            if len(answers) > MAX_HELPER_CALLS:
                raise _pac_error("pac.evaluation_failed", "too_many_calls",
                                 f"{pac_url} made more than {MAX_HELPER_CALLS} different helper calls")


def _script_error(error: str, pac_url: str) -> RegisterServerError:
    stage, _, text = error.partition(":")
    first = (text.strip().splitlines() or ["no message"])[0][:200]
    if stage == "nofunction":
        return _pac_error("pac.invalid", "no_find_proxy", f"{pac_url} defines no FindProxyForURL function")
    if stage == "load" and first.startswith("SyntaxError"):
        return _pac_error("pac.invalid", "syntax", f"{pac_url}: {first}")
    if "interrupted" in first:
        return _pac_error("pac.evaluation_failed", "time_limit",
                          f"{pac_url} ran longer than {EVAL_CPU_SECONDS:g} s of processor time")
    if "out of memory" in first:
        return _pac_error("pac.evaluation_failed", "memory_limit",
                          f"{pac_url} needed more than {EVAL_MEMORY_BYTES // (1024 * 1024)} MiB")
    if "stack overflow" in first:
        return _pac_error("pac.evaluation_failed", "stack_limit", f"{pac_url}: {first}")
    return _pac_error("pac.evaluation_failed", "script_error", f"{pac_url}: {first}")


# ---- the answer -----------------------------------------------------------------------------------

def parse_answer(answer: str) -> tuple[str, ...]:
    """The usable entries of a `FindProxyForURL` answer, in order: ``DIRECT`` or a proxy URL.
    SOCKS entries are skipped (the client speaks HTTP proxies only); so is anything unreadable."""
    from pypac.parser import proxy_url

    usable = []
    for element in answer.split(";"):
        element = element.strip()
        if not element:
            continue
        try:
            parsed = proxy_url(element)
        except ValueError:
            continue
        if parsed == "DIRECT" or parsed.startswith(("http://", "https://")):
            usable.append(parsed)
    return tuple(usable)


_cache: dict[tuple[str, str], tuple[float, PacAnswer]] = {}
_scripts: dict[str, tuple[float, str]] = {}
_cache_lock = threading.Lock()


def pac_answer(pac_url: str, target_url: str, *, fetch: Callable[[str], str] = fetch_pac) -> PacAnswer:
    """What the PAC at `pac_url` answers for `target_url`; the script and the answer are kept for
    `CACHE_SECONDS` (one registration asks several times), failures are not kept (retry works)."""
    now = time.monotonic()
    key = (pac_url, target_url)
    with _cache_lock:
        kept = _cache.get(key)
        if kept is not None and now - kept[0] < CACHE_SECONDS:
            return kept[1]
        script_kept = _scripts.get(pac_url)
    fresh = script_kept is None or now - script_kept[0] >= CACHE_SECONDS
    script = fetch(pac_url) if fresh else script_kept[1]  # type: ignore[index]
    host = urlsplit(target_url).hostname or ""
    answer = evaluate(script, target_url, host, pac_url=pac_url)
    choices = parse_answer(answer)
    if not choices:
        raise _pac_error("pac.answer_invalid", "no_usable_entry",
                         f"{pac_url} answered {answer[:200]!r} for {target_url}")
    result = PacAnswer(pac_url, target_url, answer, choices)
    with _cache_lock:  # kept only once it gave an answer: a broken script is read again next time
        if fresh:
            _scripts[pac_url] = (now, script)
        _cache[key] = (now, result)
    return result


def forget_cached() -> None:
    """Drop every kept script and answer (a Test connection after the PAC file was fixed)."""
    with _cache_lock:
        _cache.clear()
        _scripts.clear()
