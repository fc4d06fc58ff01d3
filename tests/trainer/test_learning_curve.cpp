#include <doctest/doctest.h>

#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "rlpp/core/json.hpp"
#include "rlpp/trainer/learning_curve.hpp"

namespace learning_curve_test {
namespace fs = std::filesystem;
using rlpp::Json;

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The points="..." attribute of the first polyline of class `name`, split into "x,y" pairs.
std::vector<std::string> polyline_points(const std::string& svg, const std::string& name) {
  const std::size_t line = svg.find("<polyline class=\"" + name + "\"");
  if (line == std::string::npos) return {};
  const std::size_t begin = svg.find("points=\"", line) + 8;
  const std::size_t end = svg.find('"', begin);
  std::vector<std::string> points;
  std::istringstream in(svg.substr(begin, end - begin));
  for (std::string p; in >> p;) points.push_back(p);
  return points;
}

Json curve_result(double timesteps, double reward) {
  return {{"timesteps_total", timesteps}, {"episode_reward_mean", reward}};
}

// Every '<' opens a tag that closes with '>'; every element is closed or self-closing.
bool tags_balance(const std::string& svg) {
  std::vector<std::string> open;
  for (std::size_t at = svg.find('<'); at != std::string::npos; at = svg.find('<', at + 1)) {
    const std::size_t end = svg.find('>', at);
    if (end == std::string::npos) return false;
    const std::string tag = svg.substr(at + 1, end - at - 1);
    if (tag.starts_with("?")) continue;
    if (tag.starts_with("/")) {
      if (open.empty() || open.back() != tag.substr(1)) return false;
      open.pop_back();
    } else if (!tag.ends_with("/")) {
      open.push_back(tag.substr(0, tag.find(' ')));
    }
  }
  return open.empty();
}
}  // namespace learning_curve_test

TEST_CASE("learning_curve_svg draws one polyline point per result and scales to nice ticks") {
  using namespace learning_curve_test;
  // Rewards 10..50 over 0..1000 steps: x ticks every 200 (1000 / 5), y ticks every 10 (40 / 5 = 8
  // rounds up to 10), so the axes span exactly [0, 1000] x [10, 50].
  const std::vector<Json> results{curve_result(0, 10), curve_result(250, 20), curve_result(500, 30),
                                  curve_result(750, 40), curve_result(1000, 50)};
  rlpp::LearningCurveOptions options;
  options.title = "PG on CartPole-v1";
  const std::string svg = rlpp::learning_curve_svg(results, options);
  CHECK(svg.starts_with("<?xml"));
  CHECK(tags_balance(svg));
  CHECK(svg.find(">PG on CartPole-v1</text>") != std::string::npos);
  CHECK(svg.find(">timesteps_total</text>") != std::string::npos);
  CHECK(svg.find(">episode_reward_mean</text>") != std::string::npos);
  const auto points = polyline_points(svg, "train");
  REQUIRE(points.size() == 5);
  // Plot area: x from 80 to 800 - 30 = 770, y from 480 - 60 = 420 (bottom) up to 50 (top).
  CHECK(points[0] == "80,420");
  CHECK(points[2] == "425,235");  // 80 + 0.5 * 690, 420 - 0.5 * 370
  CHECK(points[4] == "770,50");
  CHECK(occurrences(svg, "<polyline") == 1);  // no evaluation curve in these results
  CHECK(svg.find(">200</text>") != std::string::npos);  // an x tick label
  CHECK(svg.find(">1000</text>") != std::string::npos);
}

TEST_CASE("learning_curve_svg skips NaN and null rewards and draws the evaluation curve") {
  using namespace learning_curve_test;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Json> results{curve_result(100, nan), {{"timesteps_total", 200}, {"episode_reward_mean", nullptr}},
                            curve_result(300, 20), curve_result(400, 30)};
  results[3]["evaluation"] = {{"episode_reward_mean", 35}};
  const std::string svg = rlpp::learning_curve_svg(results);
  CHECK(polyline_points(svg, "train").size() == 2);
  CHECK(polyline_points(svg, "evaluation").size() == 1);
  CHECK(occurrences(svg, "<circle class=\"evaluation\"") == 1);  // a lone point is visible
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(tags_balance(svg));
}

TEST_CASE("learning_curve_svg handles a single point and no point at all") {
  using namespace learning_curve_test;
  const std::vector<Json> one{curve_result(4000, 21.5)};
  const std::string svg = rlpp::learning_curve_svg(one);
  const auto points = polyline_points(svg, "train");
  REQUIRE(points.size() == 1);
  CHECK(svg.find("<circle class=\"train\"") != std::string::npos);
  CHECK(tags_balance(svg));

  const std::vector<Json> none{curve_result(100, std::nan(""))};
  const std::string empty = rlpp::learning_curve_svg(none);
  CHECK(empty.find("no finished episodes yet") != std::string::npos);
  CHECK(empty.find("<polyline") == std::string::npos);
  CHECK(tags_balance(empty));
}

TEST_CASE("write_learning_curve reads a trial directory's result.json") {
  using namespace learning_curve_test;
  std::string pattern = (fs::temp_directory_path() / "rlpp_curve_XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  const fs::path dir = fs::path(pattern) / "PG_CartPole-v1_0_2021-03-11_10-42-19";
  fs::create_directories(dir);
  {
    std::ofstream(dir / "result.json") << curve_result(100, 10).dump() << "\n"
                                       << curve_result(200, 20).dump() << "\n{\"unfinished";
    std::ofstream(dir / "params.json") << R"({"env": "CartPole-v1"})";
  }
  const fs::path svg_path = rlpp::write_learning_curve(dir);
  CHECK(svg_path == dir / "learning_curve.svg");
  std::ifstream in(svg_path);
  const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(polyline_points(svg, "train").size() == 2);
  CHECK(svg.find(">PG on CartPole-v1</text>") != std::string::npos);
  CHECK_THROWS_AS(rlpp::write_learning_curve(fs::path(pattern) / "missing"), rlpp::Error);
  fs::remove_all(pattern);
}

TEST_CASE("nice_tick_step picks 1, 2 or 5 times a power of ten") {
  CHECK(rlpp::detail::nice_tick_step(1000) == 200);
  CHECK(rlpp::detail::nice_tick_step(40) == 10);
  CHECK(rlpp::detail::nice_tick_step(7) == 2);
  CHECK(rlpp::detail::nice_tick_step(0.3) == doctest::Approx(0.1));
}
