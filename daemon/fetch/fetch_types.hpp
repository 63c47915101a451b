// The fetch stage's vocabulary: what the scheduler asks for (FetchRequest) and what it gets
// back (FetchResult). Plain values, no curl or asio types, so callers need neither.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::fetch {

/// How a fetch ended, one class per scheduler policy.
enum class Outcome {
  ok,              // 2xx (or a file:// read): body holds the document
  not_modified,    // 304: the stored validators still hold, body is empty
  rate_limited,    // 429, or 503 with Retry-After: wait at least retry_after
  transient,       // 5xx, network errors, timeouts, resets, undecodable bodies: back off
  gone,            // 404, 410: the feed is not there (410 disables it)
  blocked,         // 401, 403, other refusals and bot walls: the server will not serve us
  too_large,       // the body (compressed or inflated) is over max_body
  redirect_error,  // a redirect loop, more than 5 hops, or a hop to a refused scheme
  bad_url,         // the request URL is malformed or its scheme is not allowed
  cancelled,       // cancel_all() stopped it; not the feed's fault
};

/// The outcome's name as written in logs and metrics ("rate_limited").
std::string_view to_string(Outcome outcome);

/// Deadlines for one fetch; the total covers every redirect hop.
struct Timeouts {
  std::chrono::milliseconds connect{10'000};  // TCP + TLS handshake per connection
  std::chrono::milliseconds total{30'000};    // whole fetch, redirects included
  long low_speed_bytes_per_second = 1;        // slower than this for low_speed_time aborts
  std::chrono::seconds low_speed_time{30};    // curl counts whole seconds
};

/// One conditional GET of a feed.
struct FetchRequest {
  std::string feed_id;                         // for logs only
  std::string url;                             // http(s)://, or file:// when allow_file is set
  std::string etag;                            // sent back byte-for-byte as If-None-Match
  std::string last_modified;                   // sent back byte-for-byte as If-Modified-Since
  std::map<std::string, std::string> headers;  // extra request headers (e.g. Authorization)
  bool allow_file = false;                     // the feed opted into file:// (never on redirects)
  Timeouts timeouts;
  std::size_t max_body = 20 * 1024 * 1024;  // cap on the body, on the wire and after inflating
};

/// One answer in a redirect chain: the URL that was asked and the 3xx it answered with.
struct RedirectHop {
  long status = 0;
  std::string url;
};

/// Where the time of one fetch went.
struct Timings {
  std::chrono::microseconds queued{0};    // waiting for a global or per-host slot
  std::chrono::microseconds transfer{0};  // first byte sent to last byte received, all hops
  std::chrono::microseconds decode{0};    // inflating gzip/deflate/br
};

/// Everything the scheduler, parser and store need from one fetch.
struct FetchResult {
  Outcome outcome = Outcome::transient;
  long status = 0;                     // final HTTP status; 0 when no response arrived
  std::string url;                     // the URL that was requested
  std::string final_url;               // the URL that gave the final answer
  std::vector<RedirectHop> redirects;  // every 3xx on the way, in order
  bool permanent_redirect = false;     // redirects is non-empty and every hop was 301 or 308
  std::string body;                    // decoded (inflated) body, at most max_body bytes
  std::string content_type;            // of the final response only (charset= included)
  std::string etag;                    // exactly as sent by the server
  std::string last_modified;           // exactly as sent by the server
  std::optional<std::chrono::seconds> max_age;                   // Cache-Control max-age
  std::optional<std::chrono::system_clock::time_point> expires;  // Expires
  std::optional<std::chrono::seconds> retry_after;  // Retry-After, a date turned into a delay
  std::string error;  // one line naming the URL; empty for ok and not_modified
  Timings timings;

  /// True when the scheduler has a fresh document or a confirmed unchanged one.
  bool succeeded() const { return outcome == Outcome::ok || outcome == Outcome::not_modified; }
};

}  // namespace wirewatch::fetch
