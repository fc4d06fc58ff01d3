#pragma once
// Activation layers: Tanh, Relu, Swish (SiLU), Elu and Linear (identity) as stateless types for
// compile-time stacks, and Activation, the same chosen at run time, which
// activation_from_name() builds from RLlib's fcnet_activation / post_fcnet_activation values
// ("tanh", "relu", "swish"/"silu", "elu", "linear" or null; rllib/models/utils.py
// get_activation_fn, case-insensitive like it).

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/autodiff/ops/unary.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/nn/layers/binding.hpp"

namespace rlpp::nn {

struct Tanh {
  template <class T>
  ad::BasicVar<T> forward(const ParameterBinding<T>&, ad::BasicVar<T> x) const { return ad::tanh(x); }
};
struct Relu {
  template <class T>
  ad::BasicVar<T> forward(const ParameterBinding<T>&, ad::BasicVar<T> x) const { return ad::relu(x); }
};
// x * sigmoid(x): RLlib's "swish", torch's SiLU.
struct Swish {
  template <class T>
  ad::BasicVar<T> forward(const ParameterBinding<T>&, ad::BasicVar<T> x) const { return ad::swish(x); }
};
// torch.nn.ELU: x for x > 0, alpha (e^x - 1) otherwise.
struct Elu {
  double alpha = 1.0;
  template <class T>
  ad::BasicVar<T> forward(const ParameterBinding<T>&, ad::BasicVar<T> x) const { return ad::elu(x, static_cast<T>(alpha)); }
};
// The identity; records nothing.
struct Linear {
  template <class T>
  ad::BasicVar<T> forward(const ParameterBinding<T>&, ad::BasicVar<T> x) const { return x; }
};

// An activation chosen at run time.
class Activation {
 public:
  enum class Kind : std::uint8_t { linear, tanh, relu, swish, elu };

  constexpr Activation() = default;
  constexpr explicit Activation(Kind kind) : kind_(kind) {}

  template <class T>
  ad::BasicVar<T> forward(const ParameterBinding<T>& p, ad::BasicVar<T> x) const {
    switch (kind_) {
      case Kind::linear: return Linear{}.forward(p, x);
      case Kind::tanh: return Tanh{}.forward(p, x);
      case Kind::relu: return Relu{}.forward(p, x);
      case Kind::swish: return Swish{}.forward(p, x);
      case Kind::elu: return Elu{}.forward(p, x);
    }
    return x;
  }

  constexpr Kind kind() const noexcept { return kind_; }
  // The canonical name ("swish" for "silu" too).
  constexpr std::string_view name() const noexcept {
    switch (kind_) {
      case Kind::linear: return "linear";
      case Kind::tanh: return "tanh";
      case Kind::relu: return "relu";
      case Kind::swish: return "swish";
      case Kind::elu: return "elu";
    }
    return "linear";
  }
  friend constexpr bool operator==(Activation, Activation) = default;

 private:
  Kind kind_ = Kind::linear;
};

// RLlib's activation names: "tanh", "relu", "swish" or "silu", "elu", "linear" (any case).
// Anything else is a ConfigError at `path` with a did-you-mean suggestion.
inline Activation activation_from_name(std::string_view name, std::string_view path = "fcnet_activation") {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "linear") return Activation(Activation::Kind::linear);
  if (lower == "tanh") return Activation(Activation::Kind::tanh);
  if (lower == "relu") return Activation(Activation::Kind::relu);
  if (lower == "swish" || lower == "silu") return Activation(Activation::Kind::swish);
  if (lower == "elu") return Activation(Activation::Kind::elu);
  const std::vector<std::string> known = {"tanh", "relu", "swish", "silu", "elu", "linear"};
  throw ConfigError(std::string(path),
                    "unknown activation '" + std::string(name) + "'; expected one of 'tanh', 'relu', 'swish', 'silu', "
                    "'elu', 'linear' or null",
                    did_you_mean(lower, known));
}
// null (Python's None) is linear, as in RLlib.
inline Activation activation_from_name(std::nullptr_t, std::string_view = "fcnet_activation") { return Activation(); }
inline Activation activation_from_name(const char* name, std::string_view path = "fcnet_activation") {
  return name ? activation_from_name(std::string_view(name), path) : Activation();
}
inline Activation activation_from_name(const std::string& name, std::string_view path = "fcnet_activation") {
  return activation_from_name(std::string_view(name), path);
}
// A config value: a string or null.
inline Activation activation_from_name(const Json& value, std::string_view path = "fcnet_activation") {
  if (value.is_null()) return Activation();
  if (!value.is_string())
    throw ConfigError(std::string(path), "expected an activation name or null, got " + describe_json(value));
  return activation_from_name(value.get_ref<const std::string&>(), path);
}

}  // namespace rlpp::nn
