#include "scheduler/policy.hpp"

#include <gtest/gtest.h>

#include "core/time.hpp"

namespace wirewatch::scheduler {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const core::Timestamp kNow = *core::make_utc(2023, 11, 9, 10, 0, 0);  // a Thursday

Cadence cadence() {
  return Cadence{Seconds{15 * 60}, Seconds{5 * 60}, Seconds{6 * 3600}};
}

TEST(Policy, SuccessPollsAfterTheIntervalWithAtMostTenPercentJitter) {
  PollOutcome outcome{PollClass::unchanged, {}, {}, {}, {}};
  EXPECT_EQ(next_poll(cadence(), 0, outcome, kNow, 0.0).next_due, kNow + minutes{15});
  const auto late = next_poll(cadence(), 0, outcome, kNow, 0.999).next_due;
  EXPECT_GT(late, kNow + minutes{15});
  EXPECT_LE(late, kNow + minutes{15} + Seconds{90});
}

TEST(Policy, ServerAndFeedHintsAreLowerBoundsUpToTheCap) {
  PollOutcome outcome{PollClass::changed, {}, Seconds{3600}, {}, {}};
  EXPECT_EQ(next_poll(cadence(), 0, outcome, kNow, 0.0).next_due, kNow + hours{1});
  outcome.max_age = Seconds{2};  // shorter than the interval: the interval wins
  EXPECT_EQ(next_poll(cadence(), 0, outcome, kNow, 0.0).next_due, kNow + minutes{15});
  core::PollingHints hints;
  hints.ttl_minutes = 24 * 60;  // a day: capped at max_interval
  outcome.hints = hints;
  EXPECT_EQ(next_poll(cadence(), 0, outcome, kNow, 0.0).next_due, kNow + hours{6});
  outcome.hints.reset();
  outcome.expires = kNow + hours{2};
  EXPECT_EQ(next_poll(cadence(), 0, outcome, kNow, 0.0).next_due, kNow + hours{2});
}

TEST(Policy, TransientFailuresBackOffExponentiallyToTheCapAndRecover) {
  PollOutcome failure{PollClass::transient, {}, {}, {}, {}};
  // With the top random draw the delay is the ceiling: interval · 2^failures, capped.
  auto first = next_poll(cadence(), 0, failure, kNow, 0.999999);
  EXPECT_EQ(first.consecutive_failures, 1);
  EXPECT_EQ(first.health, Health::failing);
  EXPECT_NEAR(static_cast<double>((first.next_due - kNow).count()), 30 * 60, 2);
  auto tenth = next_poll(cadence(), 9, failure, kNow, 0.999999);
  EXPECT_NEAR(static_cast<double>((tenth.next_due - kNow).count()), 6 * 3600, 2);
  // The lowest draw never retries sooner than min_interval.
  EXPECT_EQ(next_poll(cadence(), 3, failure, kNow, 0.0).next_due, kNow + minutes{5});
  PollOutcome success{PollClass::changed, {}, {}, {}, {}};
  EXPECT_EQ(next_poll(cadence(), 10, success, kNow, 0.0).consecutive_failures, 0);
}

TEST(Policy, RetryAfterIsHonoured) {
  PollOutcome limited{PollClass::rate_limited, Seconds{120}, {}, {}, {}};
  auto decision = next_poll(cadence(), 0, limited, kNow, 0.5);
  EXPECT_EQ(decision.next_due, kNow + Seconds{120});
  EXPECT_EQ(decision.health, Health::rate_limited);
  EXPECT_EQ(decision.reason, "Retry-After 2m");
}

// A single 404 backs off like a transient failure; the feed goes dormant (slow probes) only
// when the failures in a row reach kGoneConfirmations. A 403 is blocked at once.
TEST(Policy, OneNotFoundBacksOffAndOnlyRepeatedOnesMakeAFeedDormant) {
  PollOutcome gone{PollClass::gone, {}, {}, {}, {}};
  auto first = next_poll(cadence(), 0, gone, kNow, 0.999);
  EXPECT_EQ(first.health, Health::failing);
  EXPECT_EQ(first.consecutive_failures, 1);
  EXPECT_LE(first.next_due, kNow + Seconds{30 * 60});  // full jitter under 2 x interval
  EXPECT_EQ(first.reason.rfind("gone 1 of 3, backoff ", 0), 0u) << first.reason;
  auto second = next_poll(cadence(), 1, gone, kNow, 0.999);
  EXPECT_EQ(second.health, Health::failing);
  auto third = next_poll(cadence(), 2, gone, kNow, 0.0);
  EXPECT_EQ(third.health, Health::dormant);
  EXPECT_EQ(third.next_due, kNow + kSlowProbe);
  PollOutcome blocked{PollClass::blocked, {}, {}, {}, {}};
  EXPECT_EQ(next_poll(cadence(), 0, blocked, kNow, 0.0).health, Health::blocked);
}

TEST(Policy, GoneAndBlockedAreProbedSlowlyNeverParked) {
  PollOutcome gone{PollClass::gone, {}, {}, {}, {}};
  auto decision = next_poll(cadence(), 100, gone, kNow, 0.0);
  EXPECT_EQ(decision.health, Health::dormant);
  EXPECT_EQ(decision.next_due, kNow + kSlowProbe);
  PollOutcome blocked{PollClass::blocked, {}, {}, {}, {}};
  EXPECT_EQ(next_poll(cadence(), 0, blocked, kNow, 0.0).health, Health::blocked);
}

TEST(Policy, SkipHoursAndSkipDaysMoveThePollOut) {
  core::PollingHints hints;
  hints.skip_hours = {10, 11};
  EXPECT_EQ(skip_quiet_hours(kNow + minutes{15}, hints), *core::make_utc(2023, 11, 9, 12, 0, 0));
  hints.skip_hours.clear();
  hints.skip_days = {4, 5};  // Thursday, Friday
  EXPECT_EQ(skip_quiet_hours(kNow, hints), *core::make_utc(2023, 11, 11, 0, 0, 0));
  for (int day = 0; day < 7; ++day) hints.skip_days.push_back(day);
  EXPECT_EQ(skip_quiet_hours(kNow, hints), kNow);  // nonsense hint ignored
}

TEST(Policy, DurationsPrintTheWayConfigsWriteThem) {
  EXPECT_EQ(format_duration(Seconds{90}), "1m30s");
  EXPECT_EQ(format_duration(Seconds{6 * 3600}), "6h");
  EXPECT_EQ(format_duration(Seconds{0}), "0s");
}

}  // namespace
}  // namespace wirewatch::scheduler
