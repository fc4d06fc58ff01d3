#pragma once
// RLlib's MODEL_DEFAULTS (rllib/models/catalog.py, Ray ~1.12): the keys of a policy's "model"
// dict and their defaults, the merge of a user's "model" dict over them (unknown keys are errors
// with a "did you mean"; custom_model_config is free-form) and the validation every model relies
// on. Conv, attention and Atari keys are accepted and validated but used by no model yet.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/nn/layers/activations.hpp"

namespace rlpp {

// MODEL_DEFAULTS, key for key (rllib/models/catalog.py). lstm_use_prev_action_reward is the
// 1.0-1.3 single flag: null means unset; true/false sets both lstm_use_prev_action and
// lstm_use_prev_reward, as RLlib's deprecation path does.
inline Json model_defaults() {
  return Json{
      {"_use_default_native_models", false},
      {"_disable_preprocessor_api", false},
      {"_disable_action_flattening", false},
      // == fully connected ==
      {"fcnet_hiddens", Json::array({256, 256})},
      {"fcnet_activation", "tanh"},
      // rlpp: how fully connected layers are initialized. "normc" is RLlib's (normc 1.0 hidden,
      // 0.01 fc_out and value_out); "orthogonal" the PPO paper's and CleanRL's (orthogonal with
      // gain sqrt(2) hidden, 0.01 fc_out, 1.0 value_out). Biases are zero either way.
      {"weights_initializer", "normc"},
      // == conv (VisionNetwork, not implemented yet) ==
      {"conv_filters", nullptr},
      {"conv_activation", "relu"},
      // == after conv / complex-input nets ==
      {"post_fcnet_hiddens", Json::array()},
      {"post_fcnet_activation", "relu"},
      {"free_log_std", false},
      {"no_final_linear", false},
      {"vf_share_layers", true},
      // == LSTM ==
      {"use_lstm", false},
      {"max_seq_len", 20},
      {"lstm_cell_size", 256},
      {"lstm_use_prev_action", false},
      {"lstm_use_prev_reward", false},
      {"_time_major", false},
      // == attention (GTrXL, not implemented yet) ==
      {"use_attention", false},
      {"attention_num_transformer_units", 1},
      {"attention_dim", 64},
      {"attention_num_heads", 1},
      {"attention_head_dim", 32},
      {"attention_memory_inference", 50},
      {"attention_memory_training", 50},
      {"attention_position_wise_mlp_dim", 32},
      {"attention_init_gru_gate_bias", 2.0},
      {"attention_use_n_prev_actions", 0},
      {"attention_use_n_prev_rewards", 0},
      // == Atari ==
      {"framestack", true},
      {"dim", 84},
      {"grayscale", false},
      {"zero_mean", true},
      // == custom ==
      {"custom_model", nullptr},
      {"custom_model_config", Json::object()},
      {"custom_action_dist", nullptr},
      {"custom_preprocessor", nullptr},
      // == deprecated ==
      {"lstm_use_prev_action_reward", nullptr},
  };
}

namespace detail {
inline void check_activation(const Config& model, std::string_view key) {
  (void)nn::activation_from_name(model.value(key), model.path_of(key));
}
inline void check_null_or_string(const Config& model, std::string_view key) {
  const Json& v = model.value(key);
  if (!v.is_null() && !v.is_string())
    throw ConfigError(model.path_of(key), "expected a name or null, got " + describe_json(v));
}
inline void check_positive(const Config& model, std::string_view key) { (void)model.positive_int(key); }

// conv_filters: null, or a list of [out_channels, kernel, stride] where kernel and stride are an
// integer or a pair of integers.
inline void check_conv_filters(const Config& model) {
  const Json& v = model.value("conv_filters");
  if (v.is_null()) return;
  const std::string path = model.path_of("conv_filters");
  const auto positive = [](const Json& e) { return e.is_number_integer() && e.get<std::int64_t>() > 0; };
  const auto size_or_pair = [&](const Json& e) {
    return positive(e) || (e.is_array() && e.size() == 2 && positive(e[0]) && positive(e[1]));
  };
  if (!v.is_array())
    throw ConfigError(path, "expected null or a list of [out_channels, kernel, stride], got " + describe_json(v));
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Json& f = v[i];
    if (!f.is_array() || f.size() != 3 || !positive(f[0]) || !size_or_pair(f[1]) || !size_or_pair(f[2]))
      throw ConfigError(path + "[" + std::to_string(i) + "]",
                        "expected [out_channels, kernel, stride] with positive integers (kernel and stride may "
                        "be [h, w] pairs), got " + describe_json(f));
  }
}
}  // namespace detail

// Checks every MODEL_DEFAULTS key of a merged "model" dict; errors are ConfigErrors naming the
// key path ("config.model.fcnet_hiddens: expected array of positive integers, got [64, 0]").
inline void validate_model_config(const Config& model) {
  (void)model.positive_int_list("fcnet_hiddens");
  (void)model.positive_int_list("post_fcnet_hiddens");
  detail::check_activation(model, "fcnet_activation");
  detail::check_activation(model, "post_fcnet_activation");
  detail::check_activation(model, "conv_activation");
  detail::check_conv_filters(model);
  (void)model.one_of("weights_initializer", {"normc", "orthogonal"});
  for (const char* key : {"_use_default_native_models", "_disable_preprocessor_api", "_disable_action_flattening",
                          "free_log_std", "no_final_linear", "vf_share_layers", "use_lstm", "lstm_use_prev_action",
                          "lstm_use_prev_reward", "_time_major", "use_attention", "framestack", "grayscale",
                          "zero_mean"})
    (void)model.get<bool>(key);
  for (const char* key : {"max_seq_len", "lstm_cell_size", "attention_num_transformer_units", "attention_dim",
                          "attention_num_heads", "attention_head_dim", "attention_memory_inference",
                          "attention_memory_training", "attention_position_wise_mlp_dim", "dim"})
    detail::check_positive(model, key);
  (void)model.non_negative_int("attention_use_n_prev_actions");
  (void)model.non_negative_int("attention_use_n_prev_rewards");
  (void)model.get<double>("attention_init_gru_gate_bias");
  for (const char* key : {"custom_model", "custom_action_dist", "custom_preprocessor"})
    detail::check_null_or_string(model, key);
  if (!model.value("custom_model_config").is_object())
    throw ConfigError(model.path_of("custom_model_config"),
                      "expected an object, got " + describe_json(model.value("custom_model_config")));
  (void)model.get<std::optional<bool>>("lstm_use_prev_action_reward");
}

// A user's "model" dict merged over model_defaults() and validated. `path` names the dict in
// errors. Unknown keys are ConfigErrors with a suggestion ("config.model.fcnet_hidden: unknown
// config key (did you mean 'fcnet_hiddens'?)"); custom_model_config is passed through as given.
// Idempotent: merging an already merged dict again gives it back.
inline Json merge_model_config(const Json& user, const std::string& path = "config.model") {
  MergeRules rules;
  rules.free_form = {"custom_model_config"};
  rules.replace_if_type_changes = {};
  Json merged = merge_config(model_defaults(), user, rules, path);
  const Json& deprecated = merged["lstm_use_prev_action_reward"];
  if (deprecated.is_boolean()) {
    merged["lstm_use_prev_action"] = deprecated;
    merged["lstm_use_prev_reward"] = deprecated;
  }
  validate_model_config(Config(merged, path));
  return merged;
}

// The complete "model" config a model reads: `model_config` (merged or partial) merged over the
// defaults and validated, keeping its path. Every model calls this in its constructor, so a
// ModelContext may carry the user's dict as given.
inline Config complete_model_config(const Config& model_config) {
  return Config(merge_model_config(model_config.json(), model_config.path()), model_config.path());
}

}  // namespace rlpp
