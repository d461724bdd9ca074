// Catch2 v2 wraps test names longer than the console width when listing them, and CTest's test
// discovery reads that listing: a wide console keeps every name on one line, so each test is
// registered (and run) under its full name.
#define CATCH_CONFIG_CONSOLE_WIDTH 400
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
