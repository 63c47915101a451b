#include "config/checks.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <memory>

namespace wirewatch::config::detail {
namespace {

char fold(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c + 32);
  return c == '-' ? '_' : c;
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), folded.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlFree {
  void operator()(char* text) const { curl_free(text); }
};

std::string url_part(CURLU* url, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, 0) != CURLUE_OK || raw == nullptr) return {};
  std::unique_ptr<char, CurlFree> owned(raw);
  return std::string(raw);
}

bool one_of(std::string_view word, std::string_view choices) {
  while (!choices.empty()) {
    const auto bar = choices.find('|');
    if (choices.substr(0, bar) == word) return true;
    choices = bar == std::string_view::npos ? std::string_view{} : choices.substr(bar + 1);
  }
  return false;
}

bool parse_port(std::string_view text, unsigned& port) {
  const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return !text.empty() && error == std::errc{} && stop == text.data() + text.size() && port >= 1 &&
         port <= 65535;
}

}  // namespace

std::string choices_text(std::string_view choices) {
  std::string text;
  for (const char c : choices) text += c == '|' ? std::string(", ") : std::string(1, c);
  return text;
}

std::string closest_name(std::string_view word, const std::vector<std::string_view>& names) {
  std::string best;
  std::size_t best_distance = word.size() >= 5 ? 3 : 2;  // accept at most 2 (short: 1) edits
  for (const auto name : names) {
    const std::size_t d = distance(word, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

std::string check_url(std::string_view url, std::string_view schemes, std::string& host) {
  host.clear();
  if (url.empty()) return "is empty";
  if (url.find_first_of(" \t\r\n") != std::string_view::npos) return "contains whitespace";
  std::unique_ptr<CURLU, UrlDeleter> handle(curl_url());
  if (!handle) return "cannot be checked (out of memory)";
  const std::string text(url);
  const CURLUcode code =
      curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (code != CURLUE_OK) {
    if (text.find("://") == std::string::npos) return "is not an absolute URL (missing scheme://)";
    return std::string("is not a valid URL (") + curl_url_strerror(code) + ")";
  }
  const std::string scheme = url_part(handle.get(), CURLUPART_SCHEME);
  if (!one_of(scheme, schemes)) {
    std::string message =
        "scheme '" + scheme + "' is not allowed (use " + choices_text(schemes) + ")";
    if (scheme == "file") message += "; set allow_file: true on this feed to read local files";
    return message;
  }
  host = url_part(handle.get(), CURLUPART_HOST);
  std::transform(host.begin(), host.end(), host.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  if (scheme != "file" && host.empty()) return "has no host";
  return {};
}

bool is_local_host(std::string_view host) {
  return host.empty() || host == "localhost" || host.starts_with("127.") || host == "[::1]" ||
         host == "::1" || host.ends_with(".localhost");
}

std::string check_timezone(std::string_view zone) {
  if (zone == "UTC" || zone == "Z") return {};
  auto digit = [&](std::size_t i) { return zone[i] >= '0' && zone[i] <= '9'; };
  const bool shape = zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digit(1) &&
                     digit(2) && zone[3] == ':' && digit(4) && digit(5);
  if (!shape) {
    return "'" + std::string(zone) + "' is not a zone: write UTC or an offset like +01:00";
  }
  const int hours = (zone[1] - '0') * 10 + (zone[2] - '0');
  const int minutes = (zone[4] - '0') * 10 + (zone[5] - '0');
  if (minutes >= 60 || hours * 60 + minutes > 14 * 60) {
    return "offset '" + std::string(zone) + "' is out of range (at most ±14:00)";
  }
  return {};
}

int timezone_minutes(std::string_view zone) {
  if (zone.size() != 6) return 0;
  const int minutes =
      ((zone[1] - '0') * 10 + (zone[2] - '0')) * 60 + (zone[4] - '0') * 10 + (zone[5] - '0');
  return zone[0] == '-' ? -minutes : minutes;
}

std::string check_listen(std::string_view address) {
  std::string_view port;
  std::string_view host;
  if (address.starts_with('[')) {
    const auto close = address.find("]:");
    if (close == std::string_view::npos)
      return "'" + std::string(address) + "' is not [address]:port";
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    const auto colon = address.rfind(':');
    if (colon == std::string_view::npos)
      return "'" + std::string(address) + "' has no port (write host:port, e.g. 127.0.0.1:9464)";
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return "write an IPv6 address in brackets: [::1]:9464";
  }
  unsigned number = 0;
  if (host.empty())
    return "'" + std::string(address) + "' has no host (write 127.0.0.1:PORT to stay local)";
  if (!parse_port(port, number))
    return "port '" + std::string(port) + "' is not a number from 1 to 65535";
  return {};
}

std::string check_header(std::string_view name, std::string_view value) {
  constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && kTokenPunctuation.find(c) == std::string_view::npos) {
      return "is not a valid header name";
    }
  }
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f)
      return "has a control character (line break?) in its value";
  }
  return {};
}

std::string check_feed_id(std::string_view id) {
  if (id.empty()) return "is empty";
  if (id.size() > 128) return "is longer than 128 characters";
  for (const char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '.' && c != '_' && c != '-') {
      return "'" + std::string(id) + "' may only contain letters, digits, '.', '_' and '-'";
    }
  }
  return {};
}

std::string parse_mode(std::string_view text, unsigned& mode) {
  const bool shape =
      (text.size() == 3 || text.size() == 4) &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; });
  if (!shape) return "'" + std::string(text) + "' is not an octal mode like \"0660\"";
  mode = 0;
  for (const char c : text) mode = mode * 8 + static_cast<unsigned>(c - '0');
  if (mode > 0777) return "'" + std::string(text) + "': only permission bits (at most 0777)";
  return {};
}

}  // namespace wirewatch::config::detail
