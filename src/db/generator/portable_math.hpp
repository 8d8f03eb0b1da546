// exp and log from IEEE-754 basic arithmetic only (+ - * /, and the exact frexp, ldexp and
// floor), so that they return the same bits on every platform and CPU. libm's may not: glibc
// picks an FMA variant at run time on CPUs that have FMA, and other libms round differently in
// the last place — enough to change a draw, and from there the whole league. Accurate to about
// one unit in the last place, which is all the simulation needs. (The generator is compiled with
// -ffp-contract=off so that the compiler does not fuse these multiplications and additions
// either.)
#pragma once

#include <cmath>
#include <limits>

namespace fastbreak::db::detail {

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (fdlibm's constants).
inline constexpr double kLn2Hi = 6.93147180369123816490e-01;
inline constexpr double kLn2Lo = 1.90821492927058770002e-10;

// e^x.
inline double Exp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.1332191019412) return 0.0;
  // x = k ln 2 + r, |r| <= ln 2 / 2 (plus rounding), and e^x = 2^k e^r.
  const double k = std::floor(x * 1.44269504088896338700 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  // Taylor series of e^r to r^14 / 14!: the remainder is below 1e-17 for |r| <= 0.35.
  double sum = 1.0;
  for (int n = 14; n >= 1; --n) sum = 1.0 + sum * r / n;
  return std::ldexp(sum, static_cast<int>(k));
}

// Natural logarithm; -inf at 0, NaN below.
inline double Log(double x) {
  if (std::isnan(x) || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  // x = m 2^e with m in [sqrt(1/2), sqrt(2)), and log m = 2 atanh(f), f = (m - 1) / (m + 1).
  int e = 0;
  double m = std::frexp(x, &e);  // m in [0.5, 1), exact (subnormals included)
  if (m < 0.70710678118654752440) {
    m *= 2;
    --e;
  }
  const double f = (m - 1) / (m + 1);  // |f| <= 0.1716
  const double f2 = f * f;
  // 2 atanh(f) = 2 (f + f^3/3 + f^5/5 + ...) to f^25 / 25: the remainder is below 1e-19.
  double sum = 0;
  for (int n = 25; n >= 3; n -= 2) sum = (sum + 1.0 / n) * f2;
  const double log_m = 2 * f + 2 * f * sum;
  return e * kLn2Hi + (e * kLn2Lo + log_m);
}

}  // namespace fastbreak::db::detail
