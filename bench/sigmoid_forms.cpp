// sigmoid-forms: stand-alone AVX-512 copies of f32 sigmoid loops on
// |x| <= 16, timed side by side and swept for their error, to weigh a form
// before building it into the compiler (docs/activations.md, "What keeps
// sigmoid behind XNNPACK"). Not a peer and not part of bench/run.sh.
//
//   build/bin/sigmoid-forms            # ns per element over 4096 floats
//   build/bin/sigmoid-forms --sweep    # and the largest error over every
//                                      # f32 in [-16, 16] (about 5 minutes)
//
// Every form reduces e^-x = m·2^n as Soma's central form does
// (ApproxMath.cpp) and differs in how it forms 2^-n/(m + 2^-n). The loop
// is the compiled one's shape: four vectors a step and the range check.
// Times are the best of 300 runs of 20 calls, one thread (pin it:
// taskset -c 1); errors are against 1/(1 + exp(-x)) in double.

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

using V = __m512;

V c(float value) { return _mm512_set1_ps(value); }

/// e^-x = m·2^n with m = e^r: r, and 2^-n as a float, from the shifter's
/// sum with 127 added (its low bits are -n + 127, shifted into the exponent
/// field).
struct Reduced {
  V r, scale;
};

Reduced reduce(V x) {
  const V shifter = c(0x1.8p23f + 127.0f);
  V shifted = _mm512_fmadd_ps(x, c(0x1.715476p0f), shifter);
  V negN = _mm512_sub_ps(shifted, shifter);
  V scale = _mm512_castsi512_ps(
      _mm512_slli_epi32(_mm512_castps_si512(shifted), 23));
  V r = _mm512_fmsub_ps(negN, c(0x1.62ep-1f), x);
  r = _mm512_fmadd_ps(negN, c(0x1.0bfbe8p-15f), r);
  return {r, scale};
}

/// The denominator every form but one shares: d = (1 + 2^-n) + p rounded,
/// with p = e^r - 1 = r + r²·P(r) (Soma's P, in pairs), and its tail dLo.
struct Denominator {
  V d, dLo, scale;
};

Denominator denominator(V x) {
  auto [r, scale] = reduce(x);
  V square = _mm512_mul_ps(r, r);
  V low = _mm512_fmadd_ps(c(0x1.5554dcp-3f), r, c(0.5f));
  V high = _mm512_fmadd_ps(c(0x1.120be8p-7f), r, c(0x1.555518p-5f));
  V tail = _mm512_fmadd_ps(c(0x1.6d1184p-10f), square, high);
  tail = _mm512_fmadd_ps(tail, square, low);
  V p = _mm512_fmadd_ps(square, tail, r);
  V one = _mm512_add_ps(c(1.0f), scale);
  V d = _mm512_add_ps(one, p);
  V dLo = _mm512_add_ps(_mm512_sub_ps(one, d), p);
  return {d, dLo, scale};
}

/// Soma's central form: vrcp14ps, the residual of d + dLo, one rounding.
V somaCentral(V x) {
  Denominator f = denominator(x);
  V q = _mm512_rcp14_ps(f.d);
  V residual = _mm512_fnmadd_ps(q, f.d, c(1.0f));
  residual = _mm512_fnmadd_ps(q, f.dLo, residual);
  V scaled = _mm512_mul_ps(q, f.scale);
  return _mm512_fmadd_ps(scaled, residual, scaled);
}

/// 2^-n/d by vdivps, d's tail left out.
V divisionNoTail(V x) {
  Denominator f = denominator(x);
  return _mm512_div_ps(f.scale, f.d);
}

/// As above with d = (1 + 2^-n) + r·Q(r) in one fma, Q = p/r by Horner's
/// rule.
V divisionNoTailHorner(V x) {
  auto [r, scale] = reduce(x);
  V q = _mm512_fmadd_ps(c(0x1.6d1184p-10f), r, c(0x1.120be8p-7f));
  q = _mm512_fmadd_ps(q, r, c(0x1.555518p-5f));
  q = _mm512_fmadd_ps(q, r, c(0x1.5554dcp-3f));
  q = _mm512_fmadd_ps(q, r, c(0.5f));
  q = _mm512_fmadd_ps(q, r, c(1.0f));
  V d = _mm512_fmadd_ps(r, q, _mm512_add_ps(c(1.0f), scale));
  return _mm512_div_ps(scale, d);
}

/// vdivps, then the tail: q - q·dLo/d with 1/d from vrcp14ps.
V divisionThenTail(V x) {
  Denominator f = denominator(x);
  V q = _mm512_div_ps(f.scale, f.d);
  V t = _mm512_mul_ps(f.dLo, _mm512_rcp14_ps(f.d));
  return _mm512_fnmadd_ps(q, t, q);
}

/// The tail folded into the numerator before vdivps:
/// (2^-n - 2^-n·dLo/d)/d, 2^-n/d from vrcp14ps scaled in the exponent.
V tailInNumerator(V x) {
  Denominator f = denominator(x);
  V estimate = _mm512_rcp14_ps(f.d);
  __m512i exponent = _mm512_sub_epi32(_mm512_castps_si512(f.scale),
                                      _mm512_set1_epi32(0x3F800000));
  V scaledEstimate = _mm512_castsi512_ps(
      _mm512_add_epi32(_mm512_castps_si512(estimate), exponent));
  V numerator = _mm512_fnmadd_ps(scaledEstimate, f.dLo, f.scale);
  return _mm512_div_ps(numerator, f.d);
}

template <V (*Apply)(V)>
void run(const float *in, float *out, size_t n) {
  const V range = c(16.0f);
  for (size_t i = 0; i < n; i += 64) {
    V x[4];
    __mmask16 outside = 0;
    for (int k = 0; k < 4; ++k) {
      x[k] = _mm512_loadu_ps(in + i + 16 * k);
      outside |= _mm512_cmp_ps_mask(_mm512_abs_ps(x[k]), range, _CMP_NLE_UQ);
    }
    if (outside) {
      std::fprintf(stderr, "sigmoid-forms: an input outside [-16, 16]\n");
      std::exit(1);
    }
    for (int k = 0; k < 4; ++k)
      _mm512_storeu_ps(out + i + 16 * k, Apply(x[k]));
  }
}

using Loop = void (*)(const float *, float *, size_t);

struct Form {
  const char *name;
  Loop loop;
};

const Form kForms[] = {
    {"soma central (vrcp14ps + residual of d + dLo)", run<somaCentral>},
    {"vdivps, no tail", run<divisionNoTail>},
    {"vdivps, no tail, d by Horner in one fma", run<divisionNoTailHorner>},
    {"vdivps, then the tail", run<divisionThenTail>},
    {"tail in the numerator, then vdivps", run<tailInNumerator>},
};

double nsPerElement(Loop loop, const std::vector<float> &in,
                    std::vector<float> &out) {
  double best = 1e30;
  for (int repetition = 0; repetition < 300; ++repetition) {
    auto start = std::chrono::steady_clock::now();
    for (int call = 0; call < 20; ++call)
      loop(in.data(), out.data(), in.size());
    std::chrono::duration<double, std::nano> elapsed =
        std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count() / 20 / in.size());
  }
  return best;
}

/// |y - exact| in units of exact's last place (subnormal spacing below).
double ulpError(float y, double exact) {
  int exponent;
  std::frexp(exact, &exponent);
  double ulp = std::max(std::ldexp(1.0, exponent - 24), 0x1p-149);
  return std::fabs(y - exact) / ulp;
}

/// The largest error over every f32 in [-16, 16], in blocks of 2^16 bit
/// patterns (the others replaced by 0).
void sweep(Loop loop, double &largest, float &where) {
  std::vector<float> in(1 << 16), out(1 << 16);
  largest = 0;
  for (uint64_t base = 0; base < (uint64_t(1) << 32); base += in.size()) {
    for (size_t j = 0; j < in.size(); ++j) {
      uint32_t bits = uint32_t(base + j);
      float x;
      std::memcpy(&x, &bits, sizeof x);
      in[j] = std::fabs(x) <= 16.0f ? x : 0.0f;
    }
    loop(in.data(), out.data(), in.size());
    for (size_t j = 0; j < in.size(); ++j) {
      double error = ulpError(out[j], 1.0 / (1.0 + std::exp(-double(in[j]))));
      if (error > largest) {
        largest = error;
        where = in[j];
      }
    }
  }
}

} // namespace

int main(int argc, char **argv) {
  bool withSweep = argc > 1 && std::strcmp(argv[1], "--sweep") == 0;
  if (argc > 2 || (argc == 2 && !withSweep)) {
    std::fprintf(stderr, "usage: %s [--sweep]\n", argv[0]);
    return 2;
  }
  if (!__builtin_cpu_supports("avx512f")) {
    std::fprintf(stderr, "sigmoid-forms: this CPU has no AVX-512F\n");
    return 1;
  }
  // Inputs uniform in [-8, 8), as soma-bench's.
  std::vector<float> in(4096), out(4096);
  uint64_t state = 42;
  for (float &x : in) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    x = -8.0f + 16.0f * float(state >> 40) / float(uint64_t(1) << 24);
  }
  std::printf("| form | ns per element, 4096 floats |%s\n",
              withSweep ? " max ULP over [-16, 16] | at x |" : "");
  std::printf("|---|---:|%s\n", withSweep ? "---:|---|" : "");
  for (const Form &form : kForms) {
    std::printf("| %s | %.4f |", form.name, nsPerElement(form.loop, in, out));
    if (withSweep) {
      double largest;
      float where = 0;
      sweep(form.loop, largest, where);
      std::printf(" %.4f | %a |", largest, double(where));
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return 0;
}
