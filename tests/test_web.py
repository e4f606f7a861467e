"""rag/web.py: access settings, token checks, rate limits and the register of received uploads."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from rag.errors import InputError
from rag.web import (
    RateLimiter,
    Refused,
    Uploads,
    WebSettings,
    bearer,
    check_text,
    is_loopback,
    same_secret,
)

TOKEN = "admin-token-0123456789"


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- settings and tokens


def test_settings_from_env_and_defaults() -> None:
    web = WebSettings.from_env({"RAG_ADMIN_TOKEN": TOKEN, "RAG_RATE_LIMIT": "5", "RAG_UPLOAD_MAX_MB": "7",
                                "RAG_WORKERS": "3"}, loopback=False)  # fmt: skip
    assert (web.admin_token, web.ask_per_minute, web.upload_max_bytes, web.workers) == (TOKEN, 5, 7 * 1024 * 1024, 3)
    default = WebSettings.from_env({})
    assert default.admin_token is None and default.read_token is None and default.loopback
    assert default.ask_per_minute == 60 and default.workers >= 2


@pytest.mark.parametrize(
    "env",
    [{"RAG_RATE_LIMIT": "many"}, {"RAG_RATE_LIMIT": "-1"}, {"RAG_WORKERS": "0"}, {"RAG_UPLOAD_MAX_MB": "0"},
     {"RAG_ADMIN_TOKEN": "has space"}, {"RAG_READ_TOKEN": "令牌"}, {"RAG_ADMIN_TOKEN": "tab\there"}],
)  # fmt: skip
def test_bad_settings_say_what_is_wrong(env: dict[str, str]) -> None:
    with pytest.raises(InputError):
        WebSettings.from_env(env)


def test_tokens_never_appear_in_repr_or_warnings() -> None:
    web = WebSettings(admin_token="short-admin", read_token="short-read")
    shown = repr(web) + " ".join(web.warnings())
    assert "short-admin" not in shown and "short-read" not in shown
    assert any("RAG_ADMIN_TOKEN is shorter" in w for w in web.warnings())


@pytest.mark.parametrize(
    ("loopback", "token", "open_"), [(True, None, True), (True, TOKEN, True), (False, TOKEN, True), (False, None, False)]
)
def test_uploads_need_a_token_only_beyond_loopback(loopback: bool, token: str | None, open_: bool) -> None:
    web = WebSettings(admin_token=token, loopback=loopback)
    assert web.uploads_open is open_
    assert bool(web.warnings()) is (not open_)


def test_check_admin_statuses() -> None:
    with pytest.raises(Refused) as off:
        WebSettings(loopback=False).check_admin(TOKEN)
    assert off.value.status == 403
    guarded = WebSettings(admin_token=TOKEN, loopback=False)
    guarded.check_admin(TOKEN)
    for wrong in (None, "", "x", TOKEN + " ", TOKEN.upper()):
        with pytest.raises(Refused) as denied:
            guarded.check_admin(wrong)
        assert denied.value.status == 401 and TOKEN not in str(denied.value)
    WebSettings().check_admin(None)  # loopback, no token: open


def test_check_reader() -> None:
    WebSettings().check_reader(None)
    reader = WebSettings(read_token=TOKEN)
    reader.check_reader(TOKEN)
    with pytest.raises(Refused) as denied:
        reader.check_reader("nope")
    assert denied.value.status == 401


@pytest.mark.parametrize(
    ("given", "same"), [(TOKEN, True), (TOKEN[:-1], False), (None, False), ("", False), ("\ud800", False), (5, False)]
)
def test_same_secret(given: object, same: bool) -> None:
    assert same_secret(given, TOKEN) is same  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None), ("Bearer", None), ("", None), (None, None),
     ("Bearerabc", None)],
)  # fmt: skip
def test_bearer(header: str | None, token: str | None) -> None:
    assert bearer(header) == token


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True), ("0.0.0.0", False),
     ("::", False), ("192.168.1.5", False), ("example.org", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# ---------------------------------------------------------------- text checks


@pytest.mark.parametrize("value", ["北京市", "多行\n问题\t带制表符\r", "😀", "a" * 10])
def test_check_text_accepts_what_a_person_types(value: str) -> None:
    assert check_text(value, "question", 20) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [(5, "must be a string"), (None, "must be a string"), (["a"], "must be a string"), ("a" * 11, "limit is 10"),
     ("北京\ud800", "surrogate"), ("\x00", "control"), ("a\x1bb", "control"), ("\x85", "control")],
)  # fmt: skip
def test_check_text_refuses_without_repeating(value: object, message: str) -> None:
    with pytest.raises(InputError, match=message) as error:
        check_text(value, "question", 10)
    assert "北京" not in str(error.value)


# ---------------------------------------------------------------- rate limits


def test_rate_limiter_spends_refills_and_separates_clients() -> None:
    clock = Clock()
    limiter = RateLimiter(3, "questions", clock)
    for _ in range(3):
        limiter.check("a")
    with pytest.raises(Refused) as spent:
        limiter.check("a")
    assert spent.value.status == 429 and spent.value.retry_after == 20  # one question every 20 s
    limiter.check("b")  # another client has its own allowance
    clock.now += 20
    limiter.check("a")
    with pytest.raises(Refused):
        limiter.check("a")


def test_rate_limiter_off_and_bounded() -> None:
    off = RateLimiter(0)
    for _ in range(1000):
        off.check("a")
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    limiter.MAX_CLIENTS = 50
    for i in range(200):
        limiter.check(f"10.0.0.{i}")
        clock.now += 0.01
    assert len(limiter._buckets) <= 51


# ---------------------------------------------------------------- received uploads


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "gradio"
    path.mkdir()
    return path


def received(folder: Path, name: str = "a.txt", data: bytes = b"x") -> Path:
    """A file laid out as Gradio's upload route writes it: folder/<hash>/<name>."""
    directory = folder / f"hash-{name}"
    directory.mkdir()
    path = directory / name
    path.write_bytes(data)
    return path


def test_a_received_file_is_claimed_once_by_its_client_then_deleted(folder: Path) -> None:
    uploads = Uploads(folder, 10_000)
    path = received(folder)
    uploads.record("10.0.0.1", [str(path)])
    assert uploads.claim("10.0.0.1", str(path)) == path.resolve()
    with pytest.raises(Refused):
        uploads.claim("10.0.0.2", str(path))  # another client may not use it
    uploads.release("10.0.0.1", path)
    assert not path.exists() and not path.parent.exists()
    with pytest.raises(Refused):
        uploads.claim("10.0.0.1", str(path))


def test_files_that_were_not_received_are_refused_logged_and_never_deleted(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    uploads = Uploads(folder, 10_000)
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    planted = received(folder, "planted.txt")  # in the upload folder, but not handed to anyone
    for raw in (str(outside), str(planted), "http://example.org/a.txt", "", None, 5, "a\x00b", "../../etc/passwd"):
        with caplog.at_level(logging.WARNING), pytest.raises(Refused) as refused:
            uploads.claim("10.0.0.1", raw)
        assert refused.value.status == 400
        uploads.release("10.0.0.1", raw)
    assert outside.exists() and planted.exists()
    assert caplog.text.count("did not upload here") == 8


def test_a_file_two_clients_uploaded_stays_until_both_are_done(folder: Path) -> None:
    uploads = Uploads(folder, 10_000)
    path = received(folder)
    uploads.record("a", [str(path)])
    uploads.record("b", [str(path)])
    uploads.release("a", path)
    assert path.exists() and uploads.claim("b", str(path))
    uploads.release("b", path)
    assert not path.exists()


def test_old_files_are_swept_and_space_is_bounded(folder: Path) -> None:
    clock = Clock(10_000.0)
    uploads = Uploads(folder, 1000, ttl=60, clock=clock)
    old, new = received(folder, "old.txt", b"o" * 600), received(folder, "new.txt", b"n" * 300)
    os.utime(old, (clock.now - 120, clock.now - 120))
    os.utime(new, (clock.now - 10, clock.now - 10))
    uploads.record("a", [str(old), str(new)])
    uploads.admit("a", 600)  # sweeping the old file makes room
    assert not old.exists() and new.exists()
    with pytest.raises(Refused) as full:
        uploads.admit("a", 800)
    assert full.value.status == 429 and full.value.retry_after


def test_the_number_of_waiting_files_is_bounded(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rag import web

    monkeypatch.setattr(web, "MAX_RECEIVED_FILES", 3)
    uploads = Uploads(folder, 10_000)
    for name in ("a.txt", "b.txt"):
        received(folder, name)
    uploads.admit("a", 1)
    received(folder, "c.txt")
    with pytest.raises(Refused) as full:
        uploads.admit("a", 1)
    assert full.value.status == 429
