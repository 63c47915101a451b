// A scripted HTTP/1.1 server on 127.0.0.1 for tests: routes are lambdas, every request is
// logged (method, target, headers), and a response can misbehave on purpose (drip the body,
// reset the connection, use chunked coding). One thread per connection, so a handler may
// block (to hold requests open) without stalling the others. No Beast types leak out.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wirewatch::test_support {

/// One request as the server received it.
struct ReceivedRequest {
  std::string method;
  std::string target;                                        // path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;  // in the order sent
  std::string body;
  std::size_t connection = 0;  // 1-based number of the connection that carried it

  /// The value of a header (name compared case-insensitively), nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
};

/// What a route answers. The defaults give a 200 with a Content-Length.
struct ScriptedResponse {
  /// A plain answer; set the other members for misbehaviour.
  ScriptedResponse(unsigned status_code = 200,
                   std::vector<std::pair<std::string, std::string>> header_fields = {},
                   std::string content = {})
      : status(status_code), headers(std::move(header_fields)), body(std::move(content)) {}

  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool chunked = false;  // send the body with chunked coding instead of a Content-Length
  bool close = false;    // close the connection after this response
  bool reset = false;    // answer nothing: close the connection with a TCP RST
  std::chrono::milliseconds drip_interval{0};  // > 0: send the body one byte per interval
  std::optional<std::string> raw;  // send these bytes verbatim instead of a response, then close
};

/// A route: gets the request, returns the answer. Runs on the connection's own thread.
using Handler = std::function<ScriptedResponse(const ReceivedRequest&)>;

/// The server. Listens on an ephemeral port from construction until stop() or destruction.
class HttpTestServer {
 public:
  /// Binds 127.0.0.1 on an ephemeral port and starts accepting.
  HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;
  /// Stops the server (see stop()).
  ~HttpTestServer();

  /// Answers requests whose path (target without the query) equals `path`; later routes
  /// for the same path replace earlier ones. Unrouted paths get a 404.
  void route(std::string path, Handler handler);

  /// Shorthand: always answer `status` with `body` and these headers.
  void route(std::string path, unsigned status, std::string body,
             std::vector<std::pair<std::string, std::string>> headers = {});

  /// The listening port.
  unsigned short port() const;

  /// "http://127.0.0.1:<port><path>".
  std::string url(std::string_view path) const;

  /// Every request received so far, in arrival order.
  std::vector<ReceivedRequest> requests() const;

  /// The requests received so far for one path (target without the query).
  std::vector<ReceivedRequest> requests(std::string_view path) const;

  /// Connections accepted so far.
  std::size_t connections() const;

  /// Requests being answered right now (read, response not yet fully written).
  std::size_t in_flight() const;

  /// The most requests that were being answered at the same time.
  std::size_t max_in_flight() const;

  /// Stops accepting, cuts open connections and joins every thread. Idempotent.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// gzip-compresses (RFC 1952) with zlib, for routes that serve Content-Encoding: gzip.
std::string gzip_compress(std::string_view data);

/// zlib-compresses (RFC 1950), which is what HTTP calls Content-Encoding: deflate.
std::string zlib_compress(std::string_view data);

/// brotli-compresses, for Content-Encoding: br.
std::string brotli_compress(std::string_view data);

}  // namespace wirewatch::test_support
