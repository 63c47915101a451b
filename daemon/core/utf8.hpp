// UTF-8 hygiene: every string that reaches a record passes through here.
#pragma once

#include <string>
#include <string_view>

namespace wirewatch::core {

/// True when text is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view text);

/// Replaces each ill-formed sequence with U+FFFD, and drops C0 controls other than tab and
/// newline (and DEL), so the result is safe for JSON and terminals.
std::string repair_utf8(std::string_view text);

/// repair_utf8 for a string the caller gives away: returned as it is, without a copy, when it
/// is printable ASCII (tab and newline allowed), the common case for URLs.
std::string repair_utf8_owned(std::string&& text);

/// Cuts text to at most max_bytes without splitting a UTF-8 sequence.
std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace wirewatch::core
