#pragma once
// Sequential<Layers...>: layers composed at compile time, applied left to right; a std::tuple of
// layer values, so the whole stack is one type and forward() inlines. Built from a list of sizes
// {in, h1, ..., out}: each Dense takes the next pair of sizes, every other layer is
// default-constructed. (For a depth chosen at run time, as RLlib's fcnet_hiddens, see MLP.)
//   nn::Sequential<nn::Dense, nn::Tanh, nn::Dense> pi(params, "pi", {4, 64, 2}, rng);
// names its blocks "pi.0.weight", "pi.0.bias", "pi.2.weight", ... (torch.nn.Sequential's).

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/dense.hpp"
#include "rlpp/nn/layers/init.hpp"
#include "rlpp/nn/parameters.hpp"

namespace rlpp::nn {

template <class... Layers>
class Sequential {
  static_assert(sizeof...(Layers) > 0, "a Sequential needs at least one layer");
  static_assert(((layer<Layers, float> && layer<Layers, double>) && ...),
                "every layer of a Sequential must model nn::layer: a member forward(binding, x) returning the "
                "next value, for float and double tapes");

 public:
  // How many Dense layers the stack has: the sizes list needs one more entry than this.
  static constexpr std::size_t dense_count = (std::size_t{std::is_same_v<Layers, Dense>} + ...);

  // Dense layers from consecutive pairs of `sizes` = {in, h1, ..., out}; the other layers
  // default-constructed. Weights follow `inits` (a Dense that ends the stack is its output layer).
  Sequential(Parameters& params, const std::string& prefix, const std::vector<std::size_t>& sizes, RandomStream& rng,
             const DenseInits& inits = {})
      : layers_(build(params, prefix, sizes, rng, inits, std::index_sequence_for<Layers...>{})) {}

  // The same from a braced list of sizes, whose length is checked at compile time.
  template <std::size_t N>
  Sequential(Parameters& params, const std::string& prefix, const std::size_t (&sizes)[N], RandomStream& rng,
             const DenseInits& inits = {})
      : Sequential(params, prefix, std::vector<std::size_t>(sizes, sizes + N), rng, inits) {
    static_assert(N == dense_count + 1,
                  "a Sequential's sizes list {in, hidden..., out} needs exactly one more size than it has Dense layers");
  }

  // From layers built by the caller (any nn::layer, e.g. a Dense with its own initializer).
  explicit Sequential(Layers... layers) : layers_(std::move(layers)...) {}

  template <class T>
  ad::BasicVar<T> forward(const ParameterBinding<T>& p, ad::BasicVar<T> x) const {
    std::apply([&](const auto&... l) { ((x = l.forward(p, x)), ...); }, layers_);
    return x;
  }

  template <std::size_t I>
  const auto& get() const noexcept { return std::get<I>(layers_); }
  const std::tuple<Layers...>& layers() const noexcept { return layers_; }

  // in_size() of the first and out_size() of the last layer that has them (Dense, MLP, ...).
  std::size_t in_size() const {
    std::size_t size = 0;
    bool found = false;
    std::apply([&](const auto&... l) { (take_size<true>(l, size, found), ...); }, layers_);
    return size;
  }
  std::size_t out_size() const {
    std::size_t size = 0;
    bool found = false;
    std::apply([&](const auto&... l) { (take_size<false>(l, size, found), ...); }, layers_);
    return size;
  }

 private:
  template <bool first, class L>
  static void take_size(const L& l, std::size_t& size, bool& found) {
    if constexpr (requires { l.in_size(); l.out_size(); }) {
      if (first && !found) size = l.in_size();
      if (!first) size = l.out_size();
      found = true;
    }
  }

  // Dense layers among the first I layers: the ordinal of layer I if it is a Dense.
  template <std::size_t I>
  static constexpr std::size_t dense_before() {
    constexpr bool is_dense[] = {std::is_same_v<Layers, Dense>...};
    std::size_t n = 0;
    for (std::size_t k = 0; k < I; ++k) n += is_dense[k] ? 1 : 0;
    return n;
  }

  template <std::size_t I>
  static auto make(Parameters& params, const std::string& prefix, const std::vector<std::size_t>& sizes,
                   RandomStream& rng, const DenseInits& inits) {
    using L = std::tuple_element_t<I, std::tuple<Layers...>>;
    if constexpr (std::is_same_v<L, Dense>) {
      constexpr std::size_t k = dense_before<I>();
      const bool output = I + 1 == sizeof...(Layers);
      const Init weight = !inits.per_layer.empty() ? inits.per_layer[k] : (output ? inits.output : inits.hidden);
      const std::string name = prefix.empty() ? std::to_string(I) : prefix + "." + std::to_string(I);
      return Dense(params, name, sizes[k], sizes[k + 1], rng, weight, inits.bias);
    } else {
      static_assert(std::is_default_constructible_v<L>,
                    "Sequential builds Dense layers from the sizes list and default-constructs every other layer; "
                    "this layer is not default-constructible, so build the layers yourself and use "
                    "Sequential(layers...)");
      return L{};
    }
  }

  template <std::size_t... I>
  static std::tuple<Layers...> build(Parameters& params, const std::string& prefix,
                                     const std::vector<std::size_t>& sizes, RandomStream& rng,
                                     const DenseInits& inits, std::index_sequence<I...>) {
    static_assert(dense_count > 0,
                  "a Sequential built from a sizes list needs at least one Dense layer; build one without Dense "
                  "layers from its layers: Sequential(layers...)");
    if (sizes.size() != dense_count + 1) {
      std::string given;
      for (std::size_t s : sizes) given += (given.empty() ? "" : ", ") + std::to_string(s);
      throw Error("nn::Sequential '" + prefix + "'",
                  "has " + std::to_string(dense_count) + " Dense layers, so it needs " + std::to_string(dense_count + 1) +
                      " sizes {in, hidden..., out}; got " + std::to_string(sizes.size()) + " {" + given + "}");
    }
    if (!inits.per_layer.empty() && inits.per_layer.size() != dense_count)
      throw Error("nn::Sequential '" + prefix + "'", "DenseInits::per_layer has " + std::to_string(inits.per_layer.size()) +
                                                         " entries for " + std::to_string(dense_count) + " Dense layers");
    // A braced list evaluates left to right, so layers draw from rng in order.
    return std::tuple<Layers...>{make<I>(params, prefix, sizes, rng, inits)...};
  }

  std::tuple<Layers...> layers_;
};

}  // namespace rlpp::nn
