//===- sleef_kernel.cpp - The SLEEF sigmoid loop ----------------------------===//
//
// Compiled with -mavx512f (bench/CMakeLists.txt), alone in its file so that
// no other code of peer-bench uses AVX-512 instructions: sleef_peer.cpp
// calls it only after checking the CPU. y = 1 / (1 + exp(-x)) with
// Sleef_expf16_u10 (1-ULP expf, 16 lanes), count a multiple of 16.
//
//===----------------------------------------------------------------------===//

#include <immintrin.h>
#include <sleef.h>

#include <cstdint>

void somaPeerSleefSigmoid(const float *x, float *y, int64_t count) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t i = 0; i < count; i += 16) {
    __m512 v = _mm512_loadu_ps(x + i);
    __m512 e = Sleef_expf16_u10(_mm512_sub_ps(zero, v));
    _mm512_storeu_ps(y + i, _mm512_div_ps(one, _mm512_add_ps(one, e)));
  }
}
