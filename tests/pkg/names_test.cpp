// pkg/names: PEP 503 normalisation and PEP 508 name validity.
#include <catch2/catch.hpp>

#include "pkg/names.h"

TEST_CASE("normalize_name lowercases and collapses runs of -_. to one dash (PEP 503)", "[pkg][names]") {
  // The PEP's own examples all normalise to the same name.
  for (const char* n : {"friendly-bar", "Friendly-Bar", "FRIENDLY-BAR", "friendly.bar", "friendly_bar",
                        "FrIeNdLy-._.-bAr", "friendly--bar", "friendly__..bar"})
    CHECK(pkg::normalize_name(n) == "friendly-bar");
  CHECK(pkg::normalize_name("Django") == "django");
  CHECK(pkg::normalize_name("zope.interface") == "zope-interface");
  CHECK(pkg::normalize_name("A") == "a");
  CHECK(pkg::normalize_name("") == "");
  CHECK(pkg::normalize_name("typing_extensions") == "typing-extensions");
}

TEST_CASE("is_valid_project_name follows PEP 508's name grammar", "[pkg][names]") {
  for (const char* ok : {"a", "A1", "foo.bar_baz-qux", "zope.interface", "Django", "0x", "a--b"})
    CHECK(pkg::is_valid_project_name(ok));
  for (const char* bad : {"", "-foo", "foo-", "_foo", "foo.", "foo bar", "foo/bar", "fo\xc3\xa9",
                          "..", "foo!", "a\nb"})
    CHECK_FALSE(pkg::is_valid_project_name(bad));
}

TEST_CASE("is_normalized_name accepts only the normalised form", "[pkg][names]") {
  CHECK(pkg::is_normalized_name("friendly-bar"));
  CHECK(pkg::is_normalized_name("a1"));
  CHECK_FALSE(pkg::is_normalized_name("Friendly-Bar"));
  CHECK_FALSE(pkg::is_normalized_name("friendly_bar"));
  CHECK_FALSE(pkg::is_normalized_name("friendly.bar"));
  CHECK_FALSE(pkg::is_normalized_name("friendly--bar"));
  CHECK_FALSE(pkg::is_normalized_name("-a"));
  CHECK_FALSE(pkg::is_normalized_name(""));
}
