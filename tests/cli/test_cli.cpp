#include <doctest/doctest.h>

#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "rlpp/cli/commands.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/envs/registry.hpp"
#include "rlpp/trainer/checkpoint.hpp"
#include "rlpp/trainer/registry.hpp"
#include "rlpp/trainer/trainer_interface.hpp"

namespace {
namespace fs = std::filesystem;
using rlpp::Json;

// Observation: the step count (Discrete(6)); action Discrete(2); reward = the action; episodes
// end (terminated) after 5 steps.
class CountingEnv {
 public:
  explicit CountingEnv(const rlpp::EnvContext& ctx) : length_(ctx.get<std::int64_t>("length", 5)) {}
  rlpp::Space observation_space() const { return rlpp::Discrete(6); }
  rlpp::Space action_space() const { return rlpp::Discrete(2); }
  std::int64_t reset(rlpp::Seed) {
    t_ = 0;
    return t_;
  }
  rlpp::Step<std::int64_t> step(const std::int64_t& action) {
    ++t_;
    return {t_, static_cast<double>(action), t_ >= length_, false, {}};
  }

 private:
  std::int64_t length_;
  std::int64_t t_ = 0;
};

// What the fake trainers saw, for the tests to check.
struct FakeLog {
  std::vector<fs::path> restored;
  std::vector<std::optional<bool>> explore;
  float max_state = 0;
};
FakeLog& fake_log() {
  static FakeLog log;
  return log;
}

// A deterministic trainer: iteration i reports reward 10 * i and 100 * i timesteps. Config:
// "lr" is echoed in the result, "fail": true makes train() throw, "bad_key" is a ConfigError.
// compute_single_action always answers action 1 and counts calls in a 1x1 recurrent state.
class CliFakeTrainer final : public rlpp::TrainerInterface {
 public:
  explicit CliFakeTrainer(const Json& config) : config_(config) {
    if (config_.contains("bad_key")) throw rlpp::ConfigError("config.bad_key", "is not a CliFake config key");
  }
  std::string_view name() const override { return "CliFake"; }
  const Json& config() const override { return config_; }
  std::string env_name() const override { return config_.value("env", std::string()); }
  Json train() override {
    if (config_.value("fail", false)) throw std::runtime_error("CliFake diverged");
    ++iteration_;
    return {{"training_iteration", iteration_}, {"timesteps_total", 100 * iteration_},
            {"episode_reward_mean", 10.0 * static_cast<double>(iteration_)}, {"lr", config_.value("lr", 0.0)}};
  }
  std::int64_t iteration() const override { return iteration_; }
  Json evaluate() override { return {{"evaluation", Json::object()}}; }
  fs::path save(const fs::path& dir) override {
    rlpp::write_checkpoint(dir, {{"trainer", "CliFake"}, {"env", env_name()}, {"iteration", iteration_}, {"config", config_}},
                           {{"iteration", iteration_}});
    return dir;
  }
  void restore(const fs::path& path) override {
    fake_log().restored.push_back(path);
    iteration_ = rlpp::read_checkpoint_state(path).at("iteration").get<std::int64_t>();
  }
  rlpp::SingleAction compute_single_action(std::span<const float>, std::span<const rlpp::nn::Matrix> state,
                                           std::optional<bool> explore, std::string_view) override {
    fake_log().explore.push_back(explore);
    rlpp::nn::Matrix next = state.empty() ? rlpp::nn::Matrix::Zero(1, 1) : rlpp::nn::Matrix(state[0]);
    next(0, 0) += 1.0f;
    fake_log().max_state = std::max(fake_log().max_state, next(0, 0));
    return {{1.0f}, {next}};
  }
  std::vector<rlpp::nn::Matrix> get_initial_state(std::string_view) override { return {rlpp::nn::Matrix::Zero(1, 1)}; }
  rlpp::WorkerSet& workers() override { throw std::logic_error("CliFake has no workers"); }

 private:
  Json config_;
  std::int64_t iteration_ = 0;
};

void register_test_components() {
  static const bool done = [] {
    rlpp::register_env("CountingEnv-v0", [](const rlpp::EnvContext& ctx) { return CountingEnv(ctx); });
    rlpp::register_trainer<CliFakeTrainer>("CliFake");
    return true;
  }();
  (void)done;
}

struct CliRun {
  int status = 0;
  std::string out, err;
};

CliRun rlpp_cli(std::vector<std::string> args) {
  register_test_components();
  std::ostringstream out, err;
  CliRun run;
  run.status = rlpp::cli::run_commands(args, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

std::size_t line_count(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct CliScratch {
  fs::path path;
  CliScratch() {
    std::string pattern = (fs::temp_directory_path() / "rlpp_cli_test_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~CliScratch() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::vector<fs::path> subdirs(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory()) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
}  // namespace

TEST_CASE("rlpp --help, algorithms and envs list what is registered") {
  const CliRun help = rlpp_cli({"--help"});
  CHECK(help.status == 0);
  CHECK(contains(help.out, "train"));
  CHECK(contains(help.out, "rollout"));
  CHECK(rlpp_cli({"train", "--help"}).out.starts_with("usage: rlpp train"));
  CHECK(rlpp_cli({"rollout", "-h"}).out.starts_with("usage: rlpp rollout"));

  const CliRun algorithms = rlpp_cli({"algorithms"});
  CHECK(algorithms.status == 0);
  CHECK(contains(algorithms.out, "CliFake\n"));
  // (cli::run adds the built-in algorithms: the `rlpp_lists_builtin_algorithms` test checks that.)

  const CliRun envs = rlpp_cli({"envs"});
  CHECK(envs.status == 0);
  CHECK(contains(envs.out, "CountingEnv-v0"));
  CHECK(contains(envs.out, "CartPole-v1"));
}

TEST_CASE("usage mistakes are one error line and exit status 2") {
  CliScratch scratch;
  const std::string dir = scratch.path.string();
  auto expect_error = [](const CliRun& run, const std::string& part) {
    CHECK(run.status == 2);
    CHECK(line_count(run.err) == 1);
    CHECK_MESSAGE(contains(run.err, part), run.err);
  };
  SUBCASE("no command") { CHECK(rlpp_cli({}).status == 2); }
  SUBCASE("unknown command") { expect_error(rlpp_cli({"trian"}), "rlpp: error: unknown command 'trian' (did you mean 'train'?"); }
  SUBCASE("unknown algorithm, listing the registered ones") {
    const CliRun run = rlpp_cli({"train", "--run", "Nope", "--env", "CountingEnv-v0", "--local-dir", dir});
    expect_error(run, "rlpp train: error: algorithm 'Nope': is not registered");
    CHECK(contains(run.err, "CliFake"));
  }
  SUBCASE("unknown env, listing the registered ones") {
    const CliRun run = rlpp_cli({"train", "--run", "CliFake", "--env", "CountingEnv-v9", "--local-dir", dir});
    expect_error(run, "env 'CountingEnv-v9': is not registered");
    CHECK(contains(run.err, "CountingEnv-v0"));
  }
  SUBCASE("unknown flag, with a suggestion") {
    expect_error(rlpp_cli({"train", "--run", "CliFake", "--stopp", "{}"}), "unknown flag '--stopp' (did you mean '--stop'?");
  }
  SUBCASE("invalid JSON names the flag") {
    expect_error(rlpp_cli({"train", "--run", "CliFake", "--env", "CountingEnv-v0", "--config", "{lr: 1}"}),
                 "--config: is not valid JSON");
  }
  SUBCASE("missing --run / --env") {
    expect_error(rlpp_cli({"train", "--env", "CountingEnv-v0"}), "--run is required");
    expect_error(rlpp_cli({"train", "--run", "CliFake"}), "--env is required");
  }
  SUBCASE("a bad count") { expect_error(rlpp_cli({"train", "--run", "CliFake", "--env", "CountingEnv-v0", "--checkpoint-freq", "-3"}), "--checkpoint-freq"); }
  SUBCASE("a config the trainer rejects") {
    expect_error(rlpp_cli({"train", "--run", "CliFake", "--env", "CountingEnv-v0", "--config", R"({"bad_key": 1})",
                           "--local-dir", dir}),
                 "config.bad_key");
  }
  SUBCASE("a malformed stop dict") {
    expect_error(rlpp_cli({"train", "--run", "CliFake", "--env", "CountingEnv-v0", "--stop", R"({"training_iteration": "x"})",
                           "--local-dir", dir}),
                 "stop.training_iteration");
  }
  SUBCASE("a missing experiment file") { expect_error(rlpp_cli({"train", "-f", dir + "/missing.yaml"}), "no such experiment file"); }
  SUBCASE("trial flags with -f") { expect_error(rlpp_cli({"train", "-f", dir + "/exp.json", "--run", "PG"}), "--run cannot be combined with -f"); }
}

TEST_CASE("rlpp train runs a trial into Tune's layout and prints a summary") {
  CliScratch scratch;
  const CliRun run = rlpp_cli({"train", "--run", "CliFake", "--env", "CountingEnv-v0", "--stop", R"({"training_iteration": 4})",
                               "--checkpoint-freq", "2", "--checkpoint-at-end", "--local-dir", scratch.path.string(),
                               "--experiment-name", "smoke", "--config", R"({"lr": 0.5})"});
  CHECK(run.status == 0);
  CHECK(run.err.empty());
  const auto trials = subdirs(scratch.path / "smoke");
  REQUIRE(trials.size() == 1);
  const fs::path trial = trials[0];
  CHECK(trial.filename().string().starts_with("CliFake_CountingEnv-v0_0_"));
  CHECK(Json::parse(file_text(trial / "params.json")) == Json{{"env", "CountingEnv-v0"}, {"lr", 0.5}});
  CHECK(line_count(file_text(trial / "result.json")) == 4);
  CHECK(fs::exists(trial / "progress.csv"));
  CHECK(fs::exists(trial / "learning_curve.svg"));
  CHECK(fs::exists(trial / "checkpoint_000002" / "rlpp_checkpoint.json"));
  CHECK(fs::exists(trial / "checkpoint_000004" / "rlpp_checkpoint.json"));
  CHECK(contains(run.out, "iter 4 | ts 400 | reward 40"));
  CHECK(contains(run.out, "(training_iteration >= 4 (got 4))"));
  CHECK(contains(run.out, "best checkpoint: " + (trial / "checkpoint_000004").string() + " (episode_reward_mean 40)"));
  CHECK(contains(run.out, "learning curve:  " + (trial / "learning_curve.svg").string()));
  CHECK(contains(run.out, "rlpp train: 1 of 1 trial finished"));

  SUBCASE("--restore continues from a checkpoint") {
    fake_log().restored.clear();
    const std::string checkpoint = (trial / "checkpoint_000002").string();
    const CliRun again = rlpp_cli({"train", "--run", "CliFake", "--env", "CountingEnv-v0", "--stop", R"({"training_iteration": 3})",
                                   "--local-dir", scratch.path.string(), "--experiment-name", "resumed", "--restore", checkpoint});
    CHECK(again.status == 0);
    REQUIRE(fake_log().restored.size() == 1);
    CHECK(fake_log().restored[0] == checkpoint);
    CHECK(contains(again.out, "finished after 1 iteration"));
  }
  SUBCASE("without --stop: the env's reward threshold, and a checkpoint at the end") {
    rlpp::register_env("SolvedAt30-v0", [](const rlpp::EnvContext& ctx) { return CountingEnv(ctx); });
    rlpp::global_env_registry().set_reward_threshold("SolvedAt30-v0", 30.0);
    const CliRun solved = rlpp_cli({"train", "--run", "CliFake", "--env", "SolvedAt30-v0", "--local-dir", scratch.path.string(),
                                    "--experiment-name", "solved"});
    CHECK(solved.status == 0);
    CHECK(contains(solved.out, "trial 1/1 CliFake on SolvedAt30-v0, stop: {\"episode_reward_mean\":30.0}"));
    CHECK(contains(solved.out, "finished after 3 iterations (episode_reward_mean >= 30 (got 30))"));
    const auto dirs = subdirs(scratch.path / "solved");
    REQUIRE(dirs.size() == 1);
    CHECK(fs::exists(dirs[0] / "checkpoint_000003" / "rlpp_checkpoint.json"));

    const CliRun bare = rlpp_cli({"train", "--run", "CliFake", "--env", "SolvedAt30-v0", "--local-dir", scratch.path.string(),
                                  "--experiment-name", "bare", "--no-checkpoint-at-end"});
    CHECK(contains(bare.out, "best checkpoint: none"));
    CHECK(subdirs(subdirs(scratch.path / "bare")[0]).empty());
    const CliRun both = rlpp_cli({"train", "--run", "CliFake", "--env", "SolvedAt30-v0", "--checkpoint-at-end", "--no-checkpoint-at-end"});
    CHECK(both.status == 2);
    CHECK(contains(both.err, "contradict"));
  }
  SUBCASE("-v prints the full result") {
    const CliRun loud = rlpp_cli({"train", "--run", "CliFake", "--env", "CountingEnv-v0", "--stop", R"({"training_iteration": 1})",
                                  "--local-dir", scratch.path.string(), "-v"});
    CHECK(contains(loud.out, "episode_reward_mean: 10.0\n"));
  }
}

TEST_CASE("a failing trial is reported, the others still run, exit status 1") {
  CliScratch scratch;
  const CliRun run = rlpp_cli({"train", "--run", "CliFake", "--env", "CountingEnv-v0", "--stop", R"({"training_iteration": 2})",
                               "--config", R"({"fail": {"grid_search": [true, false]}})", "--local-dir", scratch.path.string()});
  CHECK(run.status == 1);
  CHECK(run.err == "rlpp train: error: trial 1 (CliFake, fail=true) failed: CliFake diverged\n");
  CHECK(contains(run.out, "rlpp train: 1 of 2 trials finished, 1 failed"));
  const auto trials = subdirs(scratch.path / "default");
  REQUIRE(trials.size() == 2);
  CHECK(file_text(trials[0] / "error.txt") == "CliFake diverged\n");
}

TEST_CASE("grid_search expands to the cartesian product times num_samples, first key fastest") {
  const rlpp::cli::ExperimentSpec experiment = rlpp::cli::experiment_from_json(
      "grid", Json::parse(R"({"run": "CliFake", "env": "CountingEnv-v0", "num_samples": 2,
                              "config": {"lr": {"grid_search": [0.1, 0.2]}, "model": {"fcnet_hiddens": {"grid_search": [[8], [16, 16]]}}}})"));
  CHECK(experiment.config["env"] == "CountingEnv-v0");
  const auto trials = rlpp::cli::expand_trials(experiment);
  REQUIRE(trials.size() == 8);  // 2 x 2 x 2 samples
  CHECK(trials[0].tag == "lr=0.1,fcnet_hiddens=[8]");
  CHECK(trials[1].tag == "lr=0.2,fcnet_hiddens=[8]");
  CHECK(trials[2].tag == "lr=0.1,fcnet_hiddens=[16,16]");
  CHECK(trials[4].tag == trials[0].tag);  // the second sample repeats the grid
  CHECK(trials[3].config["lr"] == 0.2);
  CHECK(trials[3].config["model"]["fcnet_hiddens"] == Json::array({16, 16}));
  CHECK(trials[7].index == 7);

  const auto plain = rlpp::cli::expand_trials(rlpp::cli::experiment_from_json("plain", Json{{"run", "PG"}, {"env", "CartPole-v1"}}));
  REQUIRE(plain.size() == 1);
  CHECK(plain[0].tag.empty());
}

TEST_CASE("experiment specs are checked key by key") {
  CHECK_THROWS_WITH_AS(rlpp::cli::experiment_from_json("e", Json{{"run", "PG"}, {"checkpoint_frq", 1}}),
                       doctest::Contains("e.checkpoint_frq: is not an experiment key (did you mean 'checkpoint_freq'?"),
                       rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(rlpp::cli::experiment_from_json("e", Json{{"env", "CartPole-v1"}}), doctest::Contains("e.run"),
                       rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(rlpp::cli::experiment_from_json("e", Json{{"run", "PG"}, {"config", {{"lr", {{"grid_search", Json::array()}}}}}}),
                       doctest::Contains("config.lr.grid_search: expected a non-empty list"), rlpp::ConfigError);
  // Ray-only keys are accepted and ignored.
  CHECK_NOTHROW(rlpp::cli::experiment_from_json("e", Json{{"run", "PG"}, {"resources_per_trial", {{"cpu", 1}}}}));
  const auto spec = rlpp::cli::experiment_from_json(
      "e", Json{{"run", "PG"}, {"checkpoint_freq", 5}, {"checkpoint_at_end", true}, {"keep_checkpoints_num", 2},
                {"checkpoint_score_attr", "min-time_total_s"}, {"stop", {{"training_iteration", 3}}}});
  CHECK(spec.checkpoint_freq == 5);
  CHECK(spec.checkpoint_at_end);
  CHECK(*spec.keep_checkpoints_num == 2);
  CHECK(spec.checkpoint_score_attr == "min-time_total_s");
  CHECK(spec.stop["training_iteration"] == 3);
}

TEST_CASE("YAML experiment files: RLlib's tuned-example format, PyYAML's scalar types") {
  CliScratch scratch;
  const auto file = scratch.path / "cartpole-pg.yaml";
  std::filesystem::create_directories(scratch.path);
  std::ofstream(file) << R"(# RLlib's rllib/tuned_examples/pg/cartpole-pg.yaml
cartpole-pg:
    env: CartPole-v1
    run: PG
    stop:
        episode_reward_mean: 150
        timesteps_total: 100000
    config:
        framework: torch
        num_workers: 2
        seed: 42
        lr: 4.0e-4
        horizon: ~
        explore: yes
        observation_filter: "NoFilter"
        model: {fcnet_hiddens: [64, 64], vf_share_layers: false}
        gamma:
            grid_search: [0.9, 0.99]
)";
#if defined(RLPP_HAVE_YAML)
  const auto experiments = rlpp::cli::load_experiment_file(file);
  REQUIRE(experiments.size() == 1);
  const auto& e = experiments.front();
  CHECK(e.name == "cartpole-pg");
  CHECK(e.run == "PG");
  CHECK(e.stop["episode_reward_mean"] == 150);
  CHECK(e.stop["timesteps_total"].is_number_integer());
  CHECK(e.config["num_workers"] == 2);
  CHECK(e.config["lr"] == 4.0e-4);
  CHECK(e.config["horizon"].is_null());
  CHECK(e.config["explore"] == true);
  CHECK(e.config["observation_filter"] == "NoFilter");
  CHECK(e.config["model"]["fcnet_hiddens"] == rlpp::Json({64, 64}));
  CHECK(e.config["model"]["vf_share_layers"] == false);
  CHECK(rlpp::cli::expand_trials(e).size() == 2);
  std::ofstream(scratch.path / "broken.yaml") << "exp:\n  run: [PG\n";
  const CliRun broken = rlpp_cli({"train", "-f", (scratch.path / "broken.yaml").string()});
  CHECK(broken.status == 2);
  CHECK(contains(broken.err, "is not valid YAML"));
#else
  const CliRun unsupported = rlpp_cli({"train", "-f", file.string()});
  CHECK(unsupported.status == 2);
  CHECK(contains(unsupported.err, "without YAML support"));
#endif
}

TEST_CASE("rlpp train -f runs every experiment of a JSON file, grid tags in the trial names") {
  CliScratch scratch;
  const fs::path file = scratch.path / "experiments.json";
  std::ofstream(file) << R"({
    "alpha": {"run": "CliFake", "env": "CountingEnv-v0", "stop": {"episode_reward_mean": 20},
              "config": {"lr": {"grid_search": [0.01, 0.02]}}},
    "beta": {"run": "CliFake", "config": {"env": "CountingEnv-v0"}, "stop": {"training_iteration": 1},
             "checkpoint_at_end": true, "local_dir": ")" + (scratch.path / "elsewhere").string() + R"("}
  })";
  const CliRun run = rlpp_cli({"train", "-f", file.string(), "--local-dir", scratch.path.string()});
  CHECK(run.status == 0);
  CHECK(contains(run.out, "rlpp train: 3 of 3 trials finished"));
  const auto alpha = subdirs(scratch.path / "alpha");
  REQUIRE(alpha.size() == 2);
  CHECK(contains(alpha[0].filename().string(), "CliFake_CountingEnv-v0_0_lr=0.01_"));
  CHECK(contains(alpha[1].filename().string(), "CliFake_CountingEnv-v0_1_lr=0.02_"));
  CHECK(line_count(file_text(alpha[0] / "result.json")) == 2);  // reward 20 reached at iteration 2
  CHECK(contains(file_text(alpha[1] / "result.json"), "\"experiment_tag\":\"1_lr=0.02\""));
  const auto beta = subdirs(scratch.path / "elsewhere" / "beta");
  REQUIRE(beta.size() == 1);
  CHECK(fs::exists(beta[0] / "checkpoint_000001"));

  std::ofstream(scratch.path / "bad.json") << R"({"x": {"run": "CliFake", "env": "CountingEnv-v0", "stopp": {}}})";
  const CliRun bad = rlpp_cli({"train", "-f", (scratch.path / "bad.json").string()});
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, "x.stopp: is not an experiment key (did you mean 'stop'?"));
}

TEST_CASE("rlpp rollout restores a checkpoint and prints RLlib's episode lines") {
  CliScratch scratch;
  const CliRun trained = rlpp_cli({"train", "--run", "CliFake", "--env", "CountingEnv-v0", "--stop", R"({"training_iteration": 2})",
                                   "--checkpoint-at-end", "--local-dir", scratch.path.string(), "--config",
                                   R"({"evaluation_config": {"explore": false}, "env_config": {"length": 5}})"});
  REQUIRE(trained.status == 0);
  const fs::path checkpoint = subdirs(scratch.path / "default")[0] / "checkpoint_000002";
  REQUIRE(fs::exists(checkpoint));
  fake_log() = FakeLog{};

  SUBCASE("--episodes, with --out") {
    const fs::path out_file = scratch.path / "episodes.jsonl";
    const CliRun run = rlpp_cli({"rollout", checkpoint.string(), "--episodes", "2", "--out", out_file.string()});
    CHECK(run.status == 0);
    CHECK(run.out == "Episode #0: reward: 5.0\nEpisode #1: reward: 5.0\n");
    REQUIRE(fake_log().restored.size() == 1);
    CHECK(fake_log().restored[0] == checkpoint);
    CHECK(fake_log().explore.size() == 10);
    CHECK(fake_log().explore[0] == std::optional<bool>(false));  // evaluation_config's explore
    CHECK(fake_log().max_state == 5.0f);                         // the state is carried, reset per episode
    const std::string text = file_text(out_file);
    REQUIRE(line_count(text) == 2);
    const Json episode = Json::parse(text.substr(0, text.find('\n')));
    REQUIRE(episode.size() == 5);
    CHECK(episode[0] == Json::parse("[[0.0], [1.0], [1.0], 1.0, false]"));
    CHECK(episode[4][4] == true);
  }
  SUBCASE("--steps cuts the last episode; --config overrides the checkpoint's") {
    const CliRun run = rlpp_cli({"rollout", checkpoint.string(), "--steps", "7", "--config", R"({"explore": true})"});
    CHECK(run.status == 0);
    CHECK(run.out == "Episode #0: reward: 5.0\nEpisode #1: reward: 2.0\n");
    CHECK(fake_log().explore[0] == std::optional<bool>(true));
  }
  SUBCASE("errors") {
    const CliRun wrong_run = rlpp_cli({"rollout", checkpoint.string(), "--run", "PG", "--episodes", "1"});
    CHECK(wrong_run.status == 2);
    CHECK(contains(wrong_run.err, "does not match the checkpoint, written by CliFake"));
    const CliRun missing = rlpp_cli({"rollout", (scratch.path / "nowhere").string()});
    CHECK(missing.status == 1);
    CHECK(contains(missing.err, "is not an rlpp checkpoint"));
    CHECK(line_count(missing.err) == 1);
    const CliRun no_env = rlpp_cli({"rollout", "--run", "CliFake"});
    CHECK(no_env.status == 2);
    CHECK(contains(no_env.err, "pass --env"));
  }
  SUBCASE("without a checkpoint: an untrained trainer") {
    const CliRun run = rlpp_cli({"rollout", "--run", "CliFake", "--env", "CountingEnv-v0", "--episodes", "1"});
    CHECK(run.status == 0);
    CHECK(run.out == "Episode #0: reward: 5.0\n");
    CHECK(fake_log().restored.empty());
  }
}
