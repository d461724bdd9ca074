// The watchdog of one hop (http_internal.h): a timer that fires at the earliest of the request
// deadline (whole job), the connect deadline (resolve + connect + proxy CONNECT + TLS
// handshake), the idle deadline (last byte + read_timeout) and the moment the average rate would
// fall below min_bytes_per_second (after min_rate_grace). On expiry it records the reason and
// closes the socket; the exchange's pending operation then fails and reports that reason.
#include <algorithm>

#include "http_internal.h"

namespace tuf_io::http_detail {
namespace {

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

Clock::time_point next_check(const HttpOptions& options, const Hop& hop) {
  Clock::time_point next = hop.request_deadline;
  if (hop.connecting) next = std::min(next, hop.connect_deadline);
  if (hop.transferring) {
    next = std::min(next, hop.last_activity + options.read_timeout);
    if (options.min_bytes_per_second > 0) {
      // The average falls below the minimum at transfer_start + bytes/rate, if nothing more
      // arrives; never before the grace period ends.
      std::uint64_t ms = hop.transfer_bytes * 1000 / options.min_bytes_per_second + 1;
      ms = std::min<std::uint64_t>(ms, 24ull * 3600 * 1000);
      auto at = hop.transfer_start + std::max(options.min_rate_grace, std::chrono::milliseconds(ms));
      next = std::min(next, at);
    }
  }
  return next;
}

}  // namespace

std::optional<std::string> limit_violation(const HttpOptions& options, const Hop& hop, Clock::time_point now) {
  if (now >= hop.request_deadline) return "request timed out (limit " + ms_text(options.request_timeout) + ")";
  if (hop.connecting && now >= hop.connect_deadline)
    return "connect timed out (limit " + ms_text(options.connect_timeout) + ")";
  if (hop.transferring) {
    if (now - hop.last_activity >= options.read_timeout)
      return "read timed out: no data for " + ms_text(options.read_timeout);
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - hop.transfer_start);
    if (options.min_bytes_per_second > 0 && elapsed >= options.min_rate_grace && elapsed.count() > 0 &&
        hop.transfer_bytes * 1000 < options.min_bytes_per_second * std::uint64_t(elapsed.count()))
      return "too slow: " + std::to_string(hop.transfer_bytes) + " bytes in " + ms_text(elapsed) + " (minimum " +
             std::to_string(options.min_bytes_per_second) + " bytes/s)";
  }
  return std::nullopt;
}

void arm_watchdog(const HttpOptions& options, const std::shared_ptr<Hop>& hop) {
  if (hop->done) return;
  hop->timer.expires_at(next_check(options, *hop));
  hop->timer.async_wait([&options, hop](error_code ec) {
    // operation_aborted: cancelled when the hop finished, or re-armed after a phase change.
    if (ec || hop->done || hop->abort_reason) return;
    if (auto why = limit_violation(options, *hop, Clock::now()))
      abort_hop(*hop, *why);
    else
      arm_watchdog(options, hop);
  });
}

void rearm_watchdog(const HttpOptions& options, const std::shared_ptr<Hop>& hop) {
  hop->timer.cancel();
  arm_watchdog(options, hop);
}

void abort_hop(Hop& hop, const std::string& why) {
  if (hop.abort_reason) return;
  hop.abort_reason = why;
  if (hop.resolver) hop.resolver->cancel();
  if (hop.conn) hop.conn->close();
}

}  // namespace tuf_io::http_detail
