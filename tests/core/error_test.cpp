// Tests for tuf_core/src/error.cpp.
#include <catch2/catch.hpp>

#include "tuf/error.h"

TEST_CASE("error codes print as their enumerator names", "[error]") {
  CHECK(tuf::to_string(tuf::Errc::unsigned_metadata) == "unsigned_metadata");
  CHECK(tuf::to_string(tuf::Errc::equal_version_number) == "equal_version_number");
  CHECK(tuf::to_string(tuf::Errc::length_or_hash_mismatch) == "length_or_hash_mismatch");
  CHECK(tuf::to_string(tuf::Errc::target_not_found) == "target_not_found");
  CHECK(tuf::to_string(tuf::Errc::too_large) == "too_large");
  CHECK(tuf::to_string(tuf::Errc::usage) == "usage");
}

TEST_CASE("error message leaves out empty parts", "[error]") {
  using tuf::Errc;
  using tuf::Error;
  CHECK(Error{Errc::bad_version_number, "snapshot", "version rollback", "at least 5", "4"}
            .message() ==
        "bad_version_number: snapshot: version rollback (expected at least 5, got 4)");
  CHECK(Error{Errc::expired_metadata, "timestamp", "expired", {}, {}}.message() ==
        "expired_metadata: timestamp: expired");
  CHECK(Error{Errc::usage, {}, "unknown request id", {}, {}}.message() ==
        "usage: unknown request id");
  CHECK(Error{Errc::too_large, "targets", {}, "1024", {}}.message() ==
        "too_large: targets (expected 1024)");
  CHECK(Error{Errc::not_found, {}, {}, {}, "404"}.message() == "not_found (got 404)");
}

TEST_CASE("fail builds an unexpected error value", "[error]") {
  tuf::Result<int> r = tuf::fail(tuf::Errc::invalid_metadata, "root", "duplicate key");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tuf::Errc::invalid_metadata);
  CHECK(r.error().message() == "invalid_metadata: root: duplicate key");
}
