//===- sleef_kernel.cpp - The SLEEF activation loops ------------------------===//
//
// Compiled with -mavx512f (bench/CMakeLists.txt), alone in its file so that
// no other code of peer-bench uses AVX-512 instructions: sleef_peer.cpp
// calls it only after checking the CPU. 16 floats per step with SLEEF's
// 1-ULP vector functions (Sleef_expf16_u10, Sleef_log1pf16_u10,
// Sleef_tanhf16_u10, Sleef_logf16_u10), the way PyTorch builds its AVX-512
// activations; the hard activations need no SLEEF function. `count` is a
// multiple of 1024 (softmax and log_softmax run along rows of 1024).
//
//===----------------------------------------------------------------------===//

#include <immintrin.h>
#include <sleef.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace {

template <typename F>
void map(const float *x, float *y, int64_t count, F f) {
  for (int64_t i = 0; i < count; i += 16)
    _mm512_storeu_ps(y + i, f(_mm512_loadu_ps(x + i)));
}

__m512 absf(__m512 v) {
  return _mm512_castsi512_ps(_mm512_and_si512(
      _mm512_castps_si512(v), _mm512_set1_epi32(0x7fffffff)));
}

void softmaxRows(const float *x, float *y, int64_t count, bool log) {
  for (int64_t r = 0; r < count; r += 1024) {
    const float *xr = x + r;
    float *yr = y + r;
    __m512 vmax = _mm512_set1_ps(-INFINITY);
    for (int j = 0; j < 1024; j += 16)
      vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(xr + j));
    const __m512 max = _mm512_set1_ps(_mm512_reduce_max_ps(vmax));
    __m512 vsum = _mm512_setzero_ps();
    for (int j = 0; j < 1024; j += 16) {
      __m512 e = Sleef_expf16_u10(_mm512_sub_ps(_mm512_loadu_ps(xr + j), max));
      vsum = _mm512_add_ps(vsum, e);
      if (!log)
        _mm512_storeu_ps(yr + j, e);
    }
    const float sum = _mm512_reduce_add_ps(vsum);
    if (log) {
      const __m512 shift = _mm512_add_ps(
          max, Sleef_logf16_u10(_mm512_set1_ps(sum)));
      for (int j = 0; j < 1024; j += 16)
        _mm512_storeu_ps(yr + j,
                         _mm512_sub_ps(_mm512_loadu_ps(xr + j), shift));
    } else {
      const __m512 scale = _mm512_set1_ps(1.0f / sum);
      for (int j = 0; j < 1024; j += 16)
        _mm512_storeu_ps(yr + j, _mm512_mul_ps(_mm512_loadu_ps(yr + j), scale));
    }
  }
}

} // namespace

/// y = op(x) over `count` floats; false if op has no loop here.
bool somaPeerSleefActivation(const std::string &op, const float *x, float *y,
                             int64_t count) {
  const __m512 zero = _mm512_setzero_ps();
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 half = _mm512_set1_ps(0.5f);
  const __m512 three = _mm512_set1_ps(3.0f);
  const __m512 six = _mm512_set1_ps(6.0f);
  const __m512 sixth = _mm512_set1_ps(1.0f / 6.0f);
  if (op == "sigmoid")
    map(x, y, count, [&](__m512 v) {
      return _mm512_div_ps(
          one, _mm512_add_ps(one, Sleef_expf16_u10(_mm512_sub_ps(zero, v))));
    });
  else if (op == "log_sigmoid") // min(x, 0) - log1p(exp(-|x|))
    map(x, y, count, [&](__m512 v) {
      __m512 t = Sleef_log1pf16_u10(
          Sleef_expf16_u10(_mm512_sub_ps(zero, absf(v))));
      return _mm512_sub_ps(_mm512_min_ps(v, zero), t);
    });
  else if (op == "hard_sigmoid")
    map(x, y, count, [&](__m512 v) {
      return _mm512_min_ps(
          _mm512_max_ps(_mm512_fmadd_ps(v, sixth, half), zero), one);
    });
  else if (op == "silu")
    map(x, y, count, [&](__m512 v) {
      return _mm512_div_ps(
          v, _mm512_add_ps(one, Sleef_expf16_u10(_mm512_sub_ps(zero, v))));
    });
  else if (op == "hard_swish")
    map(x, y, count, [&](__m512 v) {
      __m512 r6 = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(v, three), zero),
                                six);
      return _mm512_mul_ps(_mm512_mul_ps(v, r6), sixth);
    });
  else if (op == "tanh")
    map(x, y, count, [&](__m512 v) { return Sleef_tanhf16_u10(v); });
  else if (op == "softplus") // max(x, 0) + log1p(exp(-|x|))
    map(x, y, count, [&](__m512 v) {
      __m512 t = Sleef_log1pf16_u10(
          Sleef_expf16_u10(_mm512_sub_ps(zero, absf(v))));
      return _mm512_add_ps(_mm512_max_ps(v, zero), t);
    });
  else if (op == "softmax" || op == "log_softmax")
    softmaxRows(x, y, count, op == "log_softmax");
  else
    return false;
  return true;
}
