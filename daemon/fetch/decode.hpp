// Content-Encoding decoding of whole buffered bodies: gzip and deflate with libdeflate, br
// with libbrotlidec, never producing more than a cap however small the input (gzip bombs).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wirewatch::fetch {

/// How decoding a body went.
enum class DecodeStatus {
  ok,           // body now holds the decoded bytes
  too_large,    // the decoded body would exceed the cap; body is unspecified
  corrupt,      // the bytes are not valid for the coding; body is unspecified
  unsupported,  // a coding we did not ask for (e.g. "zstd"); body is unchanged
};

/// Decodes `body` in place according to a Content-Encoding value ("gzip", "x-gzip",
/// "deflate", "br", "identity", or a list applied in order), keeping the result within
/// `max_bytes`. On failure `error` says why in a few words ("corrupt gzip data").
DecodeStatus decode_body(std::string_view content_encoding, std::string& body,
                         std::size_t max_bytes, std::string& error);

}  // namespace wirewatch::fetch
