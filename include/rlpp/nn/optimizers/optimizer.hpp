#pragma once
// What an optimizer is to rlpp: a value with `step(params, grads, lr)` over flat spans (the
// learning rate comes with each step so a schedule can drive it) and `reset()`. Optimizers whose
// state can be checkpointed also expose it as named tensors plus a step count
// (`stateful_optimizer`), which is what nn/serialization.hpp saves and restores bit for bit.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"

namespace rlpp::nn {

// One named piece of optimizer state ("exp_avg"), as a view into the optimizer.
struct StateTensor {
  std::string_view name;
  std::span<float> values;
};
struct ConstStateTensor {
  std::string_view name;
  std::span<const float> values;
};

template <class O>
concept optimizer = requires(O& opt, std::span<float> params, std::span<const float> grads, float lr) {
  opt.step(params, grads, lr);
  opt.reset();
};

// An optimizer whose state can be saved and restored exactly: its type name ("adam"), its
// hyper-parameters (for the file's header), its step count and its state tensors.
template <class O>
concept stateful_optimizer = optimizer<O> && requires(O& opt, const O& view, std::uint64_t steps) {
  { view.type() } -> std::convertible_to<std::string_view>;
  { view.size() } -> std::same_as<std::size_t>;
  { view.hyperparameters() } -> std::same_as<Json>;
  { view.step_count() } -> std::same_as<std::uint64_t>;
  opt.set_step_count(steps);
  { opt.state_tensors() } -> std::same_as<std::vector<StateTensor>>;
  { view.state_tensors() } -> std::same_as<std::vector<ConstStateTensor>>;
};

namespace detail {
// The check every step() starts with; spans of the wrong size are a programming error that
// would otherwise corrupt memory.
inline void check_step_sizes(std::string_view optimizer, std::size_t state_size, std::size_t params,
                             std::size_t grads) {
  if (params != state_size || grads != state_size)
    throw Error(std::string(optimizer) + "::step",
                "params has " + std::to_string(params) + " floats and grads " + std::to_string(grads) +
                    ", the optimizer was built for " + std::to_string(state_size),
                "construct the optimizer with Parameters::size() of the model it trains");
}

inline void check_hyperparameter(bool ok, std::string_view optimizer, std::string_view name, double value,
                                 std::string_view expected) {
  if (!ok)
    throw ConfigError(std::string(optimizer) + "." + std::string(name),
                      "expected " + std::string(expected) + ", got " + std::to_string(value));
}
}  // namespace detail

}  // namespace rlpp::nn
