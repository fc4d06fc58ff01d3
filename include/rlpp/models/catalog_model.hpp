#pragma once
// CatalogModel: the model a policy gets when it names none, chosen at run time from the "model"
// config as RLlib's ModelCatalog.get_model_v2 does: a FullyConnectedNetwork over the
// preprocessed observations, wrapped in LSTMWrapper when use_lstm. Every call forwards to the
// chosen network (a std::variant inside, no virtual calls, no allocation).

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/models/fully_connected.hpp"
#include "rlpp/models/lstm_wrapper.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/models/model_defaults.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

// Model config keys read: use_lstm, use_attention (true is an error), custom_model (set is an
// error: custom models plug in by type), plus those of the chosen network. Observations with a
// 3-D Box (images) anywhere in the space are an error until VisionNetwork exists.
class CatalogModel {
 public:
  using Feedforward = FullyConnectedNetwork;
  using Recurrent = LSTMWrapper<FullyConnectedNetwork>;

  CatalogModel(const ModelContext& ctx, nn::Parameters& params) : impl_(choose(ctx, params)) {}

  template <class T>
  ModelOutput<T> forward(const nn::ParameterBinding<T>& p, const ModelInput<T>& in) const {
    return std::visit([&](const auto& m) { return m.forward(p, in); }, impl_);
  }
  template <class T>
  ad::BasicVar<T> value_function(const nn::ParameterBinding<T>& p, const ModelOutput<T>& out) const {
    return std::visit([&](const auto& m) { return m.value_function(p, out); }, impl_);
  }
  std::size_t num_outputs() const noexcept {
    return std::visit([](const auto& m) { return m.num_outputs(); }, impl_);
  }
  std::vector<nn::Matrix> initial_state() const {
    return std::visit([](const auto& m) { return m.initial_state(); }, impl_);
  }

  bool is_recurrent() const noexcept { return std::holds_alternative<Recurrent>(impl_); }
  // The chosen network, or nullptr (e.g. get_if<CatalogModel::Recurrent>()).
  template <class M>
  const M* get_if() const noexcept { return std::get_if<M>(&impl_); }

 private:
  using Impl = std::variant<Feedforward, Recurrent>;

  static bool has_image(const Space& space) {
    if (const auto* box = space.get_if<Box>()) return box->shape().size() >= 3;
    if (const auto* tuple = space.get_if<Tuple>()) {
      for (const auto& child : tuple->spaces())
        if (has_image(child)) return true;
    }
    if (const auto* dict = space.get_if<Dict>()) {
      for (const auto& [key, child] : dict->spaces())
        if (has_image(child)) return true;
    }
    return false;
  }

  static Impl choose(const ModelContext& ctx, nn::Parameters& params) {
    const Config model = complete_model_config(ctx.model_config);
    const std::string where = "CatalogModel '" + ctx.name + "'";
    if (!model.value("custom_model").is_null())
      throw ConfigError(model.path_of("custom_model"),
                        "custom models are chosen by type, not by name: got " + describe_json(model.value("custom_model")),
                        "give the policy your model type (a type satisfying rlpp::policy_model) and remove custom_model");
    if (model.get<bool>("use_attention"))
      throw ConfigError(model.path_of("use_attention"), "the attention (GTrXL) wrapper is not implemented yet",
                        "set use_attention to false, or use_lstm for memory");
    if (has_image(ctx.observation_space))
      throw SpaceError(where, "VisionNetwork is not implemented yet: the observation space " +
                                  ctx.observation_space.to_string() + " holds images (a 3-D Box)",
                       "flatten the observations (e.g. a 1-D Box) or write a custom model");
    if (model.get<bool>("use_lstm")) return Impl(std::in_place_type<Recurrent>, ctx, params);
    return Impl(std::in_place_type<Feedforward>, ctx, params);
  }

  Impl impl_;
};

static_assert(policy_model<CatalogModel>, "CatalogModel must satisfy rlpp::policy_model");

}  // namespace rlpp
