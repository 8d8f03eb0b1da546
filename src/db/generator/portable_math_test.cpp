// Exp and Log against libm: within a few units in the last place everywhere, exact where the
// answer is exact, and the edge cases.
#include "db/generator/portable_math.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace fastbreak::db::detail {
namespace {

// |a - b| in units of b's last place.
double Ulps(double a, double b) {
  if (a == b) return 0;
  return std::abs(a - b) / (std::nextafter(std::abs(b), INFINITY) - std::abs(b));
}

TEST(PortableMath, ExpMatchesLibm) {
  for (double x = -740; x <= 709; x += 0.0137) {
    EXPECT_LE(Ulps(Exp(x), std::exp(x)), 2) << x;
  }
  for (double x = -1; x <= 1; x += 1.0 / 4096) EXPECT_LE(Ulps(Exp(x), std::exp(x)), 2) << x;
  EXPECT_EQ(Exp(0), 1);
  EXPECT_EQ(Exp(1000), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Exp(-1000), 0);
  EXPECT_TRUE(std::isnan(Exp(std::nan(""))));
}

TEST(PortableMath, LogMatchesLibm) {
  for (double x = 1e-300; x < 1e300; x *= 1.0173) {
    EXPECT_LE(Ulps(Log(x), std::log(x)), 2) << x;
  }
  for (double x = 0.5; x <= 2; x += 1.0 / 8192) {
    // Near 1 the result is small: compare absolutely, at the scale of log's argument.
    EXPECT_NEAR(Log(x), std::log(x), 4e-16 * std::abs(std::log(x)) + 1e-300) << x;
  }
  EXPECT_EQ(Log(1), 0);
  EXPECT_LE(Ulps(Log(std::numeric_limits<double>::denorm_min()),
                 std::log(std::numeric_limits<double>::denorm_min())),
            2);
  EXPECT_EQ(Log(0), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(Log(-1)));
}

}  // namespace
}  // namespace fastbreak::db::detail
