"""The loopback feed server shared by scripts/crash_test.py and bench/socket_load.py.

serve(publisher) starts a threading HTTP server on 127.0.0.1 (a free port) whose GET answers
from publisher.document(path): None is a 404, (etag, body) a 200 with that ETag, or a 304
when the request's If-None-Match is that ETag.
"""
import http.server
import threading


def make_handler(publisher):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            document = publisher.document(self.path.split("?")[0])
            if document is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag, body = document
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def serve(publisher):
    """Starts the server on a daemon thread; returns it (server.server_address[1] is the port)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(publisher))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
