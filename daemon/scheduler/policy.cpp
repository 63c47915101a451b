#include "scheduler/policy.hpp"

#include <algorithm>
#include <cmath>

namespace wirewatch::scheduler {
namespace {

using namespace std::chrono;

Seconds clamp(Seconds value, Seconds low, Seconds high) {
  if (high < low) high = low;
  return std::clamp(value, low, high);
}

/// Up to 10% later, so feeds configured alike do not poll in lockstep.
Seconds jittered(Seconds delay, double random01) {
  const auto extra = static_cast<Seconds::rep>(static_cast<double>(delay.count()) * 0.1 * random01);
  return delay + Seconds{extra};
}

/// The longest lower bound the server or the document asks for, if any.
Seconds polite_lower_bound(const PollOutcome& outcome, core::Timestamp now) {
  Seconds bound{0};
  if (outcome.max_age) bound = std::max(bound, *outcome.max_age);
  if (outcome.expires && *outcome.expires > now) {
    bound = std::max(bound, duration_cast<Seconds>(*outcome.expires - now));
  }
  if (outcome.hints) {
    if (outcome.hints->ttl_minutes)
      bound = std::max(bound, Seconds{*outcome.hints->ttl_minutes * 60});
    if (outcome.hints->update_seconds) {
      bound = std::max(bound, Seconds{*outcome.hints->update_seconds});
    }
  }
  return bound;
}

/// Full-jitter exponential backoff: uniform in [0, min(cap, base · 2^failures)], never below
/// the floor.
Seconds backoff(const Cadence& cadence, int failures, double random01) {
  const double exponent = std::min(failures, 30);
  const double ceiling =
      std::min(static_cast<double>(cadence.max_interval.count()),
               static_cast<double>(cadence.interval.count()) * std::exp2(exponent));
  const auto drawn = static_cast<Seconds::rep>(ceiling * random01);
  const Seconds floor = std::min(cadence.min_interval, cadence.interval);
  return std::max(floor, Seconds{drawn});
}

}  // namespace

const char* to_string(Health health) {
  switch (health) {
    case Health::ok:
      return "ok";
    case Health::failing:
      return "failing";
    case Health::rate_limited:
      return "rate_limited";
    case Health::dormant:
      return "dormant";
    case Health::blocked:
      return "blocked";
  }
  return "ok";
}

const char* to_string(PollClass poll_class) {
  switch (poll_class) {
    case PollClass::changed:
      return "changed";
    case PollClass::unchanged:
      return "unchanged";
    case PollClass::rate_limited:
      return "rate_limited";
    case PollClass::transient:
      return "transient";
    case PollClass::gone:
      return "gone";
    case PollClass::blocked:
      return "blocked";
    case PollClass::broken:
      return "broken";
  }
  return "broken";
}

std::string format_duration(Seconds duration) {
  auto total = duration.count();
  if (total <= 0) return "0s";
  std::string out;
  const auto hours = total / 3600;
  const auto minutes = (total % 3600) / 60;
  const auto seconds = total % 60;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (minutes > 0) out += std::to_string(minutes) + "m";
  if (seconds > 0) out += std::to_string(seconds) + "s";
  return out;
}

core::Timestamp skip_quiet_hours(core::Timestamp time, const core::PollingHints& hints) {
  if (hints.skip_hours.empty() && hints.skip_days.empty()) return time;
  auto skipped = [&](core::Timestamp t) {
    const auto day_start = floor<days>(t);
    const int hour = static_cast<int>(duration_cast<hours>(t - day_start).count());
    const int day_of_week = static_cast<int>(std::chrono::weekday{day_start}.c_encoding());
    return std::find(hints.skip_hours.begin(), hints.skip_hours.end(), hour) !=
               hints.skip_hours.end() ||
           std::find(hints.skip_days.begin(), hints.skip_days.end(), day_of_week) !=
               hints.skip_days.end();
  };
  core::Timestamp candidate = time;
  for (int step = 0; step < 24 * 7; ++step) {
    if (!skipped(candidate)) return candidate;
    candidate = floor<hours>(candidate) + hours{1};
  }
  return time;  // every hour of the week is skipped: the hint is nonsense, ignore it
}

Decision next_poll(const Cadence& cadence, int failures_before, const PollOutcome& outcome,
                   core::Timestamp now, double random01) {
  Decision decision;
  Seconds delay{0};
  switch (outcome.poll_class) {
    case PollClass::changed:
    case PollClass::unchanged: {
      decision.health = Health::ok;
      decision.consecutive_failures = 0;
      const Seconds base = clamp(cadence.interval, cadence.min_interval, cadence.max_interval);
      const Seconds polite = polite_lower_bound(outcome, now);
      delay = clamp(std::max(base, polite), cadence.min_interval, cadence.max_interval);
      decision.reason = "interval " + format_duration(delay);
      if (polite > base) decision.reason += " (the feed asks for " + format_duration(polite) + ")";
      delay = jittered(delay, random01);
      break;
    }
    case PollClass::rate_limited: {
      decision.health = Health::rate_limited;
      decision.consecutive_failures = failures_before + 1;
      if (outcome.retry_after) {
        delay = std::clamp(*outcome.retry_after, Seconds{1}, kSlowProbe);
        decision.reason = "Retry-After " + format_duration(delay);
      } else {
        delay = backoff(cadence, decision.consecutive_failures, random01);
        decision.reason = "rate limited, backoff " + format_duration(delay);
      }
      break;
    }
    case PollClass::transient:
    case PollClass::broken: {
      decision.health = Health::failing;
      decision.consecutive_failures = failures_before + 1;
      delay = backoff(cadence, decision.consecutive_failures, random01);
      decision.reason = "failure " + std::to_string(decision.consecutive_failures) + ", backoff " +
                        format_duration(delay);
      break;
    }
    case PollClass::gone:
    case PollClass::blocked: {
      decision.consecutive_failures = failures_before + 1;
      if (outcome.poll_class == PollClass::gone &&
          decision.consecutive_failures < kGoneConfirmations) {
        // One 404 (a CDN or deploy hiccup) must not cost a day of news: until the feed has
        // failed kGoneConfirmations times in a row it backs off like a transient failure.
        decision.health = Health::failing;
        delay = backoff(cadence, decision.consecutive_failures, random01);
        decision.reason = "gone " + std::to_string(decision.consecutive_failures) + " of " +
                          std::to_string(kGoneConfirmations) + ", backoff " +
                          format_duration(delay);
        break;
      }
      decision.health = outcome.poll_class == PollClass::gone ? Health::dormant : Health::blocked;
      delay = jittered(std::max(kSlowProbe, cadence.max_interval), random01);
      decision.reason =
          "slow probe every " + format_duration(std::max(kSlowProbe, cadence.max_interval));
      break;
    }
  }
  decision.next_due = now + delay;
  if (outcome.hints && decision.health == Health::ok) {
    decision.next_due = skip_quiet_hours(decision.next_due, *outcome.hints);
  }
  return decision;
}

}  // namespace wirewatch::scheduler
