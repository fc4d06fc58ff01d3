#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/trainer/pretty_print.hpp"
#include "rlpp/trainer/results.hpp"
#include "rlpp/trainer/trial_dir.hpp"

using rlpp::Json;
namespace fs = std::filesystem;

namespace {
// A fresh directory under the system's temp dir, removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "rlpp_trainer_test_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path, ignored);
  }
};

// Sets (or unsets, for nullptr) an environment variable for the scope, then restores it.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> saved;
  ScopedEnv(std::string variable, const char* value) : name(std::move(variable)) {
    if (const char* old = std::getenv(name.c_str())) saved = old;
    if (value) ::setenv(name.c_str(), value, 1);
    else ::unsetenv(name.c_str());
    ::tzset();
  }
  ~ScopedEnv() {
    if (saved) ::setenv(name.c_str(), saved->c_str(), 1);
    else ::unsetenv(name.c_str());
    ::tzset();
  }
};

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// 2021-03-11 10:42:19 UTC.
std::chrono::system_clock::time_point march_11_2021() {
  using namespace std::chrono;
  return sys_days{year{2021} / 3 / 11} + hours{10} + minutes{42} + seconds{19};
}

// Runs `f` with file sizes limited to `bytes` (writes past it fail with EFBIG instead of raising
// SIGXFSZ) and returns the error it threw, "" if none. The limit holds only during `f`, so test
// output is never affected.
template <class F>
std::string with_file_size_limit(rlim_t bytes, F&& f) {
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = bytes;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
  std::string error;
  try {
    f();
  } catch (const rlpp::CheckpointError& e) {
    error = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  return error;
}

Json small_result(int iteration) {
  return Json{{"training_iteration", iteration},
              {"timesteps_total", 4000 * iteration},
              {"episode_reward_mean", 10.5 * iteration},
              {"done", false},
              {"config", {{"lr", 5e-05}, {"env", "CartPole-v1"}}},
              {"info", {{"learner", {{"default_policy", {{"learner_stats", {{"total_loss", 0.25}}}}}}}}},
              {"sampler_perf", {{"mean_env_wait_ms", 0.0123}}}};
}
}  // namespace

// ---- trial directories ------------------------------------------------------------------------

TEST_CASE("trial directories are <local_dir>/<experiment>/<Trainer>_<env>_<index>_<date>, as Tune names them") {
  ScopedEnv utc("TZ", "UTC");
  TempDir tmp;
  const fs::path dir = rlpp::make_trial_dir(tmp.path, "cartpole", "PPO", "CartPole-v1", 0, march_11_2021());
  CHECK(dir == tmp.path / "cartpole" / "PPO_CartPole-v1_0_2021-03-11_10-42-19");
  CHECK(fs::is_directory(dir));

  SUBCASE("an empty experiment name is Tune's \"default\"") {
    const fs::path d = rlpp::make_trial_dir(tmp.path, "", "DQN", "CartPole-v1", 3, march_11_2021());
    CHECK(d == tmp.path / "default" / "DQN_CartPole-v1_3_2021-03-11_10-42-19");
    CHECK(rlpp::default_experiment_name == "default");
  }
  SUBCASE("env names are made safe for one path component") {
    CHECK(rlpp::trial_dir_name("PPO", "ALE/Pong-v5", 1, march_11_2021()) == "PPO_ALE_Pong-v5_1_2021-03-11_10-42-19");
    CHECK(rlpp::trial_dir_name("PPO", "my env:v1*", 1, march_11_2021()) == "PPO_my_env_v1__1_2021-03-11_10-42-19");
  }
  SUBCASE("no env name: the part is left out; a grid-search tag follows the index") {
    CHECK(rlpp::trial_dir_name("PG", "", 2, march_11_2021()) == "PG_2_2021-03-11_10-42-19");
    CHECK(rlpp::trial_dir_name("PPO", "CartPole-v1", 2, march_11_2021(), "lr=0.01,gamma=0.9") ==
          "PPO_CartPole-v1_2_lr=0.01,gamma=0.9_2021-03-11_10-42-19");
  }
  SUBCASE("the part before the date is cut to 130 characters") {
    const std::string name = rlpp::trial_dir_name("PPO", std::string(300, 'e'), 0, march_11_2021());
    CHECK(name.size() == 130 + 1 + 19);
    CHECK(name.ends_with("_2021-03-11_10-42-19"));
  }
  SUBCASE("an existing trial directory is reused (resuming)") {
    CHECK(rlpp::make_trial_dir(tmp.path, "cartpole", "PPO", "CartPole-v1", 0, march_11_2021()) == dir);
  }
  SUBCASE("nested experiment names stay inside local_dir") {
    CHECK(rlpp::make_trial_dir(tmp.path, "atari/pong", "PPO", "Pong", 0, march_11_2021()).parent_path() ==
          tmp.path / "atari" / "pong");
    CHECK_THROWS_AS(rlpp::make_trial_dir(tmp.path, "../escape", "PPO", "Pong", 0, march_11_2021()), rlpp::Error);
    CHECK_THROWS_AS(rlpp::make_trial_dir(tmp.path, "/abs", "PPO", "Pong", 0, march_11_2021()), rlpp::Error);
    CHECK_THROWS_AS(rlpp::trial_dir_name("", "Pong", 0, march_11_2021()), rlpp::Error);
  }
}

TEST_CASE("a trial directory that cannot be created is an Error naming it") {
  TempDir tmp;
  std::ofstream(tmp.path / "not_a_dir") << "x";  // a file where local_dir should be
  try {
    rlpp::make_trial_dir(tmp.path / "not_a_dir", "exp", "PPO", "CartPole-v1", 0);
    FAIL("expected an error");
  } catch (const rlpp::Error& e) {
    const std::string what = e.what();
    CHECK(what.find((tmp.path / "not_a_dir" / "exp").string()) != std::string::npos);
    CHECK(what.find("cannot create the trial directory") != std::string::npos);
  }
}

TEST_CASE("default_local_dir is ~/rlpp_results, ./rlpp_results without HOME, or $RLPP_RESULTS_DIR") {
  ScopedEnv no_override("RLPP_RESULTS_DIR", nullptr);
  {
    ScopedEnv home("HOME", "/home/someone");
    CHECK(rlpp::default_local_dir() == fs::path("/home/someone/rlpp_results"));
  }
  {
    ScopedEnv home("HOME", nullptr);
    CHECK(rlpp::default_local_dir() == fs::path("rlpp_results"));
  }
  {
    ScopedEnv home("HOME", "");
    CHECK(rlpp::default_local_dir() == fs::path("rlpp_results"));
  }
  ScopedEnv override_dir("RLPP_RESULTS_DIR", "/data/results");
  CHECK(rlpp::default_local_dir() == fs::path("/data/results"));
}

TEST_CASE("checkpoint directories are checkpoint_<iteration zero-padded to 6 digits> (RLlib >= 1.2)") {
  const fs::path trial = "/r/PPO_CartPole-v1_0_2021-03-11_10-42-19";
  CHECK(rlpp::checkpoint_dir(trial, 10) == trial / "checkpoint_000010");
  CHECK(rlpp::checkpoint_dir(trial, 0) == trial / "checkpoint_000000");
  CHECK(rlpp::checkpoint_dir(trial, 700) == trial / "checkpoint_000700");
  CHECK(rlpp::checkpoint_dir(trial, 1234567) == trial / "checkpoint_1234567");
  CHECK_THROWS_AS(rlpp::checkpoint_dir(trial, -1), rlpp::Error);
}

// ---- flatten and number formats --------------------------------------------------------------

TEST_CASE("flatten joins nested keys with '/', drops empty objects and keeps arrays whole") {
  const Json result = {{"episode_reward_mean", 1.5},
                       {"info", {{"learner", {{"default_policy", {{"learner_stats", {{"total_loss", 0.5}}}}}}},
                                 {"num_steps_sampled", 100}}},
                       {"sampler_perf", {{"mean_env_wait_ms", 0.25}}},
                       {"custom_metrics", Json::object()},
                       {"hist_stats", {{"episode_reward", {1.0, 2.0}}}}};
  const Json flat = rlpp::flatten(result);
  CHECK(flat == Json{{"episode_reward_mean", 1.5},
                     {"info/learner/default_policy/learner_stats/total_loss", 0.5},
                     {"info/num_steps_sampled", 100},
                     {"sampler_perf/mean_env_wait_ms", 0.25},
                     {"hist_stats/episode_reward", {1.0, 2.0}}});
  CHECK(rlpp::flatten({{"a", {{"b", 1}}}}, ".") == Json{{"a.b", 1}});
  CHECK(rlpp::flatten(Json::object()) == Json::object());
  CHECK_THROWS_AS(rlpp::flatten(Json::array({1, 2})), rlpp::Error);
}

TEST_CASE("floats are written as Python's repr writes them (round-trip, as in Tune's files)") {
  using rlpp::detail::python_float_repr;
  CHECK(python_float_repr(200.0) == "200.0");
  CHECK(python_float_repr(0.1) == "0.1");
  CHECK(python_float_repr(0.30000000000000004) == "0.30000000000000004");
  CHECK(python_float_repr(1.0 / 3.0) == "0.3333333333333333");
  CHECK(python_float_repr(0.0001) == "0.0001");  // exponent -4: still fixed
  CHECK(python_float_repr(1e-05) == "1e-05");    // exponent -5: scientific
  CHECK(python_float_repr(1e15) == "1000000000000000.0");
  CHECK(python_float_repr(1e16) == "1e+16");
  CHECK(python_float_repr(1.5e16) == "1.5e+16");
  CHECK(python_float_repr(-2.5e-07) == "-2.5e-07");
  CHECK(python_float_repr(123456789.123) == "123456789.123");
  CHECK(python_float_repr(5e-324) == "5e-324");
  CHECK(python_float_repr(-0.0) == "-0.0");
  CHECK(python_float_repr(std::numeric_limits<double>::quiet_NaN()) == "nan");
  CHECK(python_float_repr(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(rlpp::detail::yaml_float(1e-05) == "1.0e-05");
  CHECK(rlpp::detail::yaml_float(1.5e300) == "1.5e+300");
}

// ---- result files -----------------------------------------------------------------------------

TEST_CASE("params.json is the config with 2-space indents and sorted keys") {
  TempDir tmp;
  rlpp::ResultLogger logger(tmp.path / "trial");
  logger.write_params({{"lr", 5e-05}, {"env", "CartPole-v1"}, {"model", {{"fcnet_hiddens", {64, 64}}}}});
  CHECK(read(tmp.path / "trial" / "params.json") ==
        "{\n"
        "  \"env\": \"CartPole-v1\",\n"
        "  \"lr\": 5e-05,\n"
        "  \"model\": {\n"
        "    \"fcnet_hiddens\": [\n"
        "      64,\n"
        "      64\n"
        "    ]\n"
        "  }\n"
        "}\n");
}

TEST_CASE("result.json holds one compact JSON object per line that parses back to the result") {
  TempDir tmp;
  rlpp::ResultLogger logger(tmp.path);
  Json with_nan = small_result(2);
  with_nan["episode_reward_mean"] = std::numeric_limits<double>::quiet_NaN();
  logger.log(small_result(1));
  logger.log(with_nan);
  const std::vector<std::string> lines = lines_of(read(tmp.path / "result.json"));
  REQUIRE(lines.size() == 2);
  CHECK(Json::parse(lines[0]) == small_result(1));  // config included, as in Tune's result.json
  Json expected = small_result(2);
  expected["episode_reward_mean"] = nullptr;  // JSON has no NaN
  CHECK(Json::parse(lines[1]) == expected);
  CHECK(lines[0].find(' ') == std::string::npos);  // compact
  CHECK_THROWS_AS(logger.log(Json::array()), rlpp::Error);
}

TEST_CASE("progress.csv: flattened keys as header, one row per result, no config") {
  TempDir tmp;
  rlpp::ResultLogger logger(tmp.path);
  logger.log(small_result(1));
  logger.log(small_result(2));
  const std::vector<std::string> lines = lines_of(read(tmp.path / "progress.csv"));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] ==
        "done,episode_reward_mean,info/learner/default_policy/learner_stats/total_loss,"
        "sampler_perf/mean_env_wait_ms,timesteps_total,training_iteration");
  CHECK(lines[1] == "false,10.5,0.25,0.0123,4000,1");
  CHECK(lines[2] == "false,21.0,0.25,0.0123,8000,2");
  CHECK(logger.progress_columns().size() == 6);
}

TEST_CASE("progress.csv quotes fields per RFC 4180 and writes lists as JSON text") {
  TempDir tmp;
  rlpp::ResultLogger logger(tmp.path);
  logger.log({{"a", "x,y"},
              {"b", "say \"hi\""},
              {"c", "two\nlines"},
              {"d", nullptr},
              {"e", std::numeric_limits<double>::infinity()},
              {"hist_stats", {{"episode_reward", {1.5, 2.0}}}},
              {"weird,key", 1}});
  const std::string text = read(tmp.path / "progress.csv");
  CHECK(text ==
        "a,b,c,d,e,hist_stats/episode_reward,\"weird,key\"\n"
        "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",,inf,\"[1.5,2.0]\",1\n");
  // and it reads back field for field
  const auto ends = rlpp::detail::csv_record_ends(text);
  REQUIRE(ends.size() == 2);
  const auto row = rlpp::detail::parse_csv_record(std::string_view(text).substr(ends[0], ends[1] - ends[0]));
  CHECK(row == std::vector<std::string>{"x,y", "say \"hi\"", "two\nlines", "", "inf", "[1.5,2.0]", "1"});
}

TEST_CASE("a key first seen later becomes a new column; earlier rows get empty cells") {
  TempDir tmp;
  rlpp::ResultLogger logger(tmp.path);
  logger.log({{"training_iteration", 1}, {"custom_metrics", Json::object()}});
  logger.log({{"training_iteration", 2}, {"custom_metrics", {{"x_mean", 0.5}}}});
  logger.log({{"training_iteration", 3}});  // a key that is missing now: empty cell
  logger.log({{"training_iteration", 4}, {"evaluation", {{"episode_reward_mean", 9.0}}}});
  CHECK(read(tmp.path / "progress.csv") ==
        "training_iteration,custom_metrics/x_mean,evaluation/episode_reward_mean\n"
        "1,,\n"
        "2,0.5,\n"
        "3,,\n"
        "4,,9.0\n");
  CHECK(lines_of(read(tmp.path / "result.json")).size() == 4);
}

TEST_CASE("a second logger on the same trial directory continues its files (resume)") {
  TempDir tmp;
  { rlpp::ResultLogger(tmp.path).log(small_result(1)); }
  rlpp::ResultLogger resumed(tmp.path);
  resumed.log(small_result(2));
  CHECK(lines_of(read(tmp.path / "result.json")).size() == 2);
  const std::vector<std::string> rows = lines_of(read(tmp.path / "progress.csv"));
  REQUIRE(rows.size() == 3);  // one header
  CHECK(rows[2] == "false,21.0,0.25,0.0123,8000,2");

  SUBCASE("an unfinished last record left by a crash is cut off first") {
    std::ofstream(tmp.path / "result.json", std::ios::app) << "{\"training_iter";
    std::ofstream(tmp.path / "progress.csv", std::ios::app) << "false,\"unterminated\nquote";
    rlpp::ResultLogger again(tmp.path);
    again.log(small_result(3));
    const std::vector<std::string> lines = lines_of(read(tmp.path / "result.json"));
    REQUIRE(lines.size() == 3);
    CHECK(Json::parse(lines[2]) == small_result(3));
    const std::vector<std::string> csv = lines_of(read(tmp.path / "progress.csv"));
    REQUIRE(csv.size() == 4);
    CHECK(csv[3] == "false,31.5,0.25,0.0123,12000,3");
  }
}

TEST_CASE("a failed write leaves every file as it was") {
  TempDir tmp;
  rlpp::ResultLogger logger(tmp.path);
  logger.write_params({{"lr", 0.001}});
  // A list of many short strings costs 4 bytes an element in result.json ("x",) and 6 in
  // progress.csv (""x"",), so the CSV is the bigger file and a limit can fall between the two.
  Json result = small_result(1);
  result["strings"] = std::vector<std::string>(1000, "x");
  logger.log(result);
  const std::string params = read(tmp.path / "params.json");
  const std::string results = read(tmp.path / "result.json");
  const std::string progress = read(tmp.path / "progress.csv");
  REQUIRE(progress.size() > results.size() + 1000);

  SUBCASE("result.json fails half-way through its line") {
    const std::string error = with_file_size_limit(results.size() + 10, [&] { logger.log(result); });
    CHECK(error.find("result.json") != std::string::npos);
    CHECK(error.find("cannot append") != std::string::npos);
  }
  SUBCASE("result.json succeeds, progress.csv fails half-way: result.json is rolled back") {
    const std::string error = with_file_size_limit(2 * results.size() + 10, [&] { logger.log(result); });
    CHECK(error.find("progress.csv") != std::string::npos);
  }
  SUBCASE("a new column needs progress.csv rewritten, and that fails") {
    Json wider = result;
    wider["new_key"] = 1;
    const std::string error = with_file_size_limit(2 * results.size() + 100, [&] { logger.log(wider); });
    CHECK(error.find("progress.csv") != std::string::npos);
    CHECK(logger.progress_columns().size() == 7);  // unchanged: the new column was not added
  }
  SUBCASE("params.json is replaced atomically or not at all") {
    const std::string error = with_file_size_limit(params.size() + 2, [&] {
      logger.write_params({{"lr", 0.001}, {"gamma", 0.99}, {"train_batch_size", 4000}});
    });
    CHECK(error.find("params.json") != std::string::npos);
  }
  if (::geteuid() != 0) {  // root ignores permissions
    SUBCASE("a read-only trial directory") {
      fs::permissions(tmp.path, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                      fs::perm_options::remove);
      CHECK_THROWS_AS(logger.write_params({{"lr", 1.0}}), rlpp::CheckpointError);
      fs::permissions(tmp.path, fs::perms::owner_all, fs::perm_options::add);
    }
  }
  CHECK(read(tmp.path / "params.json") == params);
  CHECK(read(tmp.path / "result.json") == results);
  CHECK(read(tmp.path / "progress.csv") == progress);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(tmp.path)) ++files;
  CHECK(files == 3);  // no temporary file left behind

  // and the logger still works afterwards
  logger.log(result);
  CHECK(lines_of(read(tmp.path / "result.json")).size() == 2);
}

TEST_CASE("a thousand results make a thousand lines and rows") {
  TempDir tmp;
  rlpp::ResultLogger logger(tmp.path);
  for (int i = 1; i <= 1000; ++i) logger.log(small_result(i));
  CHECK(lines_of(read(tmp.path / "result.json")).size() == 1000);
  const std::vector<std::string> rows = lines_of(read(tmp.path / "progress.csv"));
  REQUIRE(rows.size() == 1001);
  CHECK(rows.back() == "false,10500.0,0.25,0.0123,4000000,1000");
}

// ---- printing ---------------------------------------------------------------------------------

TEST_CASE("pretty_print writes the result as PyYAML's safe_dump does, without config and hist_stats") {
  // The expected text is what Tune's pretty_print (yaml.safe_dump(..., default_flow_style=False))
  // prints for the same dict.
  const Json result = {
      {"episode_reward_mean", 145.3}, {"episode_reward_min", 20.0}, {"episode_reward_max", 200.0},
      {"episodes_this_iter", 7}, {"training_iteration", 12}, {"done", false},
      {"date", "2021-03-11_10-42-19"}, {"experiment_tag", "0"},
      {"config", {{"lr", 5e-05}}}, {"hist_stats", {{"episode_reward", {1.0, 2.0}}}},
      {"custom_metrics", Json::object()}, {"trial_id", nullptr},
      {"info", {{"learner", {{"default_policy", {{"learner_stats", {{"cur_lr", 5e-05}, {"total_loss", 0.5}}}}}}},
                {"num_steps_sampled", 24000}}},
      {"sampler_perf", {{"mean_env_wait_ms", 0.0123}, {"big", 1e16}, {"missing", nullptr}, {"zero", -0.0}}},
      {"episode_len_mean", std::numeric_limits<double>::quiet_NaN()},
      {"tags", {"yes", "1.5", "", "key: value", "#x", "- a", "a - b", "it's", "tab\there", "2021-03-11", "1e5", "ok?"}},
      {"nested", {Json::array({1, 2}), {{"a", 1}, {"b", {true, nullptr}}}, Json::array(), Json::object()}}};
  CHECK(rlpp::pretty_print(result) ==
        "custom_metrics: {}\n"
        "date: 2021-03-11_10-42-19\n"
        "done: false\n"
        "episode_len_mean: .nan\n"
        "episode_reward_max: 200.0\n"
        "episode_reward_mean: 145.3\n"
        "episode_reward_min: 20.0\n"
        "episodes_this_iter: 7\n"
        "experiment_tag: '0'\n"
        "info:\n"
        "  learner:\n"
        "    default_policy:\n"
        "      learner_stats:\n"
        "        cur_lr: 5.0e-05\n"
        "        total_loss: 0.5\n"
        "  num_steps_sampled: 24000\n"
        "nested:\n"
        "- - 1\n"
        "  - 2\n"
        "- a: 1\n"
        "  b:\n"
        "  - true\n"
        "  - null\n"
        "- []\n"
        "- {}\n"
        "sampler_perf:\n"
        "  big: 1.0e+16\n"
        "  mean_env_wait_ms: 0.0123\n"
        "  missing: null\n"
        "  zero: -0.0\n"
        "tags:\n"
        "- 'yes'\n"
        "- '1.5'\n"
        "- ''\n"
        "- 'key: value'\n"
        "- '#x'\n"
        "- '- a'\n"
        "- a - b\n"
        "- it's\n"
        "- \"tab\\there\"\n"
        "- '2021-03-11'\n"
        "- 1e5\n"
        "- ok?\n"
        "training_iteration: 12\n");
  CHECK(rlpp::pretty_print(Json::object()) == "{}\n");
  CHECK(rlpp::pretty_print({{"config", {{"lr", 1}}}}) == "{}\n");
}

TEST_CASE("progress_line shows one iteration on one line") {
  const Json result = {{"training_iteration", 12},        {"timesteps_total", 24000},
                       {"episode_reward_mean", 145.3},    {"episode_reward_min", 20.0},
                       {"episode_reward_max", 200.0},     {"episode_len_mean", 145.25},
                       {"time_this_iter_s", 1.2345},      {"timesteps_this_iter", 24000},
                       {"evaluation", {{"episode_reward_mean", 190.2}}}};
  // 24000 steps / 1.2345 s = 19441.08 steps/s
  CHECK(rlpp::progress_line(result) ==
        "iter 12 | ts 24000 | reward 145.3 (min 20 max 200) | len 145.2 | eval 190.2 | 1.23 s/iter | 19441 steps/s");

  SUBCASE("no episode finished yet: null or NaN rewards show as '-'") {
    Json early = result;
    early.erase("evaluation");
    early["episode_reward_mean"] = nullptr;
    early["episode_reward_min"] = std::numeric_limits<double>::quiet_NaN();
    early["episode_len_mean"] = std::numeric_limits<double>::quiet_NaN();
    CHECK(rlpp::progress_line(early) == "iter 12 | ts 24000 | reward - | len - | 1.23 s/iter | 19441 steps/s");
  }
  SUBCASE("missing keys are left out") {
    CHECK(rlpp::progress_line({{"training_iteration", 3}, {"episode_reward_mean", -1234.56}}) ==
          "iter 3 | reward -1235");
    CHECK(rlpp::progress_line({{"time_this_iter_s", 0.5}}) == "0.5 s/iter");
    CHECK(rlpp::progress_line({{"time_this_iter_s", 0.0}, {"timesteps_this_iter", 10}}) == "0 s/iter");
    CHECK(rlpp::progress_line(Json::object()).empty());
    CHECK(rlpp::progress_line(Json::array()).empty());
    CHECK(rlpp::progress_line({{"timesteps_total", "many"}}) == "ts -");
  }
}
