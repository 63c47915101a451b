#include "pipeline/process.hpp"

#include <chrono>

#include "core/hash.hpp"
#include "normalize/normalize.hpp"

namespace wirewatch::pipeline {

scheduler::PollClass poll_class_of(fetch::Outcome outcome) {
  using fetch::Outcome;
  using scheduler::PollClass;
  switch (outcome) {
    case Outcome::ok:
      return PollClass::changed;
    case Outcome::not_modified:
      return PollClass::unchanged;
    case Outcome::rate_limited:
      return PollClass::rate_limited;
    case Outcome::transient:
    case Outcome::cancelled:
      return PollClass::transient;
    case Outcome::gone:
      return PollClass::gone;
    case Outcome::blocked:
      return PollClass::blocked;
    case Outcome::too_large:
    case Outcome::redirect_error:
    case Outcome::bad_url:
      return PollClass::broken;
  }
  return PollClass::broken;
}

Processed process_fetch(const FeedIdentity& feed, const fetch::FetchResult& result,
                        std::string_view previous_body_hash, core::Timestamp now,
                        const ClassifyFunction& classify) {
  Processed processed;
  processed.outcome.poll_class = poll_class_of(result.outcome);
  processed.outcome.retry_after = result.retry_after;
  processed.outcome.max_age = result.max_age;
  if (result.expires) {
    processed.outcome.expires = std::chrono::floor<std::chrono::seconds>(*result.expires);
  }
  processed.message = result.error;
  if (result.outcome != fetch::Outcome::ok) return processed;

  processed.body_hash = core::hash_hex({result.body});
  if (!previous_body_hash.empty() && processed.body_hash == previous_body_hash) {
    processed.outcome.poll_class = scheduler::PollClass::unchanged;
    return processed;
  }
  const std::string& base = result.final_url.empty() ? feed.url : result.final_url;
  const parse::Input input{result.body, result.content_type, base, {}};
  parse::Limits limits;
  limits.default_zone_minutes = feed.timezone_minutes;
  parse::Result parsed = parse::parse_feed(input, limits);
  processed.parse_status = parsed.status;
  if (parsed.status == parse::Status::failed) {
    processed.outcome.poll_class = scheduler::PollClass::broken;
    processed.message = base + ": " + parsed.message;
    processed.body_hash.clear();  // a fixed document must be parsed even if it reverts
    return processed;
  }
  if (parsed.status == parse::Status::recovered) processed.message = base + ": " + parsed.message;
  processed.outcome.hints = parsed.document.hints;
  processed.feed_title = parsed.document.title;
  processed.entries = parsed.document.entries.size();
  const core::FeedRef feed_ref{feed.id, feed.url, parsed.document.title, parsed.document.link};
  processed.records.reserve(parsed.document.entries.size());
  for (const auto& entry : parsed.document.entries) {
    core::Record record = normalize::to_record(entry, feed_ref, now);
    if (classify) classify(record);
    processed.records.push_back(store::prepare_record(record));
  }
  return processed;
}

}  // namespace wirewatch::pipeline
