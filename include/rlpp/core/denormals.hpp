#pragma once
// ScopedFlushDenormals: while alive, the calling thread flushes subnormal floats to zero
// (x86: MXCSR FTZ + DAZ; AArch64: FPCR.FZ). Training drives gradients and Adam's second
// moments towards tiny values, and arithmetic on subnormals is 10-100x slower on x86; learners
// run under this guard, as TensorFlow does by default. Env code does not (Gymnasium exactness).

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace rlpp {

class ScopedFlushDenormals {
 public:
  ScopedFlushDenormals() noexcept {
#if defined(__SSE__) || defined(__x86_64__)
    saved_ = _mm_getcsr();
    _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
#elif defined(__aarch64__)
    unsigned long fpcr;
    asm volatile("mrs %0, fpcr" : "=r"(fpcr));
    saved_ = fpcr;
    fpcr |= (1ul << 24);
    asm volatile("msr fpcr, %0" : : "r"(fpcr));
#endif
  }
  ~ScopedFlushDenormals() {
#if defined(__SSE__) || defined(__x86_64__)
    _mm_setcsr(static_cast<unsigned>(saved_));
#elif defined(__aarch64__)
    asm volatile("msr fpcr, %0" : : "r"(saved_));
#endif
  }
  ScopedFlushDenormals(const ScopedFlushDenormals&) = delete;
  ScopedFlushDenormals& operator=(const ScopedFlushDenormals&) = delete;

 private:
  static constexpr unsigned kFlushToZero = 0x8000;
  static constexpr unsigned kDenormalsAreZero = 0x0040;
  unsigned long saved_ = 0;
};

}  // namespace rlpp
