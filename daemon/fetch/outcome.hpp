// Mapping what happened on the wire to an Outcome class and a one-line, URL-first message.
// Internal to the fetch stage.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <optional>
#include <string>

#include "fetch/fetch_types.hpp"
#include "fetch/response_headers.hpp"

namespace wirewatch::fetch {

/// The class of a final (non-redirect) HTTP response.
Outcome outcome_for_status(long status, const ResponseHeaders& headers);

/// "http://host/feed: HTTP 503 Service Unavailable, retry after 120s (after redirect to …)".
std::string describe_status(const std::string& url, long status,
                            std::optional<std::chrono::seconds> retry_after,
                            const std::string& final_url);

/// The class of a transfer curl could not complete.
Outcome outcome_for_curl_error(CURLcode code, bool over_cap);

/// "http://host/feed: Timeout was reached (Operation too slow. …)".
std::string describe_curl_error(const std::string& url, CURLcode code, const char* detail,
                                bool over_cap, std::size_t max_body);

}  // namespace wirewatch::fetch
