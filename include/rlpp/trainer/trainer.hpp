#pragma once
// build_trainer (RLlib's build_trainer, at compile time): a trainer type assembled from named
// parts, each optional:
//
//   using PG = rlpp::build_trainer<"PG", rlpp::default_config<PGConfig>,
//                                  rlpp::default_policy<PGPolicy>, rlpp::execution_plan<PGPlan>>;
//   PG trainer({{"env", "CartPole-v1"}, {"num_workers", 2}});
//   for (int i = 0; i < 100; ++i) std::cout << rlpp::pretty_print(trainer.train());
//
//   default_config<C>     C::defaults() -> Json, merged over COMMON_CONFIG and the policy's keys
//   default_policy<P>     the policy type (build_policy<...>)
//   execution_plan<F>     F{}(PlanContext&) -> a plan node yielding result dicts (Json); default:
//                         ParallelRollouts | ConcatBatches(train_batch_size) | TrainOneStep |
//                         StandardMetricsReporting (RLlib's default plan)
//   validate_config<V>    V{}(Json& config) checks (and may adjust) the merged config
//   get_policy_class<G>   G{}(const Config&) -> PolicyFactory, chosen at run time
// T::with<...> replaces parts (RLlib's with_updates).
//
// The trainer owns a WorkerSet (num_workers rollout workers + the local learner), builds the
// plan once, and each train() pulls one result out of it, adding Tune's keys (iteration, times,
// totals), evaluation every evaluation_interval iterations, and calling on_train_result.

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <unistd.h>

#include "rlpp/core/config.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/meta.hpp"
#include "rlpp/core/timer.hpp"
#include "rlpp/envs/registry.hpp"
#include "rlpp/evaluation/callbacks.hpp"
#include "rlpp/evaluation/worker_set.hpp"
#include "rlpp/execution/all.hpp"
#include "rlpp/policy/any_policy.hpp"
#include "rlpp/trainer/checkpoint.hpp"
#include "rlpp/trainer/common_config.hpp"
#include "rlpp/trainer/trainer_interface.hpp"

namespace rlpp {

struct default_config_tag {};
struct default_policy_tag {};
struct execution_plan_tag {};
struct validate_config_tag {};
struct get_policy_class_tag {};
template <class C> using default_config = named<default_config_tag, C>;
template <class P> using default_policy = named<default_policy_tag, P>;
template <class F> using execution_plan = named<execution_plan_tag, F>;
template <class V> using validate_config = named<validate_config_tag, V>;
template <class G> using get_policy_class = named<get_policy_class_tag, G>;

// RLlib's default execution plan (PG, A2C without microbatches).
struct default_execution_plan {
  auto operator()(PlanContext& ctx) const {
    return ParallelRollouts(ctx) | ConcatBatches(ctx.config.positive_int("train_batch_size")) | TrainOneStep(ctx) |
           StandardMetricsReporting(ctx);
  }
};

namespace detail {
struct no_algorithm_defaults {
  static Json defaults() { return Json::object(); }
};
struct no_extra_validation {
  void operator()(Json&) const {}
};
struct no_policy {};
}  // namespace detail

// What a trainer can be given besides its JSON config: C++ objects.
struct TrainerOptions {
  std::shared_ptr<DefaultCallbacks> callbacks = nullptr;
  // The env, when it is not a registered name in config["env"]: a creator returning AnyEnv or
  // AnyMultiAgentEnv (or any env type).
  std::optional<EnvSource> env = std::nullopt;
  // Multi-agent policies and mapping function as C++ objects (heuristic policies, lambdas);
  // config["multiagent"] gives the JSON parts (rollouts.md, multi-agent).
  MultiAgentSpec multiagent = {};
};

template <fixed_string Name, class... Params>
class Trainer;

namespace detail {
template <fixed_string Name, class List> struct trainer_from_list;
template <fixed_string Name, class... Params>
struct trainer_from_list<Name, type_list<Params...>> {
  using type = Trainer<Name, Params...>;
};
}  // namespace detail

template <fixed_string Name, class... Params>
class Trainer final : public TrainerInterface {
  static_assert(valid_named_parameters_v<type_list<default_config_tag, default_policy_tag, execution_plan_tag,
                                                   validate_config_tag, get_policy_class_tag>,
                                         Params...>,
                "build_trainer: every part must be one of rlpp::default_config<>, rlpp::default_policy<>, "
                "rlpp::execution_plan<>, rlpp::validate_config<>, rlpp::get_policy_class<>, each at most once");

 public:
  using config_type = find_named_t<default_config_tag, detail::no_algorithm_defaults, Params...>;
  using policy_type = find_named_t<default_policy_tag, detail::no_policy, Params...>;
  using plan_type = find_named_t<execution_plan_tag, default_execution_plan, Params...>;
  using validator_type = find_named_t<validate_config_tag, detail::no_extra_validation, Params...>;
  using policy_chooser_type = find_named_t<get_policy_class_tag, void, Params...>;
  using plan_node_type = std::invoke_result_t<const plan_type&, PlanContext&>;
  static_assert(plan_node<plan_node_type> && std::is_same_v<typename plan_node_type::item_type, Json>,
                "execution_plan<F>: F{}(PlanContext&) must return a plan node yielding result dicts (Json): end the "
                "plan with StandardMetricsReporting(ctx)");
  static_assert(!std::is_same_v<policy_type, detail::no_policy> || !std::is_void_v<policy_chooser_type>,
                "build_trainer needs rlpp::default_policy<P> or rlpp::get_policy_class<G>");

  // This trainer with some parts replaced: T::with<execution_plan<MyPlan>>.
  template <class... New>
  using with = typename detail::trainer_from_list<Name, replace_named_t<type_list<Params...>, New...>>::type;

  static constexpr std::string_view trainer_name() noexcept { return Name.view(); }

  // COMMON_CONFIG, the common policy keys (policy_config.hpp), the default policy's keys, then
  // the algorithm's defaults.
  static Json default_config() {
    Json defaults = common_config();
    add_defaults(defaults, policy_defaults());
    if constexpr (!std::is_same_v<policy_type, detail::no_policy>) add_defaults(defaults, policy_type::default_config());
    add_defaults(defaults, config_type::defaults());
    return defaults;
  }

  explicit Trainer(const Json& config, TrainerOptions options = {})
      : config_(merged_config(config)),
        callbacks_(options.callbacks ? std::move(options.callbacks) : std::make_shared<DefaultCallbacks>()),
        env_(std::move(options.env)),
        multiagent_(std::move(options.multiagent)) {
    const Config c(config_);
    if (!env_) {
      if (config_["env"].is_null())
        throw ConfigError("config.env", "no env given", "set \"env\" to a registered env name, or pass TrainerOptions{.env}");
      const std::string name = config_["env"].get<std::string>();
      if (!global_env_registry().contains(name)) (void)make_env(name);  // the registry's error lists the names
      env_ = env_source(name);
    }
    workers_ = std::make_unique<WorkerSet>(*env_, make_policy_factory(c), config_, callbacks_,
                                           static_cast<int>(c.non_negative_int("num_threads")), multiagent_);
    context_ = std::make_unique<PlanContext>(*workers_, c, *callbacks_);
    plan_.emplace(plan_type{}(*context_));
    callbacks_->on_trainer_init(*this);
  }

  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // ---- TrainerInterface ----
  std::string_view name() const override { return Name.view(); }
  const Json& config() const override { return config_; }
  std::string env_name() const override { return config_["env"].is_string() ? config_["env"].get<std::string>() : std::string(); }
  std::int64_t iteration() const override { return iteration_; }
  WorkerSet& workers() override { return *workers_; }
  PlanContext& plan_context() noexcept { return *context_; }
  plan_node_type& plan() noexcept { return *plan_; }

  Json train() override {
    Stopwatch watch;
    std::optional<Json> pulled;
    while (!(pulled = plan_->next())) {
    }
    Json result = std::move(*pulled);
    if (config_["synchronize_filters"].get<bool>()) workers_->sync_filters();
    ++iteration_;
    const double seconds = watch.seconds();
    time_total_s_ += seconds;
    time_since_restore_ += seconds;
    ++iterations_since_restore_;
    const std::int64_t timesteps = result.value("timesteps_total", std::int64_t{0});
    episodes_total_ += result.value("episodes_this_iter", std::int64_t{0});
    result["timesteps_this_iter"] = timesteps - last_timesteps_total_;
    timesteps_since_restore_ += timesteps - last_timesteps_total_;
    last_timesteps_total_ = timesteps;
    result["training_iteration"] = iteration_;
    result["episodes_total"] = episodes_total_;
    result["time_this_iter_s"] = seconds;
    result["time_total_s"] = time_total_s_;
    result["time_since_restore"] = time_since_restore_;
    result["timesteps_since_restore"] = timesteps_since_restore_;
    result["iterations_since_restore"] = iterations_since_restore_;
    result["done"] = false;
    add_host_keys(result);
    const Json& interval = config_["evaluation_interval"];
    if (interval.is_number_integer() && iteration_ % interval.get<std::int64_t>() == 0)
      result["evaluation"] = evaluate()["evaluation"];
    callbacks_->on_train_result(*this, result);
    return result;
  }

  Json evaluate() override {
    if (!evaluation_workers_) {
      // (merge_policy_config, not merge_into with MergeRules{}: GCC 12 ICEs on the latter in a template)
      Json eval_config = merge_policy_config(config_, config_["evaluation_config"], false, "config.evaluation_config");
      eval_config["in_evaluation"] = true;
      eval_config["batch_mode"] = "complete_episodes";
      eval_config["rollout_fragment_length"] = 1;
      eval_config["num_workers"] = config_["evaluation_num_workers"];
      evaluation_workers_ = std::make_unique<WorkerSet>(*env_, make_policy_factory(Config(eval_config)), eval_config, callbacks_,
                                                        static_cast<int>(config_["num_threads"].get<std::int64_t>()), multiagent_);
    }
    // The learner's weights and observation filters to the evaluation workers.
    RolloutWorker& local = workers_->local_worker();
    const auto weights = local.get_policy_weights();
    evaluation_workers_->foreach_worker([&](RolloutWorker& w) {
      w.set_policy_weights(weights);
      for (const std::string& id : local.policy_ids()) w.filter(id).set_state(local.filter(id).get_state());
    });
    const auto wanted = static_cast<std::size_t>(config_["evaluation_num_episodes"].get<std::int64_t>());
    std::vector<RolloutMetrics> episodes;
    while (episodes.size() < wanted) {
      (void)evaluation_workers_->sample_multi_agent();
      auto finished = evaluation_workers_->collect_metrics();
      episodes.insert(episodes.end(), std::make_move_iterator(finished.begin()), std::make_move_iterator(finished.end()));
    }
    return Json{{"evaluation", summarize_episodes(std::span<const RolloutMetrics>(episodes))}};
  }

  std::filesystem::path save(const std::filesystem::path& checkpoint_dir) override {
    const Json state{{"workers", workers_->get_state()},
                     {"metrics", context_->metrics.get_state()},
                     {"plan", plan_state(*plan_)},
                     {"trainer",
                      {{"iteration", iteration_},
                       {"time_total_s", time_total_s_},
                       {"episodes_total", episodes_total_},
                       {"last_timesteps_total", last_timesteps_total_}}}};
    const Json metadata{{"trainer", std::string(Name.view())},
                        {"env", env_name()},
                        {"iteration", iteration_},
                        {"timesteps_total", last_timesteps_total_},
                        {"episodes_total", episodes_total_},
                        {"time_total_s", time_total_s_},
                        {"config", config_}};
    write_checkpoint(checkpoint_dir, metadata, state);
    return checkpoint_dir;
  }

  void restore(const std::filesystem::path& checkpoint) override {
    const Json metadata = read_checkpoint_metadata(checkpoint);
    if (metadata["trainer"] != std::string(Name.view()))
      throw CheckpointError(checkpoint.string(), "was written by trainer " + metadata["trainer"].dump() + ", not \"" +
                                                     std::string(Name.view()) + "\"",
                            "restore it with --run " + metadata["trainer"].get<std::string>());
    const Json state = read_checkpoint_state(checkpoint);
    try {
      workers_->set_state(state.at("workers"));
      context_->metrics.set_state(state.at("metrics"));
      set_plan_state(*plan_, state.at("plan"));
      const Json& t = state.at("trainer");
      iteration_ = t.at("iteration").get<std::int64_t>();
      time_total_s_ = t.at("time_total_s").get<double>();
      episodes_total_ = t.at("episodes_total").get<std::int64_t>();
      last_timesteps_total_ = t.at("last_timesteps_total").get<std::int64_t>();
    } catch (const Json::exception& e) {
      throw CheckpointError(checkpoint.string(), std::string("state is malformed: ") + e.what());
    }
    time_since_restore_ = 0.0;
    timesteps_since_restore_ = 0;
    iterations_since_restore_ = 0;
  }

  SingleAction compute_single_action(std::span<const float> observation, std::span<const nn::Matrix> state,
                                     std::optional<bool> explore, std::string_view policy_id) override {
    RolloutWorker& local = workers_->local_worker();
    PolicyInterface& policy = local.policy(policy_id);
    const Space& space = policy.observation_space();
    if (observation.size() != space.flat_size())
      throw SpaceError("compute_single_action observation", "has " + std::to_string(observation.size()) +
                                                                " values; the observation space " + space.to_string() + " has " +
                                                                std::to_string(space.flat_size()));
    obs_.resize(1, static_cast<Eigen::Index>(policy.observation_width()));
    space.preprocess(observation, std::span<float>(obs_.data(), static_cast<std::size_t>(obs_.size())));
    local.filter(policy_id)(std::span<float>(obs_.data(), static_cast<std::size_t>(obs_.size())), false);
    const ComputedActions& out = policy.compute_actions(obs_, state, explore);
    SingleAction result;
    result.action.assign(out.actions.data(), out.actions.data() + out.actions.cols());
    for (const nn::Matrix& s : out.state_out) result.state_out.push_back(s);
    detail::ActionBounds(policy.action_space(), Config(config_)).apply(result.action);  // as the workers do
    return result;
  }
  using TrainerInterface::compute_single_action;

  std::vector<nn::Matrix> get_initial_state(std::string_view policy_id) override {
    return workers_->local_worker().policy(policy_id).get_initial_state();
  }

 private:
  static Json merged_config(const Json& user) {
    Json config = merge_config(default_config(), user);
    validate_common_config(Config(config));
    validator_type{}(config);
    return config;
  }

  static PolicyFactory make_policy_factory(const Config& c) {
    if constexpr (!std::is_void_v<policy_chooser_type>) return policy_chooser_type{}(c);
    else return policy_factory<policy_type>();
  }

  static void add_host_keys(Json& result) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    localtime_r(&t, &local);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d_%H-%M-%S", &local);
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    result["timestamp"] = static_cast<std::int64_t>(t);
    result["date"] = date;
    result["pid"] = static_cast<std::int64_t>(getpid());
    result["hostname"] = host;
  }

  Json config_;
  std::shared_ptr<DefaultCallbacks> callbacks_;
  std::optional<EnvSource> env_;
  MultiAgentSpec multiagent_;
  std::unique_ptr<WorkerSet> workers_;
  std::unique_ptr<WorkerSet> evaluation_workers_;
  std::unique_ptr<PlanContext> context_;
  std::optional<plan_node_type> plan_;
  std::int64_t iteration_ = 0;
  double time_total_s_ = 0.0;
  double time_since_restore_ = 0.0;
  std::int64_t episodes_total_ = 0;
  std::int64_t last_timesteps_total_ = 0;
  std::int64_t timesteps_since_restore_ = 0;
  std::int64_t iterations_since_restore_ = 0;
  nn::Matrix obs_;
};

// RLlib's build_trainer as a type.
template <fixed_string Name, class... Params>
using build_trainer = Trainer<Name, Params...>;

}  // namespace rlpp
