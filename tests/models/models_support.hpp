#pragma once
// Shared by the model tests: a ModelContext in one line, explicit weights by block name, a
// forward pass on a fresh tape, and (from the nn tests) gradchecks w.r.t. inputs and parameters.

#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "nn/test_layers_support.hpp"
#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp::test {

inline ModelContext make_context(Space obs, Space actions, std::size_t num_outputs, RandomStream& rng,
                                 Json model = Json::object(), Json policy = Json::object(),
                                 std::string name = "model") {
  return ModelContext{std::move(obs),
                      std::move(actions),
                      num_outputs,
                      Config(std::move(model), "config.model"),
                      Config(std::move(policy), "config"),
                      std::move(name),
                      &rng};
}

inline Space box(std::size_t n, double low = -1.0, double high = 1.0) {
  return Box(low, high, {static_cast<std::int64_t>(n)});
}

// The block called `name` (a failed CHECK-style REQUIRE when absent).
inline Eigen::Map<nn::Matrix> block(nn::Parameters& params, const std::string& name) {
  const nn::ParamBlock* b = params.find(name);
  REQUIRE_MESSAGE(b != nullptr, "no parameter block named " << name);
  for (std::size_t k = 0; k < params.blocks().size(); ++k)
    if (params.blocks()[k].name == name) return params.value(k);
  return params.value(0);
}

// "name rows x cols" for every block, in order: compact layout assertions.
inline std::string layout(const nn::Parameters& params) {
  std::string text;
  for (const auto& b : params.blocks())
    text += b.name + " " + std::to_string(b.rows) + "x" + std::to_string(b.cols) + "\n";
  return text;
}

// Fills every block with small deterministic values (so tests do not depend on the initializers).
inline void fill_parameters(nn::Parameters& params, std::uint64_t seed, double scale = 0.5) {
  RandomStream rng(seed);
  for (std::size_t k = 0; k < params.blocks().size(); ++k) {
    auto m = params.value(k);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(scale * rng.normal());
  }
}

// forward(binding, obs) -> [outputs, value]: the function the gradchecks differentiate, generic
// over the scalar like check_layer_gradients wants.
template <class M>
auto outputs_and_value(const M& model) {
  return [&model](auto& p, auto x) {
    using T = typename std::remove_cvref_t<decltype(p)>::scalar_type;
    ModelInput<T> in;
    in.obs = x;
    const ModelOutput<T> out = model.forward(p, in);
    return ad::concat(out.outputs, model.value_function(p, out));
  };
}

// One forward on a fresh double tape: outputs and value as matrices.
template <class M>
std::pair<ad::MatrixD, ad::MatrixD> run_double(const M& model, const nn::Parameters& params, const ad::MatrixD& obs) {
  ad::TapeD tape;
  std::vector<double> values = nn::values_as<double>(params);
  nn::ParameterBinding<double> p(tape, params.blocks(), values.data(), nullptr);
  ModelInput<double> in;
  in.obs = tape.constant(obs);
  const ModelOutput<double> out = model.forward(p, in);
  return {ad::MatrixD(out.outputs.value()), ad::MatrixD(model.value_function(p, out).value())};
}

}  // namespace rlpp::test
