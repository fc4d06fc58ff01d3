#pragma once
// Policy: a model, an action distribution, a loss, postprocessing, an optimizer and an
// exploration strategy assembled by type (RLlib's build_policy_class, at compile time):
//
//   using MyPolicy = rlpp::build_policy<"MyPolicy", rlpp::loss<PGLoss>,
//                                       rlpp::postprocess<rlpp::discounted_returns>>;
//   using Tuned    = MyPolicy::with<rlpp::loss<OtherLoss>>;      // RLlib's with_updates
//
// Omitted components default from the spaces and the config at run time, as RLlib's catalog
// does: the model from "model" (fully connected, or LSTM-wrapped with use_lstm), the action
// distribution from the action space, the exploration from "exploration_config". The policy
// API is RLlib's: compute_actions (one batched forward), compute_single_action,
// postprocess_trajectory, learn_on_batch (minibatch SGD), compute_gradients/apply_gradients,
// get/set_weights, get/set_state.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/denormals.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/meta.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/distributions/catalog.hpp"
#include "rlpp/exploration/any_exploration.hpp"
#include "rlpp/exploration/exploration.hpp"
#include "rlpp/models/catalog_model.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/nn/grad_clip.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/optimizers/adam.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/nn/schedules.hpp"
#include "rlpp/policy/components.hpp"
#include "rlpp/policy/loss_context.hpp"
#include "rlpp/policy/optimizer_factory.hpp"
#include "rlpp/policy/policy_config.hpp"
#include "rlpp/policy/sequences.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp {

template <fixed_string Name, class... Params>
class Policy;

namespace detail {
template <fixed_string Name, class List>
struct policy_from_list;
template <fixed_string Name, class... Params>
struct policy_from_list<Name, type_list<Params...>> {
  using type = Policy<Name, Params...>;
};
}  // namespace detail

// Where a policy runs: which worker (seeds its exploration stream), how many remote workers
// there are (PerWorkerEpsilonGreedy), and its id in the policy map.
struct PolicyContext {
  std::int64_t worker_index = 0;
  std::int64_t num_workers = 0;
  std::string policy_id = "default_policy";
};

// Whether unknown config keys are errors. A policy built on its own checks them; a trainer,
// which validated the whole config against its own defaults, passes its config leniently.
enum class ConfigCheck { strict, lenient };

// What compute_actions returns (RLlib's (actions, state_outs, extra_fetches)); owned by the
// policy and overwritten by the next call, so a warm call allocates nothing.
struct ComputedActions {
  nn::Matrix actions;             // [B, action flat size]; integers for discrete spaces
  std::vector<nn::Matrix> state_out;  // one [B, size] per state tensor
  nn::Matrix action_logp;         // [B, 1]
  nn::Matrix action_prob;         // [B, 1]
  nn::Matrix action_dist_inputs;  // [B, num_outputs]
  nn::Matrix vf_preds;            // [B, 1]; empty unless the policy uses value predictions
};

namespace detail {
template <class P>
concept postprocessor_uses_values = requires { P::uses_value_predictions; } && P::uses_value_predictions;

template <class C>
concept has_static_defaults = requires {
  { C::defaults() } -> std::convertible_to<Json>;
};

template <class C>
C make_component(const Config& config) {
  if constexpr (std::constructible_from<C, const Config&>) return C(config);
  else return C();
}

template <class M>
concept mixin_with_state = requires(const M& m, M& mm, const Json& j) {
  { M::mixin_name } -> std::convertible_to<std::string_view>;
  { m.get_mixin_state() } -> std::same_as<Json>;
  mm.set_mixin_state(j);
};

// A loss that reads a target network (DQN, SAC, DDPG): the policy keeps a copy of its weights,
// refreshed by update_target(), and the loss binds it with LossContext::target_parameters().
template <class L>
concept loss_uses_target_network = requires { L::uses_target_network; } && L::uses_target_network;

// A model whose parameters fall into groups, each with its own optimizer (and learning rate).
template <class M>
concept model_with_parameter_groups = requires(const M& m) {
  { m.parameter_groups() } -> std::convertible_to<std::vector<nn::ParamGroup>>;
};

// A loss that gives each parameter group its own learning rate (SAC's optimization.*_learning_rate).
template <class L>
concept loss_with_group_learning_rates = requires(const L& l, const Config& c, std::string_view group) {
  { l.learning_rate(c, group) } -> std::convertible_to<double>;
};

template <class List>
struct inherit_all;
template <class... Ms>
struct inherit_all<type_list<Ms...>> : Ms... {
  explicit inherit_all(const Config& config) : Ms(make_component<Ms>(config))... {}
};
}  // namespace detail

template <fixed_string Name, class... Params>
class Policy : public detail::inherit_all<find_named_t<mixins_tag, type_list<>, Params...>> {
  static_assert(valid_named_parameters_v<policy_component_tags, Params...>,
                "build_policy: every component must be one of rlpp::loss<>, rlpp::model<>, rlpp::action_dist<>, "
                "rlpp::postprocess<>, rlpp::optimizer<>, rlpp::exploration<>, rlpp::stats<>, rlpp::mixins<>, "
                "each given at most once");

 public:
  using loss_type = find_named_t<loss_tag, NoLoss, Params...>;
  using model_type = find_named_t<model_tag, CatalogModel, Params...>;
  using distribution_type = find_named_t<action_dist_tag, AnyActionDistribution, Params...>;
  using postprocess_type = find_named_t<postprocess_tag, NoPostprocessing, Params...>;
  using optimizer_type = find_named_t<optimizer_tag, nn::Adam, Params...>;
  using exploration_type = find_named_t<exploration_tag, AnyExploration, Params...>;
  using stats_type = find_named_t<stats_tag, NoStats, Params...>;
  using mixin_types = find_named_t<mixins_tag, type_list<>, Params...>;

  static_assert(policy_model<model_type>,
                "rlpp::model<M>: M must satisfy the rlpp::policy_model concept: M(const ModelContext&, "
                "nn::Parameters&), forward(binding, ModelInput) -> ModelOutput, value_function(binding, output) -> "
                "ad::Var, num_outputs(), initial_state() (see rlpp/models/model.hpp)");
  static_assert(action_distribution<distribution_type>,
                "rlpp::action_dist<D>: D must satisfy the rlpp::action_distribution concept: D(ad::Var inputs, "
                "const Space&), D::required_model_output_shape(space, model_config), sample(rng, actions), "
                "deterministic_sample(actions), logp(actions), sampled_action_logp(), entropy(), kl(other), "
                "inputs() (see rlpp/distributions/action_distribution.hpp)");
  static_assert(exploration_strategy<exploration_type>,
                "rlpp::exploration<E>: E must satisfy the rlpp::exploration_strategy concept: "
                "E(const ExplorationContext&), get_exploration_action(dist, actions, logp, timestep, explore, rng), "
                "get_state() -> Json, set_state(Json) (see rlpp/exploration/exploration.hpp)");
  static_assert(nn::optimizer<optimizer_type>,
                "rlpp::optimizer<O>: O must satisfy the rlpp::nn::optimizer concept: step(params, grads, lr) and "
                "reset() (see rlpp/nn/optimizers/optimizer.hpp)");
  static_assert(std::invocable<const loss_type&, LossContext<Policy>&>,
                "rlpp::loss<L>: L must satisfy the loss concept: a callable L{}(context) taking the policy's "
                "LossContext& (template <class Ctx> ad::Var operator()(Ctx& c) const)");
  static_assert(std::invocable<const postprocess_type&, Policy&, SampleBatch&>,
                "rlpp::postprocess<P>: P must satisfy the postprocessor concept: a callable P{}(policy, batch) "
                "that completes one trajectory's SampleBatch& in place");
  static_assert(std::invocable<const stats_type&, const Policy&, Json&>,
                "rlpp::stats<S>: S must satisfy the stats concept: a callable S{}(policy, Json& learner_stats)");

  // This policy with some components replaced (RLlib's with_updates): P::with<loss<L2>>.
  template <class... New>
  using with = typename detail::policy_from_list<Name, replace_named_t<type_list<Params...>, New...>>::type;

  static constexpr std::string_view name() noexcept { return Name.view(); }
  std::string_view policy_name() const noexcept { return Name.view(); }

  // The config's defaults: the common policy keys, then each component's own keys (a loss's
  // clip_param, GAE's lambda, ...), which may also override common ones (DQN's exploration).
  static Json default_config() {
    Json defaults = policy_defaults();
    add_component_defaults<model_type>(defaults);
    add_component_defaults<loss_type>(defaults);
    add_component_defaults<postprocess_type>(defaults);
    // A strategy fixed by type brings its exploration_config defaults.
    if constexpr (detail::has_static_defaults<exploration_type>) defaults["exploration_config"] = exploration_type::defaults();
    add_component_defaults<stats_type>(defaults);
    add_mixin_defaults(defaults, mixin_types{});
    return defaults;
  }

  Policy(Space observation_space, Space action_space, const Json& config = Json::object(),
         PolicyContext context = {}, ConfigCheck check = ConfigCheck::strict)
      : Policy(MergedConfig{}, std::move(observation_space), std::move(action_space), merged_config(config, check),
               std::move(context)) {}

  // ---- spaces, config, components ----
  const Space& observation_space() const noexcept { return observation_space_; }
  const Space& action_space() const noexcept { return action_space_; }
  const Config& config() const noexcept { return config_; }
  const std::string& policy_id() const noexcept { return context_.policy_id; }
  const PolicyContext& context() const noexcept { return context_; }
  const model_type& model() const noexcept { return model_; }
  const nn::Parameters& parameters() const noexcept { return params_; }
  nn::Parameters& parameters() noexcept { return params_; }
  // The optimizer of the first (or only) parameter group; optimizer(name) of a named one.
  const optimizer_type& optimizer() const noexcept { return groups_.front().optimizer; }
  const optimizer_type& optimizer(std::string_view group) const { return groups_[group_index(group)].optimizer; }
  // The parameter groups, each stepped by its own optimizer: the model's parameter_groups(), or
  // one group "default" over all parameters.
  std::vector<nn::ParamGroup> parameter_groups() const {
    std::vector<nn::ParamGroup> out;
    for (const auto& g : groups_) out.push_back(g.range);
    return out;
  }
  // Optimizer steps taken by learn_on_batch / apply_gradients (minibatches, all passes).
  std::int64_t num_learn_steps() const noexcept { return learn_steps_; }
  const exploration_type& exploration() const noexcept { return exploration_; }
  exploration_type& exploration() noexcept { return exploration_; }
  const loss_type& loss() const noexcept { return loss_; }
  std::size_t num_outputs() const noexcept { return num_outputs_; }
  // Width of one action row: 1 for Discrete, the flat size otherwise.
  std::size_t action_width() const noexcept { return action_space_.flat_size(); }
  // Width of one (preprocessed) observation row: what compute_actions and the "obs" column hold.
  std::size_t observation_width() const noexcept { return observation_space_.preprocessed_size(); }
  static constexpr bool uses_value_predictions = detail::postprocessor_uses_values<postprocess_type>;
  static constexpr bool uses_target_network = detail::loss_uses_target_network<loss_type>;

  // ---- target network (losses with uses_target_network) ----
  // target = tau * weights + (1 - tau) * target (RLlib's update_target(tau)); tau defaults to the
  // config's "tau", or 1 (a hard copy, DQN's) when the config has none (or null). The target starts as a
  // copy of the initial weights.
  void update_target(std::optional<double> tau = std::nullopt)
    requires uses_target_network
  {
    const bool configured = config_.contains("tau") && !config_.value("tau").is_null();
    const double t = tau ? *tau : (configured ? config_.number_in("tau", 0.0, 1.0) : 1.0);
    if (!(t >= 0.0 && t <= 1.0)) throw Error(where("update_target"), "tau must be in [0, 1], got " + std::to_string(t));
    const auto online = params_.values();
    const auto target = target_params_.values();
    if (t == 1.0) {
      std::copy(online.begin(), online.end(), target.begin());
      return;
    }
    const float a = static_cast<float>(t), b = static_cast<float>(1.0 - t);
    for (std::size_t i = 0; i < target.size(); ++i) target[i] = a * online[i] + b * target[i];
  }
  const nn::Parameters& target_parameters() const
    requires uses_target_network
  {
    return target_params_;
  }
  std::vector<float> get_target_weights() const
    requires uses_target_network
  {
    return target_params_.get_weights();
  }

  // ---- TD errors (for prioritized replay) ----
  // One per row of the last learn_on_batch's batch, as the loss set them with
  // LossContext::set_td_errors (empty if it set none).
  std::span<const float> td_errors() const noexcept { return {td_errors_.data(), td_errors_size_}; }

  // ---- global timestep (RLlib's global_vars) ----
  std::int64_t global_timestep() const noexcept { return global_timestep_; }
  void on_global_var_update(std::int64_t timestep) noexcept { global_timestep_ = timestep; }

  // ---- recurrent state ----
  bool is_recurrent() const { return !initial_state_.empty(); }
  std::size_t num_state_tensors() const { return initial_state_.size(); }
  // One 1 x size row per state tensor.
  const std::vector<nn::Matrix>& get_initial_state() const noexcept { return initial_state_; }

  // ---- acting ----
  // Actions for a batch of preprocessed observations [B, observation_width()] in one forward
  // pass. `state` holds one [B, size] matrix per state tensor (recurrent models; empty
  // otherwise), prev_actions [B, action_width()] and prev_rewards [B, 1] are read only by
  // models that use them. explore=nullopt uses the config's "explore"; timestep=nullopt the
  // global timestep.
  const ComputedActions& compute_actions(Eigen::Ref<const nn::Matrix> obs, std::span<const nn::Matrix> state = {},
                                         std::optional<bool> explore = std::nullopt,
                                         std::optional<std::int64_t> timestep = std::nullopt,
                                         const nn::Matrix* prev_actions = nullptr,
                                         const nn::Matrix* prev_rewards = nullptr) {
    const auto batch = static_cast<Eigen::Index>(obs.rows());
    check_observations(obs);
    if (state.size() != initial_state_.size())
      throw Error(where("compute_actions"), "got " + std::to_string(state.size()) + " state tensors, the model has " +
                                                std::to_string(initial_state_.size()),
                  "pass get_initial_state() rows for new episodes and state_out afterwards");
    inference_tape_.reset();
    const auto p = nn::bind_frozen(inference_tape_, params_);
    ModelInput<float> in;
    in.obs = inference_tape_.input(obs.data(), batch, obs.cols());
    for (std::size_t k = 0; k < state.size(); ++k) {
      if (state[k].rows() != batch || state[k].cols() != initial_state_[k].cols())
        throw Error(where("compute_actions"), "state tensor " + std::to_string(k) + " is " +
                                                  std::to_string(state[k].rows()) + "x" + std::to_string(state[k].cols()) +
                                                  ", expected " + std::to_string(batch) + "x" +
                                                  std::to_string(initial_state_[k].cols()));
      state_vars_[k] = inference_tape_.input(state[k].data(), batch, state[k].cols());
    }
    in.state = std::span<const ad::Var>(state_vars_.data(), state.size());
    if (prev_actions) in.prev_actions = inference_tape_.input(prev_actions->data(), batch, prev_actions->cols());
    if (prev_rewards) in.prev_rewards = inference_tape_.input(prev_rewards->data(), batch, 1);
    const ModelOutput<float> out = model_.forward(p, in);
    distribution_type dist(out.outputs, action_space_);

    ComputedActions& r = computed_;
    resize(r.action_logp, batch, 1);
    exploration_.get_exploration_action(dist, r.actions, std::span<float>(r.action_logp.data(), static_cast<std::size_t>(batch)),
                                        timestep.value_or(global_timestep_), explore.value_or(explore_), action_rng_);
    resize(r.action_prob, batch, 1);
    r.action_prob = r.action_logp.array().exp().matrix();
    r.action_dist_inputs = out.outputs.value();
    if constexpr (uses_value_predictions) r.vf_preds = model_.value_function(p, out).value();
    r.state_out.resize(out.state.size());
    for (std::size_t k = 0; k < out.state.size(); ++k) r.state_out[k] = out.state[k].value();
    return r;
  }

  // One raw (unpreprocessed, flat) observation -> one action row (RLlib's compute_single_action).
  const ComputedActions& compute_single_action(std::span<const float> observation, std::span<const nn::Matrix> state = {},
                                               std::optional<bool> explore = std::nullopt) {
    if (observation.size() != observation_space_.flat_size())
      throw SpaceError(where("compute_single_action"),
                       "the observation has " + std::to_string(observation.size()) + " values, " +
                           observation_space_.to_string() + " has " + std::to_string(observation_space_.flat_size()));
    resize(single_obs_, 1, static_cast<Eigen::Index>(observation_width()));
    observation_space_.preprocess(observation, std::span<float>(single_obs_.data(), observation_width()));
    return compute_actions(single_obs_, state, explore);
  }

  // V(s) of one preprocessed observation row (with the recurrent state rows that precede it):
  // what GAE bootstraps from when a trajectory is truncated.
  float value(std::span<const float> obs_row, std::span<const nn::Matrix> state = {}) {
    if (obs_row.size() != observation_width())
      throw Error(where("value"), "the observation row has " + std::to_string(obs_row.size()) + " values, expected " +
                                      std::to_string(observation_width()));
    inference_tape_.reset();
    const auto p = nn::bind_frozen(inference_tape_, params_);
    ModelInput<float> in;
    in.obs = inference_tape_.input(obs_row.data(), 1, static_cast<Eigen::Index>(obs_row.size()));
    for (std::size_t k = 0; k < state.size() && k < state_vars_.size(); ++k)
      state_vars_[k] = inference_tape_.input(state[k].data(), 1, state[k].cols());
    in.state = std::span<const ad::Var>(state_vars_.data(), std::min(state.size(), state_vars_.size()));
    const ModelOutput<float> out = model_.forward(p, in);
    return model_.value_function(p, out).item();
  }

  // ---- postprocessing ----
  // Completes one trajectory fragment (one agent, contiguous steps) in place: GAE, n-step, ...
  // A batch holding several episodes is postprocessed episode by episode.
  void postprocess_trajectory(SampleBatch& batch) {
    if (batch.count() == 0) return;
    if (!batch.contains(cols::eps_id.name)) {
      postprocess_(*this, batch);
      return;
    }
    std::vector<SampleBatch> episodes = batch.split_by_episode();
    if (episodes.size() == 1) {
      postprocess_(*this, batch);
      return;
    }
    for (SampleBatch& episode : episodes) postprocess_(*this, episode);
    batch = concat_samples(std::span<const SampleBatch>(episodes));
  }

  // ---- learning ----
  // num_sgd_iter passes over the batch in minibatches of sgd_minibatch_size rows (shuffled
  // between passes), one optimizer step each. Returns {"learner_stats": {...}}: the loss's
  // recorded stats and total_loss averaged over the minibatches of the last pass (as RLlib's
  // do_minibatch_sgd), cur_lr, grad_gnorm (before clipping, averaged), plus the stats
  // component's entries.
  Json learn_on_batch(const SampleBatch& batch) {
    ScopedFlushDenormals flush;
    if (batch.count() == 0) throw Error(where("learn_on_batch"), "the train batch is empty");
    begin_stats();
    const float lr = current_lr();
    const auto step = [&](const SampleBatch& data, std::size_t begin, std::size_t count, const SequenceView* seq) {
      const float loss = compute_loss_and_gradients(data, begin, count, seq);
      const float norm = clip_gradients();
      record_stat("total_loss", loss);
      record_stat("grad_gnorm", norm);
      check_finite(loss, norm);
      optimizer_step(lr);
    };
    td_errors_size_ = 0;
    if (td_errors_.size() < batch.count()) td_errors_.resize(batch.count());
    const std::int64_t iterations = config_.positive_int("num_sgd_iter");
    const std::int64_t minibatch = config_.non_negative_int("sgd_minibatch_size");
    if (is_recurrent()) {
      learn_on_sequences(batch, iterations, minibatch, step, [&] { begin_stats(); });
    } else {
      const std::size_t n = batch.count();
      const std::size_t size = minibatch == 0 ? n : std::min<std::size_t>(n, static_cast<std::size_t>(minibatch));
      // Shuffled passes reorder an index permutation (the same Fisher-Yates swaps, pass after
      // pass, that shuffling the batch itself would make) and gather each minibatch's rows into
      // a batch whose buffers are reused: no copy of the train batch, nothing allocated after
      // the first call.
      const bool shuffle = size < n;
      if (shuffle) {
        sgd_order_.resize(n);
        std::iota(sgd_order_.begin(), sgd_order_.end(), std::int64_t{0});
      }
      for (std::int64_t it = 0; it < iterations; ++it) {
        begin_stats();
        if (shuffle) sgd_rng_.shuffle(std::span<std::int64_t>(sgd_order_));
        // Whole minibatches only (as RLlib's minibatch iteration): a short tail would weigh
        // its rows more than the others'.
        for (std::size_t begin = 0; begin + size <= n; begin += size) {
          if (shuffle) {
            const auto rows = std::span<const std::int64_t>(sgd_order_).subspan(begin, size);
            batch.rows_into(rows, minibatch_);
            td_row_map_ = rows;
            step(minibatch_, 0, size, nullptr);
            td_row_map_ = {};
          } else {
            step(batch, begin, size, nullptr);
          }
        }
      }
    }
    ++num_grad_updates_calls_;
    return end_stats(lr);
  }

  // One gradient of the loss on the whole batch (for A3C-style plans), and its info dict.
  std::pair<std::vector<float>, Json> compute_gradients(const SampleBatch& batch) {
    ScopedFlushDenormals flush;
    begin_stats();
    std::optional<PaddedSequences> padded;
    SequenceView view;
    const SequenceView* seq = nullptr;
    const SampleBatch* data = &batch;
    if (is_recurrent()) {
      padded = pad_batch_to_sequences(batch, max_seq_len(), num_state_tensors());
      view = padded->view();
      seq = &view;
      data = &padded->batch;
    }
    td_errors_size_ = 0;
    if (td_errors_.size() < data->count()) td_errors_.resize(data->count());
    const float loss = compute_loss_and_gradients(*data, 0, data->count(), seq);
    const float norm = clip_gradients();
    record_stat("total_loss", loss);
    record_stat("grad_gnorm", norm);
    check_finite(loss, norm);
    const auto grads = params_.grads();
    return {std::vector<float>(grads.begin(), grads.end()), end_stats(current_lr())};
  }

  // One optimizer step with given gradients (e.g. computed by another worker).
  void apply_gradients(std::span<const float> gradients) {
    if (gradients.size() != params_.size())
      throw Error(where("apply_gradients"), "got " + std::to_string(gradients.size()) + " gradients for " +
                                                std::to_string(params_.size()) + " parameters");
    std::copy(gradients.begin(), gradients.end(), params_.grads().begin());
    std::fill(skip_.begin(), skip_.end(), char{0});
    optimizer_step(current_lr());
  }

  // ---- weights and state ----
  std::vector<float> get_weights() const {
    const auto v = params_.values();
    return {v.begin(), v.end()};
  }
  void set_weights(std::span<const float> weights) {
    if (weights.size() != params_.size())
      throw Error(where("set_weights"), "got " + std::to_string(weights.size()) + " weights, the model has " +
                                            std::to_string(params_.size()),
                  "weights come from get_weights() of a policy with the same model and config");
    std::copy(weights.begin(), weights.end(), params_.values().begin());
  }
  // Weights, optimizer state, exploration state, global timestep, random streams and mixin
  // state: everything needed to continue bit-identically (RLlib's get_state).
  Json get_state() const {
    Json state{{"policy", std::string(name())},
               {"weights", get_weights()},
               {"global_timestep", global_timestep_},
               {"exploration", exploration_.get_state()},
               {"action_rng", rng_state(action_rng_)},
               {"sgd_rng", rng_state(sgd_rng_)},
               {"learn_steps", learn_steps_}};
    if constexpr (nn::stateful_optimizer<optimizer_type>) state["optimizer"] = optimizer_state();
    if constexpr (uses_target_network) state["target_weights"] = target_params_.get_weights();
    // A model's own state, e.g. the noise stream of noisy Q layers.
    if constexpr (requires(const model_type& m) { { m.get_state() } -> std::same_as<Json>; })
      state["model"] = model_.get_state();
    Json mixin_states = Json::object();
    for_each_type(mixin_types{}, [&]<class M>() {
      if constexpr (detail::mixin_with_state<M>) mixin_states[std::string(M::mixin_name)] = static_cast<const M&>(*this).get_mixin_state();
    });
    state["mixins"] = std::move(mixin_states);
    return state;
  }
  void set_state(const Json& state) {
    const std::string w = where("set_state");
    if (!state.is_object() || !state.contains("weights"))
      throw CheckpointError(w, "expected a policy state object with \"weights\"", "pass what get_state() returned");
    if (state.value("policy", std::string(name())) != name())
      throw CheckpointError(w, "the state is of policy '" + state["policy"].get<std::string>() + "', this is '" +
                                   std::string(name()) + "'");
    // The model's state before the weights: it checks before it changes anything, so a bad one
    // is an error before anything changed.
    if constexpr (requires(model_type& m, const Json& j) { m.set_state(j); })
      if (state.contains("model")) model_.set_state(state["model"]);
    const auto weights = state["weights"].get<std::vector<float>>();
    set_weights(weights);
    global_timestep_ = state.value("global_timestep", std::int64_t{0});
    if (state.contains("exploration")) exploration_.set_state(state["exploration"]);
    if (state.contains("action_rng")) action_rng_ = rng_from_state(state["action_rng"], w);
    if (state.contains("sgd_rng")) sgd_rng_ = rng_from_state(state["sgd_rng"], w);
    learn_steps_ = state.value("learn_steps", std::int64_t{0});
    if constexpr (nn::stateful_optimizer<optimizer_type>)
      if (state.contains("optimizer")) set_optimizer_state(state["optimizer"], w);
    if constexpr (uses_target_network) {
      if (state.contains("target_weights")) {
        const auto target = state["target_weights"].get<std::vector<float>>();
        if (target.size() != target_params_.size())
          throw CheckpointError(w, "the target network has " + std::to_string(target.size()) + " weights, expected " +
                                       std::to_string(target_params_.size()));
        target_params_.set_weights(target);
      } else {
        update_target(1.0);
      }
    }
    if (state.contains("mixins"))
      for_each_type(mixin_types{}, [&]<class M>() {
        if constexpr (detail::mixin_with_state<M>)
          if (state["mixins"].contains(std::string(M::mixin_name)))
            static_cast<M&>(*this).set_mixin_state(state["mixins"][std::string(M::mixin_name)]);
      });
  }

  // ---- used by LossContext and postprocessors ----
  ModelOutput<float> forward_for_loss(const nn::ParameterBinding<float>& p, const SampleBatch& batch, std::size_t begin,
                                      std::size_t count, const SequenceView* seq) const {
    ad::Tape& tape = p.tape();
    const auto obs = batch.matrix(cols::obs.name);
    if (static_cast<std::size_t>(obs.cols()) != observation_width())
      throw Error(where("learn_on_batch"), "the batch's \"obs\" rows have " + std::to_string(obs.cols()) +
                                               " values, the policy expects " + std::to_string(observation_width()) +
                                               " (preprocessed " + observation_space_.to_string() + ")");
    ModelInput<float> in;
    in.obs = tape.input(obs.data() + begin * static_cast<std::size_t>(obs.cols()), static_cast<Eigen::Index>(count), obs.cols());
    std::array<ad::Var, max_state_tensors> state{};
    if (seq) {
      for (std::size_t k = 0; k < seq->state_count; ++k)
        state[k] = tape.input(seq->state_rows[k].data(), static_cast<Eigen::Index>(seq->seq_lens.size()), seq->state_rows[k].cols());
      in.state = std::span<const ad::Var>(state.data(), seq->state_count);
      in.seq_lens = seq->seq_lens;
      if (batch.contains(cols::prev_actions.name)) in.prev_actions = column_var(tape, batch, cols::prev_actions.name, begin, count);
      if (batch.contains(cols::prev_rewards.name)) in.prev_rewards = column_var(tape, batch, cols::prev_rewards.name, begin, count);
    }
    return model_.forward(p, in);
  }
  void record_stat(std::string_view key, double value) {
    for (auto& [name, sum, n] : stats_)
      if (name == key) {
        sum += value;
        ++n;
        return;
      }
    stats_.push_back({std::string(key), value, 1});
  }
  std::int64_t max_seq_len() const { return config_.sub("model").positive_int("max_seq_len"); }
  // The stream minibatch shuffling and loss noise draw from (LossContext::rng).
  RandomStream& learning_rng() noexcept { return sgd_rng_; }
  // This step leaves group `name`'s parameters alone (TD3's delayed actor updates).
  void skip_group_update(std::string_view name) { skip_[group_index(name)] = 1; }
  // TD errors of rows [begin, begin + count) of the batch being learned on.
  void store_td_errors(std::size_t begin, std::span<const float> values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const std::size_t row = td_row_map_.empty() ? begin + i : static_cast<std::size_t>(td_row_map_[begin + i]);
      if (row >= td_errors_.size())
        throw Error(where("learn_on_batch"), "set_td_errors: row " + std::to_string(row) + " is outside the batch");
      td_errors_[row] = values[i];
      td_errors_size_ = std::max(td_errors_size_, row + 1);
    }
  }

 private:
  struct MergedConfig {};
  Policy(MergedConfig, Space observation_space, Space action_space, Json config, PolicyContext context)
      : detail::inherit_all<mixin_types>(Config(config)),
        observation_space_(std::move(observation_space)),
        action_space_(std::move(action_space)),
        config_(std::move(config)),
        context_(std::move(context)),
        init_rng_(seed(), 0, 0, "policy/" + context_.policy_id + "/init"),
        action_rng_(seed(), static_cast<std::uint64_t>(context_.worker_index), 0, "policy/" + context_.policy_id + "/actions"),
        sgd_rng_(seed(), static_cast<std::uint64_t>(context_.worker_index), 0, "policy/" + context_.policy_id + "/sgd"),
        num_outputs_(distribution_type::required_model_output_shape(action_space_, config_.sub("model"))),
        model_(make_model()),
        groups_(make_groups()),
        exploration_(ExplorationContext{action_space_, config_.sub("exploration_config"), context_.worker_index,
                                        context_.num_workers, config_.sub("model")}),
        loss_(detail::make_component<loss_type>(config_)),
        postprocess_(detail::make_component<postprocess_type>(config_)),
        stats_fn_(detail::make_component<stats_type>(config_)),
        lr_schedule_(nn::lr_schedule_from_config(config_.json()["lr_schedule"], config_.get<double>("lr"))),
        explore_(config_.get<bool>("explore")),
        initial_state_(model_.initial_state()) {
    if (action_width() >= (std::size_t{1} << 24) && !action_space_.template is<Box>())
      throw SpaceError(where("constructor"), "action space " + action_space_.to_string() + " is too large");
    if (initial_state_.size() > max_state_tensors)
      throw Error(where("constructor"), "the model has more than " + std::to_string(max_state_tensors) + " state tensors");
    if (!config_.json()["grad_clip"].is_null()) grad_clip_ = static_cast<float>(config_.number_in("grad_clip", 0.0, 1e30));
    if constexpr (detail::loss_with_group_learning_rates<loss_type>)
      for (auto& g : groups_) g.fixed_lr = static_cast<float>(loss_.learning_rate(config_, g.range.name));
    skip_.assign(groups_.size(), 0);
    if constexpr (uses_target_network) target_params_ = params_;
  }

  // One optimizer per parameter group (the model's groups, or all parameters as "default").
  struct OptimizerGroup {
    nn::ParamGroup range;
    optimizer_type optimizer;
    std::optional<float> fixed_lr;  // the loss's learning rate for this group; else lr / lr_schedule
  };
  std::vector<OptimizerGroup> make_groups() const {
    std::vector<OptimizerGroup> out;
    if constexpr (detail::model_with_parameter_groups<model_type>) {
      const std::vector<nn::ParamGroup> ranges = model_.parameter_groups();
      std::size_t previous_end = 0;
      for (const auto& r : ranges) {
        if (r.name.empty() || r.begin >= r.end || r.end > params_.size() || r.begin < previous_end)
          throw Error(where("constructor"), "the model's parameter group '" + r.name + "' [" + std::to_string(r.begin) +
                                                ", " + std::to_string(r.end) + ") is empty, overlaps the previous one or "
                                                "lies outside the " + std::to_string(params_.size()) + " parameters",
                      "give parameter_groups() named, ordered, non-overlapping ranges");
        for (const auto& o : out)
          if (o.range.name == r.name) throw Error(where("constructor"), "two parameter groups are named '" + r.name + "'");
        previous_end = r.end;
        out.push_back(OptimizerGroup{r, make_optimizer<optimizer_type>(r.size(), config_), std::nullopt});
      }
    }
    if (out.empty())
      out.push_back(OptimizerGroup{nn::ParamGroup{"default", 0, params_.size()},
                                   make_optimizer<optimizer_type>(params_.size(), config_), std::nullopt});
    return out;
  }
  std::size_t group_index(std::string_view name) const {
    for (std::size_t k = 0; k < groups_.size(); ++k)
      if (groups_[k].range.name == name) return k;
    std::string names;
    for (const auto& g : groups_) names += (names.empty() ? "" : ", ") + g.range.name;
    throw Error(where("parameter groups"), "no parameter group named '" + std::string(name) + "' (groups: " + names + ")");
  }

  template <class C>
  static void add_component_defaults(Json& defaults) {
    if constexpr (detail::has_static_defaults<C>) {
      add_defaults(defaults, Json(C::defaults()));
    }
  }
  template <class... Ms>
  static void add_mixin_defaults(Json& defaults, type_list<Ms...>) {
    (add_component_defaults<Ms>(defaults), ...);
  }

  static Json merged_config(const Json& config, ConfigCheck check) {
    return merge_policy_config(default_config(), config, check == ConfigCheck::strict);
  }

  std::uint64_t seed() const {
    const Json& s = config_.json()["seed"];
    return s.is_null() ? 0 : static_cast<std::uint64_t>(config_.get<std::int64_t>("seed"));
  }

  model_type make_model() {
    return model_type(ModelContext{.observation_space = observation_space_,
                                   .action_space = action_space_,
                                   .num_outputs = num_outputs_,
                                   .model_config = config_.sub("model"),
                                   .policy_config = config_,
                                   .name = "default_model",
                                   .rng = &init_rng_},
                      params_);
  }

  std::string where(std::string_view method) const {
    return "Policy '" + std::string(name()) + "' (" + context_.policy_id + ")." + std::string(method);
  }

  void check_observations(const Eigen::Ref<const nn::Matrix>& obs) const {
    if (static_cast<std::size_t>(obs.cols()) != observation_width())
      throw SpaceError(where("compute_actions"),
                       "observations have " + std::to_string(obs.cols()) + " columns, the policy expects " +
                           std::to_string(observation_width()) + " (preprocessed " + observation_space_.to_string() + ")",
                       "pass preprocessed observations, one row each");
    if (obs.rows() == 0) throw Error(where("compute_actions"), "the observation batch is empty");
    if (!obs.allFinite())
      throw Error(where("compute_actions"), "the observations contain NaN or infinity",
                  "check the environment's observations (EnvChecker catches this at the source)");
  }

  static void resize(nn::Matrix& m, Eigen::Index rows, Eigen::Index cols) {
    if (m.rows() != rows || m.cols() != cols) m.resize(rows, cols);
  }

  static ad::Var column_var(ad::Tape& tape, const SampleBatch& batch, std::string_view name, std::size_t begin,
                            std::size_t count) {
    const Column& column = batch.column(name);
    const std::size_t width = column.row_size();
    const auto rows = static_cast<Eigen::Index>(count);
    const auto cols = static_cast<Eigen::Index>(width);
    if (column.type() == ColumnType::float32)
      return tape.input(column.template get<float>().data() + begin * width, rows, cols);
    if (column.type() == ColumnType::int64)
      return tape.constant(Eigen::Map<const Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                               column.template get<std::int64_t>().data() + begin * width, rows, cols)
                               .template cast<float>());
    throw Error("policy", "column '" + std::string(name) + "' is not numeric");
  }

  float compute_loss_and_gradients(const SampleBatch& data, std::size_t begin, std::size_t count, const SequenceView* seq) {
    std::fill(skip_.begin(), skip_.end(), char{0});
    // With several groups a loss may leave a group off the tape (TD3's delayed actor); its
    // gradient must then read zero, not the last step's.
    if (groups_.size() > 1) params_.zero_grad();
    learn_tape_.reset();
    const auto p = nn::bind(learn_tape_, params_);
    LossContext<Policy> context(*this, data, begin, count, learn_tape_, p, seq);
    const ad::Var loss = loss_(context);
    if (loss.rows() != 1 || loss.cols() != 1)
      throw Error(where("learn_on_batch"), "the loss must be a scalar (1x1) value, got " + std::to_string(loss.rows()) +
                                               "x" + std::to_string(loss.cols()),
                  "reduce it, e.g. with ad::mean");
    learn_tape_.backward(loss);
    return loss.item();
  }

  // Clips each group's gradients to grad_clip (as RLlib clips each optimizer's); returns the
  // global norm before clipping.
  float clip_gradients() {
    if (groups_.size() == 1) {
      if (grad_clip_ > 0.0f) return nn::clip_grad_norm(params_.grads(), grad_clip_);
      return static_cast<float>(nn::global_norm(params_.grads()));
    }
    const auto norm = static_cast<float>(nn::global_norm(params_.grads()));
    if (grad_clip_ > 0.0f)
      for (const auto& g : groups_) (void)nn::clip_grad_norm(params_.grads().subspan(g.range.begin, g.range.size()), grad_clip_);
    return norm;
  }

  void optimizer_step(float lr) {
    ++learn_steps_;
    if (groups_.size() == 1 && !skip_[0] && !groups_[0].fixed_lr) {
      groups_[0].optimizer.step(params_.values(), params_.grads(), lr);
      return;
    }
    for (std::size_t k = 0; k < groups_.size(); ++k) {
      if (skip_[k]) continue;
      OptimizerGroup& g = groups_[k];
      g.optimizer.step(params_.values().subspan(g.range.begin, g.range.size()),
                       params_.grads().subspan(g.range.begin, g.range.size()), g.fixed_lr.value_or(lr));
    }
  }

  void check_finite(float loss, float norm) const {
    if (!std::isfinite(loss) || !std::isfinite(norm))
      throw Error(where("learn_on_batch"),
                  std::string("the ") + (std::isfinite(loss) ? "gradient norm" : "loss") + " is not finite (" +
                      std::to_string(std::isfinite(loss) ? norm : loss) + "); the weights were not updated",
                  "lower lr, set grad_clip, or check the batch for NaN rewards/observations");
  }

  template <class Step, class BeginEpoch>
  void learn_on_sequences(const SampleBatch& batch, std::int64_t iterations, std::int64_t minibatch, Step&& step,
                          BeginEpoch&& begin_epoch) {
    PaddedSequences padded = pad_batch_to_sequences(batch, max_seq_len(), num_state_tensors());
    const std::size_t sequences = padded.seq_lens.size();
    const std::size_t T = padded.max_len;
    // sgd_minibatch_size counts rows; a minibatch takes whole sequences (at least one).
    const std::size_t per_minibatch =
        minibatch == 0 ? sequences : std::clamp<std::size_t>(static_cast<std::size_t>(minibatch) / T, 1, sequences);
    const bool shuffle = per_minibatch < sequences && config_.get<bool>("shuffle_sequences");
    for (std::int64_t it = 0; it < iterations; ++it) {
      begin_epoch();
      if (shuffle) padded.shuffle_sequences(sgd_rng_);
      for (std::size_t first = 0; first + per_minibatch <= sequences; first += per_minibatch) {
        const SequenceView view = padded.view(first, per_minibatch);
        step(padded.batch, first * T, per_minibatch * T, &view);
      }
    }
  }

  float current_lr() const { return static_cast<float>(lr_schedule_.value(static_cast<double>(global_timestep_))); }

  void begin_stats() {
    for (auto& s : stats_) {
      s.sum = 0.0;
      s.count = 0;
    }
  }
  Json end_stats(float lr) {
    Json learner = Json::object();
    for (const auto& s : stats_)
      if (s.count > 0) learner[s.name] = s.sum / static_cast<double>(s.count);
    learner["cur_lr"] = lr;
    stats_fn_(*this, learner);
    return Json{{"learner_stats", std::move(learner)}};
  }

  // The 4 state words, then the pending normal() spare if there is one (so that a stream that
  // drew an odd number of normals continues exactly).
  static Json rng_state(const RandomStream& rng) {
    const auto& s = rng.state();
    Json j = Json::array({s[0], s[1], s[2], s[3]});
    if (const auto spare = rng.spare()) j.push_back(*spare);
    return j;
  }
  static RandomStream rng_from_state(const Json& j, const std::string& where) {
    if (!j.is_array() || (j.size() != 4 && j.size() != 5))
      throw CheckpointError(where, "a random stream state must be 4 unsigned integers (and a pending normal), got " + j.dump());
    return RandomStream::from_state({j[0].get<std::uint64_t>(), j[1].get<std::uint64_t>(), j[2].get<std::uint64_t>(),
                                     j[3].get<std::uint64_t>()},
                                    j.size() == 5 ? std::optional<double>(j[4].get<double>()) : std::nullopt);
  }

  // One group: {"type", "step_count", "tensors"}; several: {"groups": {name: that}}.
  Json optimizer_state() const {
    if (groups_.size() == 1) return one_optimizer_state(groups_[0].optimizer);
    Json out = Json::object();
    for (const auto& g : groups_) out["groups"][g.range.name] = one_optimizer_state(g.optimizer);
    return out;
  }
  void set_optimizer_state(const Json& j, const std::string& where) {
    if (groups_.size() == 1) return set_one_optimizer_state(groups_[0].optimizer, j, where);
    if (!j.contains("groups"))
      throw CheckpointError(where, "the optimizer state has no \"groups\", this policy has " + std::to_string(groups_.size()) +
                                       " parameter groups");
    for (auto& g : groups_) {
      if (!j["groups"].contains(g.range.name))
        throw CheckpointError(where, "the optimizer state has no group '" + g.range.name + "'");
      set_one_optimizer_state(g.optimizer, j["groups"][g.range.name], where);
    }
  }
  static Json one_optimizer_state(const optimizer_type& opt) {
    Json tensors = Json::object();
    for (const auto& t : opt.state_tensors())
      tensors[std::string(t.name)] = std::vector<float>(t.values.begin(), t.values.end());
    return Json{{"type", std::string(opt.type())}, {"step_count", opt.step_count()}, {"tensors", tensors}};
  }
  static void set_one_optimizer_state(optimizer_type& opt, const Json& j, const std::string& where) {
    if (j.value("type", std::string()) != opt.type())
      throw CheckpointError(where, "the optimizer state is of type '" + j.value("type", std::string("?")) + "', this policy uses '" +
                                       std::string(opt.type()) + "'");
    for (auto& t : opt.state_tensors()) {
      const auto values = j.at("tensors").at(std::string(t.name)).template get<std::vector<float>>();
      if (values.size() != t.values.size())
        throw CheckpointError(where, "optimizer tensor '" + std::string(t.name) + "' has " + std::to_string(values.size()) +
                                         " values, expected " + std::to_string(t.values.size()));
      std::copy(values.begin(), values.end(), t.values.begin());
    }
    opt.set_step_count(j.at("step_count").template get<std::uint64_t>());
  }

  struct Stat {
    std::string name;
    double sum = 0.0;
    std::int64_t count = 0;
  };

  Space observation_space_;
  Space action_space_;
  Config config_;
  PolicyContext context_;
  RandomStream init_rng_;
  RandomStream action_rng_;
  RandomStream sgd_rng_;
  std::size_t num_outputs_;
  nn::Parameters params_;
  model_type model_;
  std::vector<OptimizerGroup> groups_;
  exploration_type exploration_;
  loss_type loss_;
  postprocess_type postprocess_;
  stats_type stats_fn_;
  nn::Schedule lr_schedule_;
  bool explore_ = true;
  float grad_clip_ = 0.0f;
  std::vector<nn::Matrix> initial_state_;
  std::int64_t global_timestep_ = 0;
  std::int64_t num_grad_updates_calls_ = 0;
  ad::Tape inference_tape_;
  ad::Tape learn_tape_;
  std::array<ad::Var, max_state_tensors> state_vars_{};
  ComputedActions computed_;
  nn::Matrix single_obs_;
  std::vector<std::int64_t> sgd_order_;  // learn_on_batch's row order, reshuffled every pass
  SampleBatch minibatch_;                // the rows of one shuffled minibatch (buffers reused)
  std::vector<Stat> stats_;
  std::vector<char> skip_;                       // per group: this step leaves it alone
  std::int64_t learn_steps_ = 0;
  nn::Parameters target_params_;                // the target network (uses_target_network)
  std::vector<float> td_errors_;                 // per batch row, from LossContext::set_td_errors
  std::size_t td_errors_size_ = 0;
  std::span<const std::int64_t> td_row_map_;     // minibatch row -> batch row while shuffled
};

// RLlib's build_policy_class as a type: build_policy<"Name", loss<L>, model<M>, ...>.
template <fixed_string Name, class... Params>
using build_policy = Policy<Name, Params...>;

}  // namespace rlpp
