#include <doctest/doctest.h>

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/trainer/checkpoint.hpp"
#include "rlpp/trainer/learning_curve.hpp"
#include "rlpp/trainer/run_trial.hpp"
#include "rlpp/trainer/stop_criteria.hpp"
#include "rlpp/trainer/trainer_interface.hpp"

// Helpers live in their own namespace: the trainer module is one unity translation unit.
namespace run_trial_test {
namespace fs = std::filesystem;
using rlpp::Json;

struct ScratchDir {
  fs::path path;
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "rlpp_run_trial_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count_lines(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// Deterministic fake: iteration i (1-based) samples 100 steps and reports reward `rewards[i-1]`
// (repeating the last), NaN for iterations before `first_episode`. throw_at > 0 makes that
// iteration's train() throw.
class FakeTrainer final : public rlpp::TrainerInterface {
 public:
  std::vector<double> rewards{10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
  std::int64_t first_episode = 1;
  std::int64_t throw_at = 0;
  std::vector<fs::path> restored;
  Json config_ = {{"env", "FakeEnv-v0"}, {"lr", 0.01}};

  std::string_view name() const override { return "Fake"; }
  const Json& config() const override { return config_; }
  std::string env_name() const override { return config_["env"].get<std::string>(); }
  Json train() override {
    if (throw_at > 0 && iteration_ + 1 == throw_at) throw std::runtime_error("fake training diverged");
    ++iteration_;
    const double reward = iteration_ < first_episode ? std::nan("")
                          : rewards[static_cast<std::size_t>(std::min<std::int64_t>(iteration_, static_cast<std::int64_t>(rewards.size())) - 1)];
    return {{"training_iteration", iteration_},
            {"timesteps_total", iteration_ * 100},
            {"timesteps_this_iter", 100},
            {"time_this_iter_s", 0.5},
            {"episode_reward_mean", reward},
            {"info", {{"learner", {{"default_policy", {{"policy_loss", -0.5}}}}}}}};
  }
  std::int64_t iteration() const override { return iteration_; }
  Json evaluate() override { return {{"evaluation", Json::object()}}; }
  fs::path save(const fs::path& dir) override {
    rlpp::write_checkpoint(dir, {{"trainer", "Fake"}, {"env", env_name()}, {"iteration", iteration_}, {"config", config_}},
                           {{"iteration", iteration_}});
    return dir;
  }
  void restore(const fs::path& path) override {
    restored.push_back(path);
    iteration_ = rlpp::read_checkpoint_state(path).at("iteration").get<std::int64_t>();
  }
  rlpp::SingleAction compute_single_action(std::span<const float>, std::span<const rlpp::nn::Matrix>, std::optional<bool>,
                                           std::string_view) override {
    return {{0.0f}, {}};
  }
  std::vector<rlpp::nn::Matrix> get_initial_state(std::string_view) override { return {}; }
  rlpp::WorkerSet& workers() override { throw std::logic_error("FakeTrainer has no workers"); }

 private:
  std::int64_t iteration_ = 0;
};

rlpp::RunTrialOptions quiet_options(const fs::path& local_dir, std::ostream& out) {
  rlpp::RunTrialOptions options;
  options.local_dir = local_dir;
  options.experiment_name = "exp";
  options.out = &out;
  return options;
}

std::vector<std::string> checkpoint_names(const fs::path& trial_dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(trial_dir))
    if (entry.path().filename().string().starts_with("checkpoint_")) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}
}  // namespace run_trial_test

TEST_CASE("run_trial writes Tune's trial directory and stops at the first criterion met") {
  using namespace run_trial_test;
  ScratchDir scratch;
  FakeTrainer trainer;
  std::ostringstream out;
  auto options = quiet_options(scratch.path, out);
  options.stop = {{"training_iteration", 5}, {"episode_reward_mean", 1000}};
  options.trial_index = 3;
  const rlpp::TrialSummary summary = rlpp::run_trial(trainer, options);

  CHECK(summary.iterations == 5);
  CHECK(summary.stop_reason == "training_iteration >= 5 (got 5)");
  CHECK(summary.trial_dir.parent_path() == scratch.path / "exp");
  CHECK(summary.trial_dir.filename().string().starts_with("Fake_FakeEnv-v0_3_"));
  CHECK(summary.last_result["training_iteration"] == 5);
  CHECK(summary.last_result["done"] == true);
  CHECK(Json::parse(slurp(summary.trial_dir / "params.json")) == trainer.config_);
  CHECK(count_lines(slurp(summary.trial_dir / "result.json")) == 5);
  CHECK(count_lines(slurp(summary.trial_dir / "progress.csv")) == 6);  // header + 5 rows
  CHECK(slurp(summary.trial_dir / "progress.csv").find("info/learner/default_policy/policy_loss") != std::string::npos);
  CHECK(fs::exists(summary.trial_dir / "learning_curve.svg"));
  CHECK(summary.learning_curve == summary.trial_dir / "learning_curve.svg");
  CHECK(checkpoint_names(summary.trial_dir).empty());
  CHECK_FALSE(summary.best_checkpoint.has_value());
  // One progress line per iteration.
  CHECK(out.str().find("iter 1 | ts 100 | reward 10") != std::string::npos);
  CHECK(out.str().find("iter 5 | ts 500 | reward 50") != std::string::npos);
  CHECK(out.str().find("200 steps/s") != std::string::npos);  // 100 steps / 0.5 s

  SUBCASE("a reward threshold (>=) stops the trial when reached") {
    FakeTrainer second;
    options.stop = {{"episode_reward_mean", 30}};
    CHECK(rlpp::run_trial(second, options).iterations == 3);
  }
  SUBCASE("nested keys are reached with '/' or a nested dict") {
    FakeTrainer second;
    options.stop = {{"info", {{"learner", {{"default_policy", {{"policy_loss", -0.5}}}}}}}};
    CHECK(rlpp::run_trial(second, options).iterations == 1);
    FakeTrainer third;
    options.stop = {{"info/learner/default_policy/policy_loss", 0.0}, {"timesteps_total", 200}};
    CHECK(rlpp::run_trial(third, options).stop_reason == "timesteps_total >= 200 (got 200)");
  }
  SUBCASE("verbosity 2 prints the full result, 0 prints nothing") {
    FakeTrainer second;
    std::ostringstream loud, silent;
    options.out = &loud;
    options.verbosity = 2;
    options.stop = {{"training_iteration", 1}};
    rlpp::run_trial(second, options);
    CHECK(loud.str().find("policy_loss: -0.5") != std::string::npos);
    FakeTrainer third;
    options.out = &silent;
    options.verbosity = 0;
    rlpp::run_trial(third, options);
    CHECK(silent.str().empty());
  }
}

TEST_CASE("run_trial checkpoints every checkpoint_freq iterations and at the end") {
  using namespace run_trial_test;
  ScratchDir scratch;
  std::ostringstream out;
  auto options = quiet_options(scratch.path, out);
  options.stop = {{"training_iteration", 7}};
  options.checkpoint_freq = 3;

  SUBCASE("without checkpoint_at_end") {
    FakeTrainer trainer;
    const auto summary = rlpp::run_trial(trainer, options);
    CHECK(checkpoint_names(summary.trial_dir) == std::vector<std::string>{"checkpoint_000003", "checkpoint_000006"});
    REQUIRE(summary.checkpoints.size() == 2);
    CHECK(summary.checkpoints[1].score == 60.0);
    CHECK(*summary.best_checkpoint == summary.trial_dir / "checkpoint_000006");
    CHECK(rlpp::read_checkpoint_metadata(*summary.best_checkpoint)["iteration"] == 6);
  }
  SUBCASE("with checkpoint_at_end") {
    FakeTrainer trainer;
    options.checkpoint_at_end = true;
    const auto summary = rlpp::run_trial(trainer, options);
    CHECK(checkpoint_names(summary.trial_dir) ==
          std::vector<std::string>{"checkpoint_000003", "checkpoint_000006", "checkpoint_000007"});
    CHECK(*summary.best_checkpoint == summary.trial_dir / "checkpoint_000007");
  }
  SUBCASE("the end is not checkpointed twice") {
    FakeTrainer trainer;
    options.checkpoint_at_end = true;
    options.stop = {{"training_iteration", 6}};
    const auto summary = rlpp::run_trial(trainer, options);
    CHECK(summary.checkpoints.size() == 2);
  }
}

TEST_CASE("keep_checkpoints_num keeps the best by checkpoint_score_attr, and the newest") {
  using namespace run_trial_test;
  ScratchDir scratch;
  std::ostringstream out;
  auto options = quiet_options(scratch.path, out);
  options.stop = {{"training_iteration", 6}};
  options.checkpoint_freq = 1;
  options.keep_checkpoints_num = 2;
  FakeTrainer trainer;
  // Rewards per iteration: the best two are iterations 2 (90) and 4 (80); 6 is the newest.
  trainer.rewards = {10, 90, 20, 80, 30, 5};

  SUBCASE("episode_reward_mean (the default): higher is better") {
    const auto summary = rlpp::run_trial(trainer, options);
    CHECK(checkpoint_names(summary.trial_dir) ==
          std::vector<std::string>{"checkpoint_000002", "checkpoint_000004", "checkpoint_000006"});
    CHECK(*summary.best_checkpoint == summary.trial_dir / "checkpoint_000002");
  }
  SUBCASE("min-<key>: lower is better") {
    options.checkpoint_score_attr = "min-episode_reward_mean";
    const auto summary = rlpp::run_trial(trainer, options);
    CHECK(checkpoint_names(summary.trial_dir) ==
          std::vector<std::string>{"checkpoint_000001", "checkpoint_000006"});  // 10 and 5
    CHECK(*summary.best_checkpoint == summary.trial_dir / "checkpoint_000006");  // 5 is the lowest
  }
  SUBCASE("training_iteration (Tune's default): the newest are kept") {
    options.checkpoint_score_attr = "training_iteration";
    const auto summary = rlpp::run_trial(trainer, options);
    CHECK(checkpoint_names(summary.trial_dir) == std::vector<std::string>{"checkpoint_000005", "checkpoint_000006"});
  }
}

TEST_CASE("run_trial restores before training and continues the iteration count") {
  using namespace run_trial_test;
  ScratchDir scratch;
  std::ostringstream out;
  auto options = quiet_options(scratch.path, out);
  options.stop = {{"training_iteration", 4}};
  options.checkpoint_at_end = true;
  FakeTrainer first;
  const auto before = rlpp::run_trial(first, options);
  REQUIRE(before.best_checkpoint);

  FakeTrainer second;
  options.restore = *before.best_checkpoint;
  options.stop = {{"training_iteration", 6}};
  options.trial_index = 1;
  const auto after = rlpp::run_trial(second, options);
  REQUIRE(second.restored.size() == 1);
  CHECK(second.restored[0] == *before.best_checkpoint);
  CHECK(after.iterations == 2);  // iterations 5 and 6
  CHECK(after.last_result["training_iteration"] == 6);
  CHECK(after.trial_dir != before.trial_dir);
}

TEST_CASE("a failing trial keeps its results, draws its curve, writes error.txt and rethrows") {
  using namespace run_trial_test;
  ScratchDir scratch;
  std::ostringstream out;
  auto options = quiet_options(scratch.path, out);
  FakeTrainer trainer;
  trainer.throw_at = 4;
  CHECK_THROWS_WITH_AS(rlpp::run_trial(trainer, options), "fake training diverged", std::runtime_error);
  const fs::path experiment = scratch.path / "exp";
  REQUIRE(std::distance(fs::directory_iterator(experiment), fs::directory_iterator()) == 1);
  const fs::path trial = fs::directory_iterator(experiment)->path();
  CHECK(count_lines(slurp(trial / "result.json")) == 3);
  CHECK(slurp(trial / "error.txt") == "fake training diverged\n");
  const std::string svg = slurp(trial / "learning_curve.svg");
  CHECK(svg.find("<polyline class=\"train\"") != std::string::npos);
}

TEST_CASE("run_trial rejects invalid options before writing anything") {
  using namespace run_trial_test;
  ScratchDir scratch;
  std::ostringstream out;
  auto options = quiet_options(scratch.path, out);
  FakeTrainer trainer;
  options.stop = {{"training_iteration", "ten"}};
  CHECK_THROWS_WITH_AS(rlpp::run_trial(trainer, options), doctest::Contains("stop.training_iteration"), rlpp::ConfigError);
  options.stop = {{"training_iteration", 1}};
  options.keep_checkpoints_num = 0;
  CHECK_THROWS_AS(rlpp::run_trial(trainer, options), rlpp::ConfigError);
  CHECK_FALSE(fs::exists(scratch.path / "exp"));
}

TEST_CASE("stop_requested ends the trial after the current iteration, checkpointing at end") {
  using namespace run_trial_test;
  ScratchDir scratch;
  std::ostringstream out;
  auto options = quiet_options(scratch.path, out);
  std::atomic<bool> interrupt{true};
  options.stop_requested = &interrupt;
  options.checkpoint_at_end = true;
  FakeTrainer trainer;
  const auto summary = rlpp::run_trial(trainer, options);
  CHECK(summary.stop_reason == "interrupted");
  CHECK(summary.iterations == 0);
  CHECK(summary.checkpoints.empty());  // nothing trained, nothing to save
}

TEST_CASE("StopCriteria: every key is a >= threshold; missing or NaN values never stop") {
  const rlpp::StopCriteria stop(Json{{"evaluation/episode_reward_mean", 100}, {"time_total_s", 60}});
  CHECK_FALSE(stop.met(Json{{"time_total_s", 59.9}}));
  CHECK(*stop.met(Json{{"time_total_s", 60}}) == "time_total_s >= 60 (got 60)");
  CHECK(*stop.met(Json{{"evaluation", {{"episode_reward_mean", 150.5}}}}) == "evaluation/episode_reward_mean >= 100 (got 150.5)");
  CHECK_FALSE(stop.met(Json{{"evaluation", {{"episode_reward_mean", nullptr}}}}));
  CHECK(stop.missing_keys(Json{{"time_total_s", 1}}) == std::vector<std::string>{"evaluation/episode_reward_mean"});
  CHECK(rlpp::StopCriteria(Json()).empty());
  CHECK_THROWS_AS(rlpp::StopCriteria(Json::array()), rlpp::ConfigError);
}
