// Small I/O helpers shared by the commands.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wirewatch::cli {

/// Reads a whole file ("-" is stdin) of at most max_bytes. On failure returns nullopt and sets
/// error to a one-line reason ("No such file or directory", "larger than 64 MiB").
std::optional<std::string> read_input(const std::string& path, std::size_t max_bytes,
                                      std::string& error);

/// Writes one line to stdout (newline appended) through a large buffer. Returns false when
/// stdout is closed (EPIPE) or full, so a command can stop early.
bool write_line(std::string_view line);

/// Flushes stdout; false when it fails.
bool flush_output();

/// Prints "wirewatch: <message>" on stderr.
void print_error(std::string_view message);

}  // namespace wirewatch::cli
