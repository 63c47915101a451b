// RFC 3986 reference resolution with curl's URL API (curl_url), for links, enclosures and
// xml:base chains.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wirewatch::parse {

/// Resolves reference against base. An absolute reference comes back normalized; a relative
/// one without a usable base, or one curl rejects, comes back trimmed but otherwise as given.
std::string resolve_url(std::string_view base, std::string_view reference);

/// The relative reference (no scheme, not starting with '.' or '#') merged with base exactly as
/// curl would resolve it, when base is an http(s) URL in curl's normal form and the result is
/// one too; nullopt in every other case (resolve_url then asks curl). Exposed for tests.
std::optional<std::string> resolve_relative_fast(std::string_view base, std::string_view reference);

/// resolve_url's slow path: base and reference (both trimmed) through curl's URL API, escapes
/// in uppercase; the reference as given when curl rejects it. Exposed for tests.
std::string resolve_url_with_curl(std::string_view base, std::string_view reference);

/// True for an absolute http(s) URL that curl's normalization would give back unchanged:
/// lowercase scheme and host (or a dotted-quad IPv4 address), no userinfo, no default or
/// zero-led port, no dot segments, no empty query or fragment, nothing curl would escape ('%' only
/// in escapes with uppercase hex digits).
bool is_normalized_http_url(std::string_view url);

/// True for a reference that carries its own scheme ("https:", "mailto:", "tag:").
bool has_scheme(std::string_view reference);

}  // namespace wirewatch::parse
