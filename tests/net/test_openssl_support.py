"""OpenSSL release lines past their end of life are named (the Windows build must not ship one)."""

from __future__ import annotations

import datetime

from wizard.net.openssl_support import line_status, release_line

DAY = datetime.date(2026, 12, 2)


def test_the_embeddable_cpython_openssl_is_past_its_end_of_life() -> None:
    assert release_line("OpenSSL 3.0.13 30 Jan 2024") == (3, 0)
    for old in ("OpenSSL 3.0.13 30 Jan 2024", "OpenSSL 3.1.8 11 Feb 2025", "OpenSSL 3.2.4 11 Feb 2025",
                "OpenSSL 3.3.3 11 Feb 2025", "OpenSSL 3.4.1 11 Feb 2025", "OpenSSL 1.1.1w 11 Sep 2023",
                "OpenSSL 1.0.2u 20 Dec 2019"):
        supported, words = line_status(old, DAY)
        assert not supported and "end of life" in words, old


def test_the_lts_line_and_newer_lines_are_supported() -> None:
    assert line_status("OpenSSL 3.5.4 30 Sep 2025", DAY) == (True, "line 3.5 supported until 2030-04-08")
    assert line_status("OpenSSL 4.0.0 1 Apr 2026", DAY)[0]
    assert line_status("OpenSSL 3.0.13 30 Jan 2024", datetime.date(2026, 1, 1))[0]  # before its end date


def test_the_self_test_names_the_line_status() -> None:
    from wizard.self_test import check_tls

    assert "line " in check_tls().detail or "newer than" in check_tls().detail
