// When to poll a feed next, and in what health it is, from what its last poll gave.
// Pure: the clock and the random draw are inputs, so every policy is testable and replayable.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/feed_document.hpp"
#include "core/record.hpp"

namespace wirewatch::scheduler {

using Seconds = std::chrono::seconds;

/// What a poll came to, as far as scheduling is concerned.
enum class PollClass {
  changed,       // 200 with a new body
  unchanged,     // 304, or 200 with the same body hash
  rate_limited,  // 429, or 503 with Retry-After: slows the whole host
  transient,     // 5xx, network error, timeout: full-jitter exponential backoff
  gone,          // 404, 410: backoff, then (kGoneConfirmations in a row) slow probe, dormant
  blocked,       // 401, 403, bot walls: slow probe, a distinct state
  broken,        // not a feed, too large, bad redirect: backoff like transient
};

/// The health a feed is shown in (`wirewatch status`, metrics).
enum class Health {
  ok,            // last poll succeeded
  failing,       // transient or broken failures, retrying with backoff
  rate_limited,  // the server asked us to slow down
  dormant,       // gone (404/410) repeatedly: probed rarely, never dropped
  blocked,       // refused (401/403): probed rarely
};

/// "ok", "failing", "rate_limited", "dormant", "blocked".
const char* to_string(Health health);
/// "changed", "unchanged", "rate_limited", "transient", "gone", "blocked", "broken".
const char* to_string(PollClass poll_class);

/// The configured cadence of one feed.
struct Cadence {
  Seconds interval{15 * 60};
  Seconds min_interval{5 * 60};
  Seconds max_interval{6 * 3600};
};

/// What the server and the document said about polling again.
struct PollOutcome {
  PollClass poll_class = PollClass::changed;
  std::optional<Seconds> retry_after;       // Retry-After, already relative to now
  std::optional<Seconds> max_age;           // Cache-Control max-age
  std::optional<core::Timestamp> expires;   // Expires
  std::optional<core::PollingHints> hints;  // RSS ttl, skipHours/Days, sy:* (from the body)
};

/// The scheduler's verdict.
struct Decision {
  core::Timestamp next_due;
  int consecutive_failures = 0;
  Health health = Health::ok;
  std::string reason;  // "interval 15m", "Retry-After 120s", "backoff 2 (cap 6h)", …
};

/// How long a gone or blocked feed waits between probes.
inline constexpr Seconds kSlowProbe{24 * 3600};
/// Consecutive failures, the last one a 404 or 410, before a feed is dormant (slow probes);
/// the ones before back off as transient failures do.
inline constexpr int kGoneConfirmations = 3;

/// Decides the next poll. `random01` is a uniform draw in [0, 1) used for jitter and for
/// full-jitter backoff; `failures_before` is the feed's consecutive failure count so far.
Decision next_poll(const Cadence& cadence, int failures_before, const PollOutcome& outcome,
                   core::Timestamp now, double random01);

/// Moves time forward out of any hour or weekday the feed asks to be skipped (UTC), at most
/// a week; returns time unchanged when nothing is skipped or everything is.
core::Timestamp skip_quiet_hours(core::Timestamp time, const core::PollingHints& hints);

/// "90s", "15m", "6h", "1h30m": the inverse of config durations, for logs.
std::string format_duration(Seconds duration);

}  // namespace wirewatch::scheduler
