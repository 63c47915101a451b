// fetch_floor: the least work a feed poller can do, as a floor for bench/poll_compare.sh.
// Fetches every URL of a file with libcurl's multi interface, K transfers in flight over
// reused keep-alive connections, and walks each XML body with pugixml, counting items and
// entries; nothing else (no dates, no text, no store). A body that does not start with '<'
// (JSON Feed) is fetched but not walked. With --validators-in, each request is a conditional
// GET (If-None-Match / If-Modified-Since from the file); --validators-out saves the ETag and
// Last-Modified of every 200 for the next cycle.
//   fetch_floor --urls FILE [--parallel K] [--gzip] [--validators-in FILE]
//               [--validators-out FILE]
// Prints one line: urls=… ok=… not_modified=… failed=… bytes=… items=… wall_s=… feeds_per_s=…
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

struct Options {
  std::string urls_path;
  std::string validators_in;
  std::string validators_out;
  std::size_t parallel = 16;
  bool gzip = false;
};

struct Validators {
  std::string etag;
  std::string last_modified;
};

/// One transfer slot: an easy handle reused for URL after URL (its connection stays in the
/// multi handle's cache), with the body and validators of the response in progress.
struct Slot {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::size_t url_index = 0;
  std::string body;
  Validators response;
};

struct Totals {
  std::size_t ok = 0;            // 200
  std::size_t not_modified = 0;  // 304
  std::size_t failed = 0;        // transport error or any other status
  std::size_t not_xml = 0;       // 200 with a body that is not XML (JSON Feed): not walked
  std::size_t xml_failed = 0;    // 200 whose XML pugixml refused
  std::size_t items = 0;         // item and entry elements walked
  std::size_t bytes = 0;         // body bytes received (after curl's decoding with --gzip)
};

/// Counts elements whose local name is item (RSS) or entry (Atom), visiting every node.
struct ItemCounter : pugi::xml_tree_walker {
  std::size_t items = 0;
  bool for_each(pugi::xml_node& node) override {
    if (node.type() != pugi::node_element) return true;
    const char* name = node.name();
    const char* colon = std::strrchr(name, ':');
    const std::string_view local = colon != nullptr ? colon + 1 : name;
    if (local == "item" || local == "entry") ++items;
    return true;
  }
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<Slot*>(user)->body.append(data, size * count);
  return size * count;
}

/// Keeps the ETag and Last-Modified of the last response (a new status line resets them).
std::size_t read_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& response = static_cast<Slot*>(user)->response;
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  const auto starts_with = [&line](std::string_view prefix) {
    return line.size() >= prefix.size() &&
           strncasecmp(line.data(), prefix.data(), prefix.size()) == 0;
  };
  const auto value = [&line](std::size_t from) {
    auto rest = line.substr(from);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    return std::string(rest);
  };
  if (starts_with("HTTP/")) response = {};
  if (starts_with("etag:")) response.etag = value(5);
  if (starts_with("last-modified:")) response.last_modified = value(14);
  return size * count;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

/// The validators file: one "url<TAB>etag<TAB>last-modified" line per feed.
std::unordered_map<std::string, Validators> read_validators(const std::string& path) {
  std::unordered_map<std::string, Validators> map;
  for (const auto& line : read_lines(path)) {
    const auto first = line.find('\t');
    const auto second = line.find('\t', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    map[line.substr(0, first)] = {line.substr(first + 1, second - first - 1),
                                  line.substr(second + 1)};
  }
  return map;
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--urls" && has_value)
      options.urls_path = argv[++i];
    else if (arg == "--validators-in" && has_value)
      options.validators_in = argv[++i];
    else if (arg == "--validators-out" && has_value)
      options.validators_out = argv[++i];
    else if (arg == "--parallel" && has_value)
      options.parallel = std::stoul(argv[++i]);
    else if (arg == "--gzip")
      options.gzip = true;
    else
      return false;
  }
  return !options.urls_path.empty() && options.parallel > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::cerr << "usage: fetch_floor --urls FILE [--parallel K] [--gzip] [--validators-in FILE] "
                 "[--validators-out FILE]\n";
    return 64;
  }
  const auto urls = read_lines(options.urls_path);
  const auto known = options.validators_in.empty() ? std::unordered_map<std::string, Validators>{}
                                                   : read_validators(options.validators_in);
  std::vector<Validators> saved(urls.size());
  Totals totals;
  const auto started = std::chrono::steady_clock::now();

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(options.parallel));
  std::vector<Slot> slots(std::min(options.parallel, urls.size()));
  for (auto& slot : slots) {
    slot.easy = curl_easy_init();
    slot.body.reserve(128 * 1024);
    curl_easy_setopt(slot.easy, CURLOPT_PRIVATE, &slot);
    curl_easy_setopt(slot.easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(slot.easy, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(slot.easy, CURLOPT_WRITEDATA, &slot);
    curl_easy_setopt(slot.easy, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(slot.easy, CURLOPT_HEADERDATA, &slot);
    curl_easy_setopt(slot.easy, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(slot.easy, CURLOPT_USERAGENT, "fetch_floor");
    if (options.gzip) curl_easy_setopt(slot.easy, CURLOPT_ACCEPT_ENCODING, "gzip");
  }

  std::size_t next = 0;
  std::size_t in_flight = 0;
  const auto start = [&](Slot& slot) {
    slot.url_index = next++;
    slot.body.clear();
    slot.response = {};
    curl_slist_free_all(slot.headers);
    slot.headers = nullptr;
    if (const auto found = known.find(urls[slot.url_index]); found != known.end()) {
      if (!found->second.etag.empty()) {
        slot.headers =
            curl_slist_append(slot.headers, ("If-None-Match: " + found->second.etag).c_str());
      }
      if (!found->second.last_modified.empty()) {
        slot.headers = curl_slist_append(
            slot.headers, ("If-Modified-Since: " + found->second.last_modified).c_str());
      }
    }
    curl_easy_setopt(slot.easy, CURLOPT_URL, urls[slot.url_index].c_str());
    curl_easy_setopt(slot.easy, CURLOPT_HTTPHEADER, slot.headers);
    curl_multi_add_handle(multi, slot.easy);
    ++in_flight;
  };
  const auto finish = [&](Slot& slot, CURLcode result) {
    long status = 0;
    curl_easy_getinfo(slot.easy, CURLINFO_RESPONSE_CODE, &status);
    if (result != CURLE_OK || (status != 200 && status != 304)) {
      ++totals.failed;
    } else if (status == 304) {
      ++totals.not_modified;
      if (const auto found = known.find(urls[slot.url_index]); found != known.end()) {
        saved[slot.url_index] = found->second;
      }
    } else {
      ++totals.ok;
      totals.bytes += slot.body.size();
      saved[slot.url_index] = slot.response;
      if (slot.body.empty() || slot.body.front() != '<') {
        ++totals.not_xml;
      } else {
        pugi::xml_document document;
        if (document.load_buffer_inplace(slot.body.data(), slot.body.size())) {
          ItemCounter counter;
          document.traverse(counter);
          totals.items += counter.items;
        } else {
          ++totals.xml_failed;
        }
      }
    }
  };

  for (auto& slot : slots) start(slot);
  while (in_flight > 0) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      Slot* slot = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &slot);
      const CURLcode result = message->data.result;  // read before the handle is removed
      curl_multi_remove_handle(multi, slot->easy);
      --in_flight;
      finish(*slot, result);
      if (next < urls.size()) start(*slot);
    }
    if (in_flight > 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }

  for (auto& slot : slots) {
    curl_slist_free_all(slot.headers);
    curl_easy_cleanup(slot.easy);
  }
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;

  if (!options.validators_out.empty()) {
    std::ofstream out(options.validators_out);
    for (std::size_t i = 0; i < urls.size(); ++i) {
      if (saved[i].etag.empty() && saved[i].last_modified.empty()) continue;
      out << urls[i] << '\t' << saved[i].etag << '\t' << saved[i].last_modified << '\n';
    }
  }
  std::printf(
      "urls=%zu ok=%zu not_modified=%zu failed=%zu not_xml=%zu xml_failed=%zu bytes=%zu "
      "items=%zu wall_s=%.3f feeds_per_s=%.0f\n",
      urls.size(), totals.ok, totals.not_modified, totals.failed, totals.not_xml, totals.xml_failed,
      totals.bytes, totals.items, wall.count(), static_cast<double>(urls.size()) / wall.count());
  return totals.failed == 0 ? 0 : 1;
}
