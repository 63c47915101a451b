// RFC 3986 reference resolution with curl's URL API (curl_url), for links, enclosures and
// xml:base chains.
#pragma once

#include <string>
#include <string_view>

namespace wirewatch::parse {

/// Resolves reference against base. An absolute reference comes back normalized; a relative
/// one without a usable base, or one curl rejects, comes back trimmed but otherwise as given.
std::string resolve_url(std::string_view base, std::string_view reference);

/// True for a reference that carries its own scheme ("https:", "mailto:", "tag:").
bool has_scheme(std::string_view reference);

}  // namespace wirewatch::parse
