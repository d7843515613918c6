// exp(x) for the SIMD vector types, to about 2 ulp. The kernels exponentiate once per attention score
// and per MLP activation, which a scalar libm call would make the slowest part of a long prefill.
// Internal to kernels/cpu: included only by the simd_kernels_*.cpp files.
#pragma once

namespace qwenrt::cpu {
namespace {

// Range reduction x = n ln2 + r with |r| <= ln2 / 2, then e^r by its Taylor series to r^7 (the first
// omitted term, r^8 / 8!, is below 6e-9, a tenth of a float ulp at 1) and e^x = e^r 2^n.
// Edge behaviour, which the callers rely on: NaN stays NaN; x below ln(FLT_MIN) ~ -87.34, -inf
// included, gives exactly 0 (results that would be subnormal flush to zero); x above 88.376 saturates
// at e^88.376 ~ 2.4e38 instead of overflowing (callers exponentiate non-positive numbers, or feed the
// result to a division where that makes no difference).
template <typename V>
typename V::Reg poly_exp(typename V::Reg x) {
  using Reg = typename V::Reg;
  const Reg lowest = V::set1(-87.33654475f);   // -126 ln2: 2^n stays a normal float
  const Reg highest = V::set1(88.376f);         // n = round(x log2 e) <= 127
  // maxps/minps return their second operand for NaN, so a NaN x passes both clamps unchanged.
  const Reg clamped = V::min(highest, V::max(lowest, x));
  const Reg n = V::round_nearest(V::mul(clamped, V::set1(1.44269504088896341f)));
  // ln2 split in two (Cody and Waite): the high part has few enough bits that n * high is exact.
  Reg r = V::fma(n, V::set1(-0.693359375f), clamped);
  r = V::fma(n, V::set1(2.12194440e-4f), r);
  Reg p = V::set1(1.0f / 5040.0f);
  p = V::fma(p, r, V::set1(1.0f / 720.0f));
  p = V::fma(p, r, V::set1(1.0f / 120.0f));
  p = V::fma(p, r, V::set1(1.0f / 24.0f));
  p = V::fma(p, r, V::set1(1.0f / 6.0f));
  p = V::fma(p, r, V::set1(0.5f));
  p = V::fma(p, r, V::set1(1.0f));
  p = V::fma(p, r, V::set1(1.0f));
  return V::zero_where_below(x, lowest, V::mul(p, V::exp2_int(n)));
}

}  // namespace
}  // namespace qwenrt::cpu
