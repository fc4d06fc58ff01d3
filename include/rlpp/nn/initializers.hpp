#pragma once
// Weight initializers. Each fills a weight block (rows = fan_in, cols = fan_out, as nn layers
// compute x * W) from an rlpp::RandomStream, so an initialization is reproducible from the seed.
// Draws are made in row-major order in double and rounded to float once at the end.

#include <Eigen/Core>
#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::nn {

namespace detail {
using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

inline MatrixD standard_normal(Eigen::Index rows, Eigen::Index cols, RandomStream& rng) {
  MatrixD m(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) m(r, c) = rng.normal();
  return m;
}
}  // namespace detail

// A (semi-)orthogonal matrix times gain (Saxe et al. 2014), by torch.nn.init.orthogonal_'s
// algorithm: QR of a standard-normal matrix (transposed first when rows < cols, so it is tall),
// Q's columns multiplied by the signs of diag(R) so Q is uniformly distributed, transposed back.
// Then W^T W = gain^2 I when rows >= cols, and W W^T = gain^2 I otherwise.
inline void orthogonal(Eigen::Map<Matrix> w, RandomStream& rng, double gain = 1.0) {
  if (w.size() == 0) return;
  const bool wide = w.rows() < w.cols();
  detail::MatrixD a = detail::standard_normal(w.rows(), w.cols(), rng);
  if (wide) a.transposeInPlace();
  const Eigen::HouseholderQR<detail::MatrixD> qr(a);
  detail::MatrixD q = qr.householderQ() * detail::MatrixD::Identity(a.rows(), a.cols());
  for (Eigen::Index c = 0; c < q.cols(); ++c)
    if (qr.matrixQR()(c, c) < 0.0) q.col(c) *= -1.0;  // sign(0) taken as +1 (probability 0)
  if (wide) q.transposeInPlace();
  w = (gain * q).cast<float>();
}

// U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010;
// torch.nn.init.xavier_uniform_).
inline void xavier_uniform(Eigen::Map<Matrix> w, RandomStream& rng, double gain = 1.0) {
  if (w.size() == 0) return;
  const double a = gain * std::sqrt(6.0 / static_cast<double>(w.rows() + w.cols()));
  for (Eigen::Index r = 0; r < w.rows(); ++r)
    for (Eigen::Index c = 0; c < w.cols(); ++c) w(r, c) = static_cast<float>(rng.uniform(-a, a));
}

// N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)) (torch.nn.init.xavier_normal_).
inline void xavier_normal(Eigen::Map<Matrix> w, RandomStream& rng, double gain = 1.0) {
  if (w.size() == 0) return;
  const double stddev = gain * std::sqrt(2.0 / static_cast<double>(w.rows() + w.cols()));
  for (Eigen::Index r = 0; r < w.rows(); ++r)
    for (Eigen::Index c = 0; c < w.cols(); ++c) w(r, c) = static_cast<float>(stddev * rng.normal());
}

// RLlib's normc_initializer (rllib/models/torch/misc.py, tf/misc.py): standard normal, then each
// output unit's incoming weights (a column here, since rows = fan_in) scaled to L2 norm stddev.
// RLlib's default for fully connected layers (std 1.0 hidden, 0.01 policy head).
inline void normc(Eigen::Map<Matrix> w, RandomStream& rng, double stddev = 1.0) {
  if (w.size() == 0) return;
  detail::MatrixD a = detail::standard_normal(w.rows(), w.cols(), rng);
  for (Eigen::Index c = 0; c < a.cols(); ++c) a.col(c) *= stddev / a.col(c).norm();
  w = a.cast<float>();
}

inline void zeros(Eigen::Map<Matrix> w) noexcept { w.setZero(); }
inline void constant(Eigen::Map<Matrix> w, float value) noexcept { w.setConstant(value); }

// An initializer by name, for configs: "orthogonal", "xavier_uniform", "xavier_normal", "normc",
// "zeros", or an object {"type": name, "gain": g} ("std" for normc, "value" for constant).
// `path` names the spec in errors.
inline void initialize(Eigen::Map<Matrix> w, RandomStream& rng, const Json& spec,
                       std::string_view path = "initializer") {
  const Json object = spec.is_string() ? Json{{"type", spec}} : spec;
  const Config config(object, std::string(path));
  const std::string type =
      config.one_of("type", {"orthogonal", "xavier_uniform", "xavier_normal", "normc", "zeros", "constant"});
  const std::vector<std::string> allowed = type == "normc"      ? std::vector<std::string>{"type", "std"}
                                           : type == "constant" ? std::vector<std::string>{"type", "value"}
                                           : type == "zeros"    ? std::vector<std::string>{"type"}
                                                                : std::vector<std::string>{"type", "gain"};
  for (const auto& key : config.keys())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      throw ConfigError(config.path_of(key), "not a parameter of the '" + type + "' initializer",
                        did_you_mean(key, allowed));
  if (type == "orthogonal") orthogonal(w, rng, config.get_or("gain", 1.0));
  else if (type == "xavier_uniform") xavier_uniform(w, rng, config.get_or("gain", 1.0));
  else if (type == "xavier_normal") xavier_normal(w, rng, config.get_or("gain", 1.0));
  else if (type == "normc") normc(w, rng, config.get_or("std", 1.0));
  else if (type == "zeros") zeros(w);
  else constant(w, config.get<float>("value"));
}

}  // namespace rlpp::nn
