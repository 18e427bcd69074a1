"""Field-tagged validation results.

Validators never raise for bad input: they return `Issue`s. The `field` is the
answer-file key (also the widget's accessible name), so the wizard knows where to show
a message, the command line which key to name, and the flow which page can fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wizard.core.errors import info
from wizard.core.i18n import SHIPPED, in_language


class Severity(StrEnum):
    ERROR = "error"      # blocks Next / exits non-zero
    WARNING = "warning"  # shown, does not block
    INFO = "info"


@dataclass(frozen=True)
class Issue:
    field: str
    code: str
    message: str
    severity: Severity = Severity.ERROR
    # What to do when this case has a better answer than the catalogue's general one (an
    # expired file with a newer download beside it: use that one, not "download again").
    advice: str | None = None
    # The occurrence's own words after the catalogue text, as given (a LazyText renders in any
    # language: `message_in` shows it in the reader's, `message` keeps the words it was made in).
    detail: str | None = None

    @property
    def fix(self) -> str:
        return self.advice if self.advice is not None else info(self.code).fix

    def message_in(self, language: str) -> str:
        """The message in `language`: its catalogue part swapped, its detail translated too when
        it was made with `L_()` (else kept as it is: a path, a library's words).

        `message` was rendered in the language active when the issue was made (catalogue
        text, then an optional detail); a message that starts with no language's catalogue
        text is returned as is.
        """
        entry = info(self.code)
        for made_in in SHIPPED:
            shown = entry.message_in(made_in)
            if self.message == shown or self.message.startswith(shown + " "):
                if self.detail is not None:
                    return f"{entry.message_in(language)} {in_language(self.detail, language)}"
                return entry.message_in(language) + self.message[len(shown):]
        return self.message

    def fix_in(self, language: str) -> str:
        return self.advice if self.advice is not None else info(self.code).fix_in(language)

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR


def issue(field: str, code: str, detail: str | None = None, severity: Severity = Severity.ERROR) -> Issue:
    """An Issue whose message is the catalogue's, optionally refined by `detail` (both in the
    active language; a LazyText detail renders in another one with `message_in`)."""
    message = info(code).message
    return Issue(field, code, f"{message} {in_language(detail)}" if detail else message, severity,
                 detail=detail or None)


def errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.blocking]
