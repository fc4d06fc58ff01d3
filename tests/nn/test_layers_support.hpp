#pragma once
// Shared by the layer tests: gradient checks of a layer w.r.t. its input and its parameters.
// check_layer_gradients runs ad::gradcheck on a double tape (the parameters bound to gradcheck's
// variables), then compares the float path over the model's own Parameters with the double
// analytic gradients over a double copy of them.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "rlpp/autodiff/gradcheck.hpp"
#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::test {

inline ad::MatrixD random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed, double scale = 1.0) {
  RandomStream rng(seed);
  ad::MatrixD m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * rng.normal();
  return m;
}

// `forward(binding, x)` is generic over the scalar (a lambda with auto parameters). The loss is
// sum(forward(x) .* R) for a fixed random R, so every output element gets its own weight.
template <class Forward>
void check_layer_gradients(nn::Parameters& params, const ad::MatrixD& x, Forward forward, double float_tol = 2e-3) {
  // The output's shape, for R.
  ad::TapeD shape_tape;
  std::vector<double> shape_values = nn::values_as<double>(params);
  nn::ParameterBinding<double> shape_binding(shape_tape, params.blocks(), shape_values.data(), nullptr);
  const ad::VarD probe = forward(shape_binding, shape_tape.constant(x));
  const ad::MatrixD r = random_matrix(probe.rows(), probe.cols(), 99);

  // 1. Finite differences w.r.t. the input and every parameter block, in double.
  std::vector<ad::MatrixD> inputs{x};
  for (auto& block : nn::block_values<double>(params)) inputs.push_back(std::move(block));
  const auto result = ad::gradcheck(
      [&](ad::TapeD& tape, std::span<const ad::VarD> in) {
        nn::ParameterBinding<double> p(tape, params.blocks(), in.subspan(1));
        return ad::sum(forward(p, in[0]) * tape.constant(r));
      },
      inputs);
  CHECK_MESSAGE(result.ok, result.worst);

  // 2. Analytic gradients in double over a flat copy with the model's layout ...
  ad::TapeD tape_d;
  std::vector<double> values_d = nn::values_as<double>(params);
  std::vector<double> grads_d(values_d.size(), 0.0);
  nn::ParameterBinding<double> pd(tape_d, params.blocks(), values_d.data(), grads_d.data());
  const ad::VarD xd = tape_d.variable(x);
  tape_d.backward(ad::sum(forward(pd, xd) * tape_d.constant(r)));

  // ... and in float over the Parameters themselves: the same gradients.
  ad::Tape tape_f;
  auto pf = nn::bind(tape_f, params);
  const ad::Var xf = tape_f.variable(x.cast<float>());
  tape_f.backward(ad::sum(forward(pf, xf) * tape_f.constant(r.cast<float>())));
  const auto grads_f = params.grads();
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < grads_d.size(); ++i)
    if (std::abs(static_cast<double>(grads_f[i]) - grads_d[i]) > float_tol * (1.0 + std::abs(grads_d[i]))) ++mismatches;
  CHECK(mismatches == 0);
  const ad::MatrixD input_grad_f = xf.grad().cast<double>();
  CHECK(((input_grad_f - xd.grad()).array().abs() <= float_tol * (1.0 + xd.grad().array().abs())).all());
}

}  // namespace rlpp::test
