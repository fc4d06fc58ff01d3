#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "rlpp/nn/schedules.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp::nn;
using doctest::Approx;

TEST_CASE("ConstantSchedule is the same at every timestep") {
  const ConstantSchedule schedule(0.5);
  CHECK(schedule.value(0) == 0.5);
  CHECK(schedule.value(1e9) == 0.5);
}

TEST_CASE("PolynomialSchedule goes from initial_p to final_p along (1 - t/T)^power, then stays") {
  // T = 100, final 0.1, initial 1, power 2
  const PolynomialSchedule schedule(100, 0.1, 1.0, 2.0);
  CHECK(schedule.value(0) == 1.0);
  CHECK(schedule.value(50) == Approx(0.1 + 0.9 * 0.5 * 0.5));   // 0.325
  CHECK(schedule.value(90) == Approx(0.1 + 0.9 * 0.1 * 0.1));   // 0.109
  CHECK(schedule.value(100) == 0.1);
  CHECK(schedule.value(1000) == 0.1);
  CHECK_THROWS_AS(PolynomialSchedule(0, 0.1), rlpp::Error);
}

TEST_CASE("LinearSchedule is the power-1 polynomial") {
  // T = 100, from 1 to 0: t = 25 -> 0 + 1 * (1 - 0.25) = 0.75
  const LinearSchedule schedule(100, 0.0, 1.0);
  CHECK(schedule.value(25) == 0.75);
  CHECK(schedule.value(200) == 0.0);
  // RLlib's epsilon-greedy default: 1.0 -> 0.05 over 10000 steps; halfway 0.05 + 0.95 * 0.5
  CHECK(LinearSchedule(10000, 0.05).value(5000) == Approx(0.525));
}

TEST_CASE("ExponentialSchedule multiplies by decay_rate every T timesteps") {
  const ExponentialSchedule schedule(100, 2.0, 0.1);
  CHECK(schedule.value(0) == 2.0);
  CHECK(schedule.value(100) == Approx(2.0 * 0.1));
  CHECK(schedule.value(200) == Approx(2.0 * 0.01));
  CHECK(schedule.value(50) == Approx(2.0 * std::sqrt(0.1)));   // 0.632456
}

TEST_CASE("PiecewiseSchedule interpolates linearly between endpoints") {
  const PiecewiseSchedule schedule({{0, 1.0}, {10, 0.5}, {20, 0.5}, {30, 0.0}}, 0.0);
  CHECK(schedule.value(0) == 1.0);
  CHECK(schedule.value(5) == 1.0 + 0.5 * (0.5 - 1.0));     // 0.75
  CHECK(schedule.value(10) == 0.5);
  CHECK(schedule.value(15) == 0.5);
  CHECK(schedule.value(25) == 0.5 + 0.5 * (0.0 - 0.5));    // 0.25
}

TEST_CASE("PiecewiseSchedule outside the endpoints gives outside_value, or throws without one") {
  // RLlib's intervals are [l_t, r_t): the last endpoint itself is already outside.
  const PiecewiseSchedule with({{0, 1.0}, {10, 0.5}}, 7.0);
  CHECK(with.value(-1) == 7.0);
  CHECK(with.value(10) == 7.0);
  CHECK(with.value(11) == 7.0);
  const PiecewiseSchedule without({{0, 1.0}, {10, 0.5}});
  CHECK(without.value(9.5) == Approx(1.0 + 0.95 * (0.5 - 1.0)));
  CHECK_THROWS_AS(without.value(10), rlpp::Error);
}

TEST_CASE("PiecewiseSchedule needs ascending endpoints; equal timesteps are a jump") {
  CHECK_THROWS_AS(PiecewiseSchedule({{10, 1.0}, {5, 0.5}}), rlpp::Error);
  CHECK_THROWS_AS(PiecewiseSchedule({}), rlpp::Error);
  const PiecewiseSchedule jump({{0, 1.0}, {10, 1.0}, {10, 0.1}, {20, 0.1}}, 0.1);
  CHECK(jump.value(9) == 1.0);
  CHECK(jump.value(10) == 0.1);
}

TEST_CASE("Schedule holds any schedule; copies and value() do not allocate") {
  Schedule linear = LinearSchedule(100, 0.0, 1.0);
  Schedule constant = ConstantSchedule(3.0);
  Schedule zero;
  double sum = 0.0;
  const auto allocations = rlpp::test::count_allocations([&] {
    Schedule copy = linear;
    Schedule copy_of_constant = constant;
    sum = copy.value(50) + copy_of_constant(1) + zero.value(5);
  });
  CHECK(allocations == 0);
  CHECK(sum == 0.5 + 3.0 + 0.0);
}

namespace {
struct StepDown {  // a user's own schedule: 1 before t = 10, 0.5 after
  double value(double t) const { return t < 10 ? 1.0 : 0.5; }
};
}  // namespace

TEST_CASE("a user's type with value(t) is a schedule") {
  static_assert(schedule<StepDown>);
  const Schedule schedule = StepDown{};
  CHECK(schedule.value(3) == 1.0);
  CHECK(schedule.value(30) == 0.5);
}

TEST_CASE("lr_schedule_from_config: null is the constant lr") {
  const Schedule schedule = lr_schedule_from_config(nullptr, 5e-4);
  CHECK(schedule.value(0) == 5e-4);
  CHECK(schedule.value(1e7) == 5e-4);
}

TEST_CASE("lr_schedule_from_config interpolates the pairs and keeps the last value after them") {
  // [[0, 0.01], [100, 0.001]]: t = 50 -> 0.01 + 0.5 * (0.001 - 0.01) = 0.0055; then 0.001.
  const auto config = rlpp::Json::parse("[[0, 0.01], [100, 0.001]]");
  const Schedule schedule = lr_schedule_from_config(config, 0.5);  // lr is not used
  CHECK(schedule.value(0) == 0.01);
  CHECK(schedule.value(50) == Approx(0.0055));
  CHECK(schedule.value(100) == 0.001);
  CHECK(schedule.value(1e6) == 0.001);
}

TEST_CASE("a malformed lr_schedule is a ConfigError naming the entry") {
  auto where = [](const char* text) {
    try {
      lr_schedule_from_config(rlpp::Json::parse(text), 0.1);
    } catch (const rlpp::ConfigError& e) {
      return e.where();
    }
    return std::string("no error");
  };
  CHECK(where(R"("fast")") == "config.lr_schedule");
  CHECK(where("[]") == "config.lr_schedule");
  CHECK(where("[[0, 0.1], [5]]") == "config.lr_schedule[1]");
  CHECK(where(R"([[0, "x"]])") == "config.lr_schedule[0]");
  CHECK(where("[[10, 0.1], [5, 0.2]]") == "config.lr_schedule[1]");
  CHECK_THROWS_WITH_AS(lr_schedule_from_config(rlpp::Json::parse("[[0, 1], 2]"), 0.1, "config.entropy_coeff_schedule"),
                       doctest::Contains("config.entropy_coeff_schedule[1]"), rlpp::ConfigError);
}
