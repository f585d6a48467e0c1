"""A partner's webhook receiver on a local port, recording what it is sent."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    # Answers to give, in order; once used up, every request gets 200.
    answers: list[int] = field(default_factory=list)
    # Seconds to wait before answering the first request (to catch a delivery in flight).
    first_delay: float = 0
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_answer(self) -> tuple[int, float]:
        with self.lock:
            delay = self.first_delay if not self.requests else 0
            status = self.answers.pop(0) if self.answers else 200
            return status, delay

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return self.requests
            time.sleep(0.1)
        raise AssertionError(f"The receiver got {len(self.requests)} requests, not {count}.")


@pytest.fixture
def webhook_receiver():
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, delay = receiver.next_answer()
            with receiver.lock:
                # Header names are case-insensitive; clients differ in how they spell them.
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append(Received(headers, body))
            time.sleep(delay)
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_port}/hooks/gcm"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
