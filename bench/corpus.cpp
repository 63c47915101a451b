#include "corpus.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace wirewatch::bench {

std::vector<CorpusFile> load_corpus(const std::string& dir) {
  std::ifstream manifest(dir + "/manifest.tsv");
  if (!manifest) throw std::runtime_error("cannot read " + dir + "/manifest.tsv");
  std::vector<CorpusFile> files;
  std::string line;
  while (std::getline(manifest, line)) {
    std::istringstream fields(line);
    CorpusFile file;
    if (!std::getline(fields, file.name, '\t') || !std::getline(fields, file.format, '\t') ||
        !std::getline(fields, file.base_url)) {
      continue;
    }
    std::ifstream in(dir + "/" + file.name, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + dir + "/" + file.name);
    file.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    files.push_back(std::move(file));
  }
  return files;
}

std::vector<CorpusFile> select_formats(const std::vector<CorpusFile>& files,
                                       const std::string& formats) {
  if (formats == "all") return files;
  const std::string list = "," + formats + ",";
  std::vector<CorpusFile> selected;
  for (const auto& file : files) {
    if (list.find("," + file.format + ",") != std::string::npos) selected.push_back(file);
  }
  return selected;
}

std::size_t total_bytes(const std::vector<CorpusFile>& files) {
  std::size_t bytes = 0;
  for (const auto& file : files) bytes += file.body.size();
  return bytes;
}

}  // namespace wirewatch::bench
