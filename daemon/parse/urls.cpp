#include "parse/urls.hpp"

#include <curl/curl.h>

#include <cctype>
#include <memory>

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

constexpr unsigned int kFlags = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;

}  // namespace

bool has_scheme(std::string_view reference) {
  if (reference.empty() || !std::isalpha(static_cast<unsigned char>(reference[0]))) return false;
  for (std::size_t i = 1; i < reference.size(); ++i) {
    const auto c = static_cast<unsigned char>(reference[i]);
    if (c == ':') return true;
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
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

}  // namespace wirewatch::parse
