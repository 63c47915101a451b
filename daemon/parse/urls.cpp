#include "parse/urls.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <memory>
#include <optional>

namespace wirewatch::parse {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

/// curl writes the escapes it adds in lowercase ("caf%c3%a9"); RFC 3986 section 6.2.2.1 makes
/// uppercase the normal form, and the case carries no meaning, so normalize all of them.
std::string uppercase_escapes(std::string_view url) {
  std::string out(url);
  for (std::size_t i = 0; i + 2 < out.size(); ++i) {
    if (out[i] != '%') continue;
    const auto a = static_cast<unsigned char>(out[i + 1]);
    const auto b = static_cast<unsigned char>(out[i + 2]);
    if (!std::isxdigit(a) || !std::isxdigit(b)) continue;
    out[i + 1] = static_cast<char>(std::toupper(a));
    out[i + 2] = static_cast<char>(std::toupper(b));
    i += 2;
  }
  return out;
}

/// Byte classes for is_normalized_http_url.
enum UrlClass : unsigned char {
  kUrlOther,     // anything curl might escape or rewrite: decline
  kUrlHost,      // a-z 0-9 '-': host and path
  kUrlPath,      // the rest of RFC 3986's unreserved and sub-delims, ':' '@': path only
  kUrlDot,       // '.'
  kUrlSlash,     // '/'
  kUrlQuery,     // '?'
  kUrlFragment,  // '#'
  kUrlPercent,   // '%'
};

constexpr std::array<UrlClass, 256> make_url_classes() {
  std::array<UrlClass, 256> classes{};
  for (unsigned c = 'a'; c <= 'z'; ++c) classes[c] = kUrlHost;
  for (unsigned c = '0'; c <= '9'; ++c) classes[c] = kUrlHost;
  classes['-'] = kUrlHost;
  for (unsigned c = 'A'; c <= 'Z'; ++c) classes[c] = kUrlPath;
  for (char c : std::string_view("_~!$&'()*+,;=:@")) {
    classes[static_cast<unsigned char>(c)] = kUrlPath;
  }
  classes['.'] = kUrlDot;
  classes['/'] = kUrlSlash;
  classes['?'] = kUrlQuery;
  classes['#'] = kUrlFragment;
  classes['%'] = kUrlPercent;
  return classes;
}

constexpr std::array<UrlClass, 256> kUrlClasses = make_url_classes();

/// 2: a byte the path scan of is_normalized_http_url passes over (host, path and '.'); 1: one
/// that only the query and fragment scans pass over ('/' and '?'); 0: one they look at.
constexpr std::array<std::uint8_t, 256> make_url_plain() {
  std::array<std::uint8_t, 256> plain{};
  for (std::size_t c = 0; c < 256; ++c) {
    switch (kUrlClasses[c]) {
      case kUrlHost:
      case kUrlPath:
      case kUrlDot:
        plain[c] = 2;
        break;
      case kUrlSlash:
      case kUrlQuery:
        plain[c] = 1;
        break;
      default:
        break;
    }
  }
  return plain;
}

constexpr std::array<std::uint8_t, 256> kUrlPlain = make_url_plain();

constexpr unsigned int kFlags = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;

/// A dotted-quad IPv4 address as curl writes one: four decimal numbers 0-255, no leading zeros.
bool is_dotted_quad(std::string_view host) {
  int parts = 0;
  while (true) {
    std::size_t digits = 0;
    while (digits < host.size() && host[digits] >= '0' && host[digits] <= '9') ++digits;
    const std::string_view number = host.substr(0, digits);
    if (number.empty() || number.size() > 3 || (number.size() > 1 && number.front() == '0') ||
        (number.size() == 3 && number > "255")) {
      return false;
    }
    ++parts;
    host.remove_prefix(digits);
    if (host.empty()) return parts == 4;
    if (host.front() != '.' || parts == 4) return false;
    host.remove_prefix(1);
  }
}

}  // namespace

/// True for an absolute http(s) URL that curl's normalization would give back unchanged:
/// lowercase scheme and host (letters, digits, '-' and '.', the last label starting with a
/// letter, or a dotted-quad IPv4 address as curl writes it), no userinfo, a port only when it
/// is not the scheme's default and has no leading zero, a path that starts with '/'
/// and has no dot segments, a query and fragment that are not empty, and nothing curl would
/// escape (only RFC 3986 characters, '%' only in escapes with uppercase hex digits).
bool is_normalized_http_url(std::string_view url) {
  std::size_t i = 0;
  if (url.starts_with("https://")) {
    i = 8;
  } else if (url.starts_with("http://")) {
    i = 7;
  } else {
    return false;
  }
  auto at = [&url](std::size_t index) {
    return kUrlClasses[static_cast<unsigned char>(url[index])];
  };
  const std::size_t host = i;
  std::size_t label = i;  // start of the current host label
  for (; i < url.size() && at(i) != kUrlSlash && url[i] != ':'; ++i) {
    if (at(i) == kUrlDot) {
      if (i == label) return false;  // empty label
      label = i + 1;
    } else if (at(i) != kUrlHost) {
      return false;  // uppercase, userinfo, IPv6, anything else
    }
  }
  if (i == url.size() || i == label) return false;
  if (!(url[label] >= 'a' && url[label] <= 'z') && !is_dotted_quad(url.substr(host, i - host))) {
    return false;  // an IP address curl would rewrite ("127.1", "0x7f.1"), or no letter
  }
  if (url[i] == ':') {  // a port as curl writes it: digits, no leading zero, not the default
    const std::size_t digits = ++i;
    while (i < url.size() && url[i] >= '0' && url[i] <= '9') ++i;
    const std::string_view port = url.substr(digits, i - digits);
    if (port.empty() || port.size() > 5 || port.front() == '0' || i == url.size() ||
        url[i] != '/' || (port.size() == 5 && port > "65535") ||
        port == (url[4] == 's' ? "443" : "80")) {
      return false;
    }
  }
  auto dot_segment = [](std::string_view name) { return name == "." || name == ".."; };
  auto upper_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
  auto bad_escape = [&](std::size_t at_percent) {
    return at_percent + 2 >= url.size() || !upper_hex(url[at_percent + 1]) ||
           !upper_hex(url[at_percent + 2]);
  };
  auto plain = [&url](std::size_t index, bool in_path) {
    return kUrlPlain[static_cast<unsigned char>(url[index])] >= (in_path ? 2 : 1);
  };
  std::size_t segment = i;  // start of the current path segment
  for (;;) {
    while (i < url.size() && plain(i, true)) ++i;
    if (i == url.size()) break;
    const UrlClass c = at(i);
    if (c == kUrlSlash) {
      if (dot_segment(url.substr(segment, i - segment))) return false;
      segment = ++i;
    } else if (c == kUrlPercent) {
      if (bad_escape(i)) return false;
      ++i;
    } else if (c == kUrlQuery || c == kUrlFragment) {
      break;  // the path ends at '?' or '#'
    } else {
      return false;
    }
  }
  if (dot_segment(url.substr(segment, i - segment))) return false;
  if (i == url.size()) return true;
  // Query and fragment: curl drops an empty one, and a second '#' is not a URL character.
  if (url[i] == '?') {
    if (i + 1 == url.size() || url[i + 1] == '#') return false;
    for (++i;;) {
      while (i < url.size() && plain(i, false)) ++i;
      if (i == url.size()) return true;
      if (at(i) == kUrlFragment) break;
      if (at(i) != kUrlPercent || bad_escape(i)) return false;
      ++i;
    }
  }
  if (i + 1 == url.size()) return false;  // "#" alone
  for (++i;;) {
    while (i < url.size() && plain(i, false)) ++i;
    if (i == url.size()) break;
    if (at(i) != kUrlPercent || bad_escape(i)) return false;
    ++i;
  }
  return true;
}

bool has_scheme(std::string_view reference) {
  if (reference.empty() || !std::isalpha(static_cast<unsigned char>(reference[0]))) return false;
  for (std::size_t i = 1; i < reference.size(); ++i) {
    const auto c = static_cast<unsigned char>(reference[i]);
    if (c == ':') return true;
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
}

std::optional<std::string> resolve_relative_fast(std::string_view base,
                                                 std::string_view reference) {
  if (reference.empty() || reference.front() == '.' || reference.front() == '#') {
    return std::nullopt;  // dot segments and fragments: curl's own rules
  }
  // curl takes any "[A-Za-z0-9+.-]+:" for a scheme, "9:" too; RFC 3986 section 4.2 keeps ':'
  // out of the first segment of a relative path anyway.
  if (reference.substr(0, reference.find_first_of("/?#")).find(':') != std::string_view::npos) {
    return std::nullopt;
  }
  if (base.find('#') != std::string_view::npos || !is_normalized_http_url(base)) {
    return std::nullopt;  // curl glues the reference after a base fragment
  }
  const std::size_t authority = base.find("//") + 2;
  const std::size_t path = base.find('/', authority);  // there is one: the base is normalized
  const std::size_t query = std::min(base.find('?'), base.size());
  std::string merged;
  if (reference.starts_with("//")) {  // network-path reference: the base's scheme only
    merged.reserve(authority + reference.size() - 2);
    merged.append(base.substr(0, authority)).append(reference.substr(2));
  } else if (reference.front() == '/') {  // absolute path: the base's scheme and authority
    merged.reserve(path + reference.size());
    merged.append(base.substr(0, path)).append(reference);
  } else if (reference.front() == '?') {  // query: the base's path
    merged.reserve(query + reference.size());
    merged.append(base.substr(0, query)).append(reference);
  } else {  // relative path: after the last '/' of the base's path
    const std::size_t last_slash = base.substr(0, query).rfind('/');
    // curl drops the second slash of a base path that starts with "//" and has no other one.
    if (last_slash == path + 1) return std::nullopt;
    merged.reserve(last_slash + 1 + reference.size());
    merged.append(base.substr(0, last_slash + 1)).append(reference);
  }
  // What curl builds is now parsed again; a URL in its normal form comes back unchanged.
  if (!is_normalized_http_url(merged)) return std::nullopt;
  return merged;
}

std::string resolve_url_with_curl(std::string_view base, std::string_view reference) {
  const bool absolute = has_scheme(reference);
  std::unique_ptr<CURLU, UrlDeleter> url{curl_url()};
  if (!url) return std::string(reference);
  const std::string base_text(base);
  const std::string reference_text(reference);
  if (!absolute && curl_url_set(url.get(), CURLUPART_URL, base_text.c_str(), kFlags) != CURLUE_OK) {
    return std::string(reference);
  }
  if (curl_url_set(url.get(), CURLUPART_URL, reference_text.c_str(), kFlags) != CURLUE_OK) {
    return std::string(reference);
  }
  char* raw = nullptr;
  if (curl_url_get(url.get(), CURLUPART_URL, &raw, 0) != CURLUE_OK || raw == nullptr) {
    return std::string(reference);
  }
  std::unique_ptr<char, CurlStringDeleter> resolved{raw};
  return uppercase_escapes(resolved.get());
}

std::string resolve_url(std::string_view base, std::string_view reference) {
  reference = trim(reference);
  base = trim(base);
  if (reference.empty()) return {};
  const bool absolute = has_scheme(reference);
  if (!absolute && base.empty()) return std::string(reference);
  // A fragment-only reference is the base document itself (RFC 3986 section 5.2.2); curl
  // would drop the base's last path segment.
  if (reference.front() == '#') {
    const std::string_view document = base.substr(0, base.find('#'));
    if (has_scheme(document)) return resolve_url({}, document) + std::string(reference);
  }
  // Only http(s) and file references are worth curl's normalization; "mailto:", "tag:",
  // "urn:" and friends are opaque and pass through.
  if (absolute && !reference.starts_with("http") && !reference.starts_with("HTTP") &&
      !reference.starts_with("file:")) {
    return std::string(reference);
  }
  // Most links in feeds are absolute and already in curl's normal form: skip the parse.
  if (absolute && is_normalized_http_url(reference)) return std::string(reference);
  // Most relative ones are a path against a base in normal form: merge them as curl would.
  if (!absolute) {
    if (auto merged = resolve_relative_fast(base, reference)) return std::move(*merged);
  }
  return resolve_url_with_curl(base, reference);
}

}  // namespace wirewatch::parse
