#pragma once
// The floating-point rules that make rlpp's classic-control envs bit-identical to Gymnasium 1.x
// running on NumPy 2 (NEP 50 promotion) and glibc: libm pow wherever Gymnasium writes `x ** 2`,
// float32 arithmetic wherever NumPy computes in float32, NumPy's clip and remainder, and no
// fused multiply-add. The env headers wrap their physics in RLPP_EXACT_FP_BEGIN/END and open
// every physics function body with RLPP_EXACT_FP_BODY.
//
// What the guarantee needs from the build: IEEE double/float arithmetic without excess
// precision (x86-64 SSE, AArch64; not x87), glibc's libm, no -ffast-math (or -Ofast,
// -ffinite-math-only, -fassociative-math), round-to-nearest. -march=native is fine, and so is
// GCC's -ffp-contract=fast: contraction is switched off for the env functions themselves. Clang
// honours that under its default contraction mode but not under -ffp-contract=fast.

#include <cmath>

#include "rlpp/core/rng.hpp"

#if defined(__FAST_MATH__)
#warning "rlpp's classic-control envs are bit-exact with Gymnasium only without -ffast-math"
#endif

// GCC honours fp-contract per function through `optimize`; the user's -ffp-contract=fast (the
// GNU-mode default) and -march=native (which enables FMA) then cannot fuse a * b + c in the
// envs. Clang ignores that pragma and takes `clang fp contract(off)` inside a function body.
#if defined(__clang__)
#define RLPP_EXACT_FP_BEGIN
#define RLPP_EXACT_FP_END
#define RLPP_EXACT_FP_BODY _Pragma("clang fp contract(off)")
#elif defined(__GNUC__)
#define RLPP_EXACT_FP_BEGIN _Pragma("GCC push_options") _Pragma("GCC optimize(\"fp-contract=off\")")
#define RLPP_EXACT_FP_END _Pragma("GCC pop_options")
#define RLPP_EXACT_FP_BODY
#else
#define RLPP_EXACT_FP_BEGIN
#define RLPP_EXACT_FP_END
#define RLPP_EXACT_FP_BODY
#endif

RLPP_EXACT_FP_BEGIN

namespace rlpp::detail::exact {

// Hides a value from the optimizer so that a call with it as argument cannot be constant-folded.
template <class T>
inline T opaque(T value) noexcept {
#if defined(__GNUC__)
  asm("" : "+m"(value));
#else
  volatile T copy = value;
  value = copy;
#endif
  return value;
}

// `x ** 2` on a float64 (CPython's float_pow and NumPy's float64 scalar power both call libm's
// pow). g++ rewrites pow(x, 2.0) as x * x, and glibc's pow(x, 2.0), accurate to 0.52 ulp but not
// correctly rounded, differs from x * x in the last bit for about 1 argument in 1200.
inline double pow2(double x) noexcept {
  RLPP_EXACT_FP_BODY
  return std::pow(x, opaque(2.0));
}

// `u ** 2` on a NumPy float32 scalar: NEP 50 makes the exponent float32 and NumPy calls powf.
inline float powf2(float x) noexcept {
  RLPP_EXACT_FP_BODY
  return std::pow(x, opaque(2.0f));
}

// A float32 store (numpy's astype / np.array(..., dtype=np.float32)): round to nearest.
inline float f32(double x) noexcept { return static_cast<float>(x); }

// A float32 value kept in a double (a float32 state that rlpp stores as float64). The float
// passes through memory: g++ 12.2's SLP vectorizer was seen to drop such a double -> float ->
// double pair at -O2 (MountainCarContinuous stored -1.2 instead of float32(-1.2)).
inline double float32_value(double x) noexcept { return static_cast<double>(opaque(f32(x))); }

// Gymnasium's np_random.uniform(low, high): low + (high - low) * U, U in [0, 1) from rlpp's stream
// (RandomStream::uniform keeps the product and the sum separately rounded on every build).
inline double uniform(RandomStream& rng, double low, double high) noexcept { return rng.uniform(low, high); }

// np.clip with scalar bounds: NaN stays NaN.
template <class T>
inline T clip(T x, T low, T high) noexcept {
  return x < low ? low : (x > high ? high : x);
}

// np.remainder / Python's float %: fmod, moved to the divisor's sign; a zero takes its sign.
inline double remainder(double a, double b) noexcept {
  RLPP_EXACT_FP_BODY
  double mod = std::fmod(a, b);
  if (mod != 0.0) {
    if ((b < 0.0) != (mod < 0.0)) mod += b;
  } else {
    mod = std::copysign(0.0, b);
  }
  return mod;
}

// A Python/NumPy scalar during an expression that mixes NumPy float32 scalars with Python floats
// (MountainCarContinuous). NEP 50: a NumPy float32 meeting a Python float (or int) stays float32,
// the Python operand rounded to float32 first; a float64 or a Python float compares as a double.
struct Scalar {
  double value = 0.0;
  bool float32 = false;  // a NumPy float32 scalar (else float64 or a Python float)

  bool operator>(double python) const noexcept {
    return float32 ? f32(value) > f32(python) : value > python;
  }
  bool operator<(double python) const noexcept {
    return float32 ? f32(value) < f32(python) : value < python;
  }
  bool operator>=(double python) const noexcept {
    return float32 ? f32(value) >= f32(python) : value >= python;
  }
  bool operator==(double python) const noexcept {
    return float32 ? f32(value) == f32(python) : value == python;
  }
};

}  // namespace rlpp::detail::exact

RLPP_EXACT_FP_END
