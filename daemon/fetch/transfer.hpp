// One fetch in progress: its request, its curl easy handle and what the current redirect hop
// has received so far. Internal to the fetch stage.
#pragma once

#include <curl/curl.h>

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "fetch/fetch_types.hpp"
#include "fetch/response_headers.hpp"

namespace wirewatch::fetch {

struct FetcherLimits;

/// The scheme and lower-cased host name of a URL.
struct UrlParts {
  std::string scheme;
  std::string host;
};

/// Splits a URL with curl's URL parser; nullopt (and a reason in `error`) when malformed.
std::optional<UrlParts> split_url(const std::string& url, std::string& error);

/// A fetch from the moment it is queued to the moment its callback is posted.
struct Transfer {
  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer();

  FetchRequest request;
  std::function<void(FetchResult)> callback;
  FetchResult result;  // filled in hop by hop (redirects, timings) and at the end

  std::string hop_url;      // the URL the current hop asks
  std::string host;         // its host name: the per-host slot it occupies
  std::string origin_host;  // the request URL's host; credentials are not sent elsewhere
  ResponseHeaders headers;  // of the current hop's response
  std::string body;         // of the current hop's response, as received
  bool over_cap = false;    // the write callback refused bytes beyond max_body

  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  std::chrono::steady_clock::time_point queued_at;
  std::optional<std::chrono::steady_clock::time_point> first_started;
};

/// Sets the easy handle up for the current hop (creating it on the first one). `remaining`
/// is what is left of the total timeout. Returns false (and why in `error`) if curl refuses.
bool prepare_hop(Transfer& transfer, const FetcherLimits& limits,
                 std::chrono::milliseconds remaining, std::string& error);

}  // namespace wirewatch::fetch
