"""A client of wirewatch's socket sink that follows it and, after every disconnect, reconnects
with {"since": <the last seq it received>}, so it should see each retained record once.
Shared by crash_test.py and soak.py; subclasses say what "last" is and what to do per line."""

import json
import socket
import threading
import time


class ResumingClient:
    def __init__(self, path, retry_delay=0.05):
        """Starts following at once: subclasses set their own state before calling this."""
        self.path = path
        self.retry_delay = retry_delay
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def last(self):
        """The seq to resume after."""
        raise NotImplementedError

    def on_line(self, line):
        """One complete line the sink sent (bytes, without its newline)."""
        raise NotImplementedError

    def on_chunk(self):
        """Called after the complete lines of one read."""

    def loop(self):
        while self.running:
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(0.5)
                sock.connect(self.path)
            except OSError:
                time.sleep(self.retry_delay)
                continue
            self.connections += 1
            try:
                sock.sendall((json.dumps({"since": self.last(), "follow": True}) + "\n").encode())
                buffer = b""
                while self.running:
                    try:
                        chunk = sock.recv(1 << 16)
                    except socket.timeout:
                        continue
                    if not chunk:
                        break
                    buffer += chunk
                    *lines, buffer = buffer.split(b"\n")  # a torn last piece is never a record
                    for line in lines:
                        self.on_line(line)
                    self.on_chunk()
            except OSError:
                pass
            finally:
                sock.close()
            time.sleep(self.retry_delay)

    def stop(self):
        self.running = False
        self.thread.join()
