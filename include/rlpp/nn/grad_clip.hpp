#pragma once
// Gradient clipping on the flat gradient vector: by global L2 norm (RLlib's `grad_clip`, which
// its torch policies apply with torch.nn.utils.clip_grad_norm_) and by value
// (torch.nn.utils.clip_grad_value_).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>

#include "rlpp/core/error.hpp"

namespace rlpp::nn {

// The L2 norm of `values`, accumulated in double: value i goes to partial sum i % 8, and the
// eight partial sums are added pairwise in a fixed order. The squares of floats are exact in
// double (so FMA or not gives the same sums) and the order is fixed by this code, not by the
// SIMD width: the result does not depend on the build and reruns are bit-identical. Eight
// independent sums instead of one chain: the norm is taken on every SGD step.
inline double global_norm(std::span<const float> values) noexcept {
  constexpr std::size_t lanes = 8;
  double partial[lanes] = {};
  const std::size_t n = values.size(), full = n / lanes * lanes;
  const float* v = values.data();
  for (std::size_t i = 0; i < full; i += lanes)
    for (std::size_t l = 0; l < lanes; ++l) partial[l] += static_cast<double>(v[i + l]) * static_cast<double>(v[i + l]);
  for (std::size_t i = full; i < n; ++i) partial[i - full] += static_cast<double>(v[i]) * static_cast<double>(v[i]);
  const double sum = ((partial[0] + partial[4]) + (partial[2] + partial[6])) + ((partial[1] + partial[5]) + (partial[3] + partial[7]));
  return std::sqrt(sum);
}

// Scales `grads` in place so their global L2 norm is at most max_norm and returns the norm
// before clipping (what RLlib reports as grad_gnorm). As torch does, the factor is
// max_norm / (norm + 1e-6) and it is applied only when below 1, i.e. when norm + 1e-6 > max_norm.
// A non-finite norm is returned as is and the gradients are left alone for the caller to see.
inline float clip_grad_norm(std::span<float> grads, float max_norm) {
  if (!(max_norm > 0.0f))
    throw Error("clip_grad_norm", "max_norm must be > 0, got " + std::to_string(max_norm),
                "use grad_clip = null to turn clipping off");
  const double norm = global_norm(grads);
  const double factor = static_cast<double>(max_norm) / (norm + 1e-6);
  if (std::isfinite(norm) && factor < 1.0) {
    const auto scale = static_cast<float>(factor);
    for (float& g : grads) g *= scale;
  }
  return static_cast<float>(norm);
}

// Clamps every gradient to [-clip_value, clip_value].
inline void clip_grad_value(std::span<float> grads, float clip_value) {
  if (!(clip_value >= 0.0f))
    throw Error("clip_grad_value", "clip_value must be >= 0, got " + std::to_string(clip_value));
  for (float& g : grads) g = std::clamp(g, -clip_value, clip_value);
}

}  // namespace rlpp::nn
