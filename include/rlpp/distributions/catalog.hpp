#pragma once
// The default action distribution for an action space (RLlib's ModelCatalog.get_action_dist), and
// AnyActionDistribution: one type holding whichever distribution the space calls for, itself an
// action_distribution. A policy that is not given a distribution type uses it.
//   Discrete(n)                 -> Categorical       (n logits)
//   MultiDiscrete(nvec)         -> MultiCategorical  (sum(nvec) logits)
//   MultiBinary(n)              -> MultiCategorical  (2n logits; an rlpp extension, RLlib raises)
//   Box int64                   -> MultiCategorical  (sum of high - low + 1 per dimension)
//   Box float32, 1-D (or scalar)-> DiagGaussian      (2 * dim: means, then log stds)
//   Box float32 with 2+ dims    -> SpaceError (RLlib's UnsupportedSpaceException)
//   Tuple, Dict                 -> SpaceError (no MultiActionDistribution yet)
// SquashedGaussian, Deterministic and Beta are never defaults: algorithms (SAC, DDPG) or users
// pick them by type or by DistributionKind.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/distributions/beta.hpp"
#include "rlpp/distributions/categorical.hpp"
#include "rlpp/distributions/deterministic.hpp"
#include "rlpp/distributions/diag_gaussian.hpp"
#include "rlpp/distributions/multi_categorical.hpp"
#include "rlpp/distributions/squashed_gaussian.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

enum class DistributionKind { categorical, multi_categorical, diag_gaussian, squashed_gaussian, deterministic, beta };

// "Categorical", "MultiCategorical", "DiagGaussian", "SquashedGaussian", "Deterministic", "Beta".
constexpr std::string_view to_string(DistributionKind kind) noexcept {
  switch (kind) {
    case DistributionKind::categorical: return "Categorical";
    case DistributionKind::multi_categorical: return "MultiCategorical";
    case DistributionKind::diag_gaussian: return "DiagGaussian";
    case DistributionKind::squashed_gaussian: return "SquashedGaussian";
    case DistributionKind::deterministic: return "Deterministic";
    case DistributionKind::beta: return "Beta";
  }
  return "?";
}

// The kind named `name` (a to_string() name, or RLlib's dist_type "deterministic"); a ConfigError
// at `where` with a suggestion otherwise.
inline DistributionKind parse_distribution_kind(std::string_view name, std::string_view where = "dist_type") {
  const DistributionKind kinds[] = {DistributionKind::categorical,       DistributionKind::multi_categorical,
                                    DistributionKind::diag_gaussian,     DistributionKind::squashed_gaussian,
                                    DistributionKind::deterministic,     DistributionKind::beta};
  std::vector<std::string> names;
  for (DistributionKind kind : kinds) {
    if (name == to_string(kind)) return kind;
    names.emplace_back(to_string(kind));
  }
  if (name == "deterministic") return DistributionKind::deterministic;
  const std::string suggestion = did_you_mean(name, names);
  throw ConfigError(std::string(where), "unknown action distribution \"" + std::string(name) + "\"",
                    suggestion.empty() ? "expected one of Categorical, MultiCategorical, DiagGaussian, "
                                         "SquashedGaussian, Deterministic, Beta"
                                       : suggestion);
}

namespace dist_detail {
// The catalog rule by space alone (allocates nothing on success).
inline DistributionKind default_distribution_kind_for(const Space& action_space) {
  if (action_space.is<Discrete>()) return DistributionKind::categorical;
  if (action_space.is<MultiDiscrete>() || action_space.is<MultiBinary>()) return DistributionKind::multi_categorical;
  if (const Box* box = action_space.get_if<Box>()) {
    if (box->dtype() == DType::int64) return DistributionKind::multi_categorical;
    if (box->shape().size() > 1)
      throw SpaceError("action distribution catalog",
                       "the action space " + action_space.to_string() + " has multiple dimensions; DiagGaussian, "
                       "the default for a float Box, needs a 1-D Box (RLlib's UnsupportedSpaceException)",
                       "reshape it into a single dimension, pick a distribution by type, or use a Tuple action space");
    return DistributionKind::diag_gaussian;
  }
  throw SpaceError("action distribution catalog",
                   "the action space " + action_space.to_string() + " has no default action distribution: " +
                       std::string(rlpp::to_string(action_space.kind())) +
                       " action spaces are not supported yet (RLlib uses a MultiActionDistribution over the "
                       "flattened components)",
                   "flatten the action into a MultiDiscrete or a 1-D Box, or write a custom distribution "
                   "(see docs/action-distributions.md)");
}
}  // namespace dist_detail

// RLlib's choice for `action_space` (table above). model_config is the "model" config: its
// "custom_action_dist" names a registered distribution in RLlib; rlpp chooses distributions by
// type instead, so a non-null value is a ConfigError that says how.
inline DistributionKind default_distribution_kind(const Space& action_space, const Config& model_config) {
  if (model_config.contains("custom_action_dist") && !model_config.value("custom_action_dist").is_null())
    throw ConfigError(model_config.path_of("custom_action_dist"),
                      "distributions are not registered by name in rlpp",
                      "pass the distribution type to the policy: rlpp::action_dist<MyDistribution> "
                      "(see docs/action-distributions.md)");
  return dist_detail::default_distribution_kind_for(action_space);
}

// Model outputs the distribution of `kind` needs for `action_space`.
inline std::size_t required_model_output_shape(DistributionKind kind, const Space& action_space,
                                               const Config& model_config);

// ---- AnyActionDistribution ----------------------------------------------------------------------
// Holds one of the built-in distributions, chosen at run time; forwards every call to it.
// kl() needs both sides to hold the same kind. rsample() works for the kinds that have one
// (DiagGaussian, SquashedGaussian, Deterministic) and throws for the others.
template <class T>
class BasicAnyActionDistribution {
 public:
  using scalar_type = T;
  using Var = ad::BasicVar<T>;
  using Matrix = ad::BasicMatrix<T>;
  using Variant = std::variant<BasicCategorical<T>, BasicMultiCategorical<T>, BasicDiagGaussian<T>,
                               BasicSquashedGaussian<T>, BasicDeterministic<T>, BasicBeta<T>>;

  // The catalog's default for the space.
  BasicAnyActionDistribution(Var inputs, const Space& action_space)
      : BasicAnyActionDistribution(inputs, action_space, dist_detail::default_distribution_kind_for(action_space)) {}
  BasicAnyActionDistribution(Var inputs, const Space& action_space, DistributionKind kind)
      : dist_(make(inputs, action_space, kind)) {}
  // Wraps a distribution already built.
  template <class D>
    requires std::is_constructible_v<Variant, D&&> && (!std::is_same_v<std::remove_cvref_t<D>, BasicAnyActionDistribution>)
  explicit BasicAnyActionDistribution(D&& distribution) : dist_(std::forward<D>(distribution)) {}

  // For the catalog's default distribution of the space.
  static std::size_t required_model_output_shape(const Space& action_space, const Config& model_config = Config()) {
    return rlpp::required_model_output_shape(default_distribution_kind(action_space, model_config), action_space,
                                             model_config);
  }

  void sample(RandomStream& rng, Matrix& actions) {
    std::visit([&](auto& d) { d.sample(rng, actions); }, dist_);
  }
  void deterministic_sample(Matrix& actions) const {
    std::visit([&](const auto& d) { d.deterministic_sample(actions); }, dist_);
  }
  Var logp(Var actions) const {
    return std::visit([&](const auto& d) { return d.logp(actions); }, dist_);
  }
  Var sampled_action_logp() const {
    return std::visit([](const auto& d) { return d.sampled_action_logp(); }, dist_);
  }
  Var entropy() const {
    return std::visit([](const auto& d) -> Var { return d.entropy(); }, dist_);
  }
  Var kl(const BasicAnyActionDistribution& other) const {
    if (other.dist_.index() != dist_.index())
      throw Error("AnyActionDistribution::kl",
                  "KL between a " + std::string(to_string(kind())) + " and a " + std::string(to_string(other.kind())),
                  "both distributions must be of one kind (built for the same action space)");
    return std::visit(
        [&](const auto& d) -> Var {
          using D = std::remove_cvref_t<decltype(d)>;
          return d.kl(std::get<D>(other.dist_));
        },
        dist_);
  }
  Var inputs() const {
    return std::visit([](const auto& d) { return d.inputs(); }, dist_);
  }
  RSample<T> rsample(RandomStream& rng) const {
    return std::visit(
        [&](const auto& d) -> RSample<T> {
          if constexpr (requires { d.rsample(rng); }) {
            return d.rsample(rng);
          } else {
            throw Error("AnyActionDistribution::rsample",
                        std::string(to_string(kind())) + " has no reparameterized sample",
                        "use DiagGaussian, SquashedGaussian or Deterministic");
          }
        },
        dist_);
  }

  DistributionKind kind() const noexcept { return static_cast<DistributionKind>(dist_.index()); }
  // The distribution held, if it is a D.
  template <class D>
  const D* get_if() const noexcept {
    return std::get_if<D>(&dist_);
  }
  const Variant& variant() const noexcept { return dist_; }

 private:
  static Variant make(Var inputs, const Space& space, DistributionKind kind) {
    switch (kind) {
      case DistributionKind::categorical: return Variant(std::in_place_index<0>, inputs, space);
      case DistributionKind::multi_categorical: return Variant(std::in_place_index<1>, inputs, space);
      case DistributionKind::diag_gaussian: return Variant(std::in_place_index<2>, inputs, space);
      case DistributionKind::squashed_gaussian: return Variant(std::in_place_index<3>, inputs, space);
      case DistributionKind::deterministic: return Variant(std::in_place_index<4>, inputs, space);
      case DistributionKind::beta: return Variant(std::in_place_index<5>, inputs, space);
    }
    throw Error("AnyActionDistribution", "unknown DistributionKind " + std::to_string(static_cast<int>(kind)));
  }

  Variant dist_;
};

using AnyActionDistribution = BasicAnyActionDistribution<float>;
static_assert(action_distribution<AnyActionDistribution>);
static_assert(reparameterized_distribution<DiagGaussian> && reparameterized_distribution<SquashedGaussian> &&
              reparameterized_distribution<Deterministic>);

inline std::size_t required_model_output_shape(DistributionKind kind, const Space& action_space,
                                               const Config& model_config) {
  switch (kind) {
    case DistributionKind::categorical: return Categorical::required_model_output_shape(action_space, model_config);
    case DistributionKind::multi_categorical:
      return MultiCategorical::required_model_output_shape(action_space, model_config);
    case DistributionKind::diag_gaussian: return DiagGaussian::required_model_output_shape(action_space, model_config);
    case DistributionKind::squashed_gaussian:
      return SquashedGaussian::required_model_output_shape(action_space, model_config);
    case DistributionKind::deterministic: return Deterministic::required_model_output_shape(action_space, model_config);
    case DistributionKind::beta: return Beta::required_model_output_shape(action_space, model_config);
  }
  throw Error("required_model_output_shape", "unknown DistributionKind " + std::to_string(static_cast<int>(kind)));
}

}  // namespace rlpp
