#pragma once
// ParameterBinding: how a layer's parameter blocks reach a tape. Layers hold only block indices;
// at forward time they ask the binding for block k and get a tape value whose gradient lands in
// the model's gradient storage. The same layer code then runs on a float tape over a model's
// Parameters (training) and on a double tape over a double copy or over gradcheck's variables.
// Also: the `layer` concept every layer models.

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::nn {

template <class T>
class ParameterBinding {
 public:
  using scalar_type = T;

  // Parameters laid out as `blocks` (offsets into `values` and `grads`, as in a Parameters).
  // backward() writes (or, with accumulate, adds) their gradients into `grads`; a null `grads`
  // binds them frozen: no gradient flows to them (target networks, inference).
  // A binding is a few pointers: make one per recording or keep one; neither allocates.
  // Bind after the model is built: Parameters::add moves its storage.
  ParameterBinding(ad::BasicTape<T>& tape, const std::vector<ParamBlock>& blocks, T* values, T* grads)
      : tape_(&tape), blocks_(&blocks), values_(values), grads_(grads) {}

  // Block k is `vars[k]`, a value already on the tape (gradcheck w.r.t. parameters: pass its
  // variables). Shapes must match the blocks; `vars` must outlive the binding.
  ParameterBinding(ad::BasicTape<T>& tape, const std::vector<ParamBlock>& blocks, std::span<const ad::BasicVar<T>> vars)
      : tape_(&tape), blocks_(&blocks), vars_(vars) {
    if (vars.size() != blocks.size())
      throw Error("nn::ParameterBinding", "got " + std::to_string(vars.size()) + " values for " +
                                              std::to_string(blocks.size()) + " parameter blocks");
    for (std::size_t k = 0; k < vars.size(); ++k)
      if (static_cast<std::size_t>(vars[k].rows()) != blocks[k].rows ||
          static_cast<std::size_t>(vars[k].cols()) != blocks[k].cols)
        throw Error("nn::ParameterBinding", "value " + std::to_string(k) + " is " + std::to_string(vars[k].rows()) + "x" +
                                                std::to_string(vars[k].cols()) + ", block '" + blocks[k].name + "' is " +
                                                std::to_string(blocks[k].rows) + "x" + std::to_string(blocks[k].cols));
  }

  // Block `index` as a value of the current recording: a parameter leaf over the bound memory
  // (no copy). Each call makes a new leaf, so a layer asks once per forward; leaves of one block
  // share their gradient memory, and backward() sums into it correctly however many there are.
  ad::BasicVar<T> operator()(std::size_t index) const {
    if (index >= blocks_->size())
      throw Error("nn::ParameterBinding", "block index " + std::to_string(index) + " is out of range (" +
                                              std::to_string(blocks_->size()) + " blocks)",
                  "bind the Parameters the layer was built on");
    if (!vars_.empty()) return vars_[index];
    const ParamBlock& b = (*blocks_)[index];
    return tape_->parameter(values_ + b.offset, grads_ ? grads_ + b.offset : nullptr, static_cast<Eigen::Index>(b.rows),
                            static_cast<Eigen::Index>(b.cols));
  }

  ad::BasicTape<T>& tape() const noexcept { return *tape_; }
  const std::vector<ParamBlock>& blocks() const noexcept { return *blocks_; }
  const ParamBlock& block(std::size_t index) const { return blocks_->at(index); }
  // False when bound frozen (no gradient storage).
  bool trainable() const noexcept { return !vars_.empty() || grads_ != nullptr; }

 private:
  ad::BasicTape<T>* tape_;
  const std::vector<ParamBlock>* blocks_;
  T* values_ = nullptr;
  T* grads_ = nullptr;
  std::span<const ad::BasicVar<T>> vars_;
};

// A model's Parameters on a float tape, gradients into params.grads().
inline ParameterBinding<float> bind(ad::Tape& tape, Parameters& params) {
  return {tape, params.blocks(), params.values().data(), params.grads().data()};
}
// The same, frozen: no gradient reaches the parameters (target networks, compute_actions).
inline ParameterBinding<float> bind_frozen(ad::Tape& tape, const Parameters& params) {
  // The tape never writes a parameter leaf's value, so dropping const here is safe.
  return {tape, params.blocks(), const_cast<float*>(params.values().data()), nullptr};
}

// A copy of the values in scalar T with the same flat layout (offsets, padding): bind it with
// ParameterBinding<T>(tape, params.blocks(), copy.data(), grads.data()) on a BasicTape<T>.
template <class T>
std::vector<T> values_as(const Parameters& params) {
  const auto v = params.values();
  return std::vector<T>(v.begin(), v.end());
}

// Each block's values as its own rows x cols matrix in scalar T, in block order: the inputs of
// ad::gradcheck when checking gradients w.r.t. parameters (bind them with the vars constructor).
template <class T>
std::vector<ad::BasicMatrix<T>> block_values(const Parameters& params) {
  std::vector<ad::BasicMatrix<T>> out;
  out.reserve(params.blocks().size());
  for (std::size_t k = 0; k < params.blocks().size(); ++k) out.emplace_back(params.value(k).template cast<T>());
  return out;
}

// A layer: a value with forward(binding, x) -> value on a BasicTape<T>.
template <class L, class T = float>
concept layer = requires(const L& l, const ParameterBinding<T>& p, ad::BasicVar<T> x) {
  { l.forward(p, x) } -> std::same_as<ad::BasicVar<T>>;
};

namespace detail {
// "fc_1" from "mlp.fc_1.weight": names a layer in errors from one of its blocks.
inline std::string layer_name(const ParamBlock& block) {
  const auto dot = block.name.rfind('.');
  return dot == std::string::npos ? block.name : block.name.substr(0, dot);
}
}  // namespace detail

}  // namespace rlpp::nn
