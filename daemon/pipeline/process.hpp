// The CPU-bound half of a poll, run on the worker pool: a fetched document → classified
// records and what the scheduler should know. Pure apart from the classifier callback.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/record.hpp"
#include "fetch/fetch_types.hpp"
#include "parse/parser.hpp"
#include "scheduler/policy.hpp"
#include "store/store.hpp"

namespace wirewatch::pipeline {

/// Which feed a fetch was for.
struct FeedIdentity {
  std::string id;
  std::string url;           // the configured (or stored, after a permanent redirect) URL
  int timezone_minutes = 0;  // the feed's `timezone`: dates written without a zone
};

/// Adds labels, scores and evidence to a record.
using ClassifyFunction = std::function<void(core::Record&)>;

/// What processing one fetch result gave.
struct Processed {
  scheduler::PollOutcome outcome;
  std::vector<store::PreparedRecord> records;  // every entry of a changed document
  std::string body_hash;                       // of the body; empty when there was none
  parse::Status parse_status = parse::Status::ok;
  std::string message;  // one line: the fetch error or the parser's complaint
  std::string feed_title;
  std::size_t entries = 0;  // entries in the document
};

/// Maps a fetch outcome to the scheduler's poll class (before looking at the body).
scheduler::PollClass poll_class_of(fetch::Outcome outcome);

/// Parses, normalizes and classifies a fetched document. A 200 whose body hash equals
/// previous_body_hash is unchanged and is not parsed again.
Processed process_fetch(const FeedIdentity& feed, const fetch::FetchResult& result,
                        std::string_view previous_body_hash, core::Timestamp now,
                        const ClassifyFunction& classify);

}  // namespace wirewatch::pipeline
