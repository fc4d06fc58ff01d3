// Env steps per second: CartPole-v1 and Pendulum-v1, a single env and VectorEnv at 1, 16, 256
// and 4096 sub-envs with 1 and 2 threads, random actions (drawn before timing), auto-reset.
// The reference ceiling is a tight hand-written loop of the same CartPole dynamics; after the
// Google Benchmark table, every CartPole row is printed as a ratio of that ceiling.
//
//   build/release/benchmarks/env_throughput [--benchmark_min_time=0.5]
#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "rlpp/envs/classic_control/cartpole.hpp"
#include "rlpp/envs/classic_control/pendulum.hpp"
#include "rlpp/envs/vector_env.hpp"

namespace {

constexpr std::size_t kActionRing = 1 << 16;  // pre-drawn random actions, reused cyclically

template <class Env>
std::vector<rlpp::action_t<Env>> random_actions(std::size_t count) {
  rlpp::RandomStream rng(1234);
  const rlpp::Space space = Env().action_space();
  std::vector<rlpp::action_t<Env>> actions(count);
  std::vector<float> flat(space.flat_size());
  for (auto& action : actions) {
    space.sample(rng, flat);
    rlpp::read_flat(std::span<const float>(flat), action);
  }
  return actions;
}

// One env, stepped directly (what a hand-written training loop does), resetting at episode end.
template <class Env>
void single_env(benchmark::State& state) {
  Env env;
  const auto actions = random_actions<Env>(kActionRing);
  env.reset(1);
  std::size_t t = 0;
  for (auto _ : state) {
    auto result = env.step(actions[t++ & (kActionRing - 1)]);
    benchmark::DoNotOptimize(result.observation);
    if (result.terminated || result.truncated) env.reset(std::nullopt);
  }
  state.SetItemsProcessed(state.iterations());
}

// VectorEnv with N sub-envs on `threads` threads; checks on (the default) unless Checked is false.
template <class Env, bool Checked = true>
void vector_env(benchmark::State& state) {
  const auto num_envs = static_cast<std::size_t>(state.range(0));
  rlpp::VectorEnvOptions options;
  options.check_env = Checked;
  options.num_threads = static_cast<int>(state.range(1));
  options.seed = 1;
  rlpp::VectorEnv<Env> venv(num_envs, [](const rlpp::EnvContext&) { return Env(); }, options);
  const auto actions = random_actions<Env>(kActionRing + num_envs);
  venv.reset();
  std::size_t offset = 0;
  for (int warmup = 0; warmup < 8; ++warmup) venv.step(std::span(actions).subspan(0, num_envs));
  for (auto _ : state) {
    venv.step(std::span(actions).subspan(offset, num_envs));
    offset = (offset + 97) & (kActionRing - 1);
    benchmark::DoNotOptimize(venv.observations().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(num_envs));
  state.counters["grain"] = static_cast<double>(venv.grain());
}

// The reference ceiling: CartPole-v1's equations in a bare loop (float64 state, Euler
// integration, termination, uniform resets), no env abstraction, no checks.
void tight_cartpole(benchmark::State& state) {
  constexpr double gravity = 9.8, masscart = 1.0, masspole = 0.1, total_mass = masspole + masscart;
  constexpr double length = 0.5, polemass_length = masspole * length, force_mag = 10.0, tau = 0.02;
  constexpr double theta_threshold = 12 * 2 * M_PI / 360, x_threshold = 2.4;
  rlpp::RandomStream rng(1);
  const auto actions = random_actions<rlpp::CartPole>(kActionRing);
  double x = 0, x_dot = 0, theta = 0, theta_dot = 0;
  int steps = 0;
  auto reset = [&] {
    x = rng.uniform(-0.05, 0.05);
    x_dot = rng.uniform(-0.05, 0.05);
    theta = rng.uniform(-0.05, 0.05);
    theta_dot = rng.uniform(-0.05, 0.05);
    steps = 0;
  };
  reset();
  std::size_t t = 0;
  for (auto _ : state) {
    const double force = actions[t++ & (kActionRing - 1)] == 1 ? force_mag : -force_mag;
    const double costheta = std::cos(theta), sintheta = std::sin(theta);
    const double temp = (force + polemass_length * theta_dot * theta_dot * sintheta) / total_mass;
    const double thetaacc = (gravity * sintheta - costheta * temp) /
                            (length * (4.0 / 3.0 - masspole * costheta * costheta / total_mass));
    const double xacc = temp - polemass_length * thetaacc * costheta / total_mass;
    x += tau * x_dot;
    x_dot += tau * xacc;
    theta += tau * theta_dot;
    theta_dot += tau * thetaacc;
    std::array<float, 4> obs = {static_cast<float>(x), static_cast<float>(x_dot), static_cast<float>(theta),
                                static_cast<float>(theta_dot)};
    benchmark::DoNotOptimize(obs);
    ++steps;
    if (x < -x_threshold || x > x_threshold || theta < -theta_threshold || theta > theta_threshold || steps >= 500)
      reset();
  }
  state.SetItemsProcessed(state.iterations());
}

void vector_args(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (int n : {1, 16, 256, 4096}) b->Args({n, threads});
  b->ArgNames({"envs", "threads"});
}

BENCHMARK(tight_cartpole)->Name("CartPole/tight_loop");
BENCHMARK(single_env<rlpp::CartPole>)->Name("CartPole/single_env");
BENCHMARK(vector_env<rlpp::CartPole>)->Name("CartPole/VectorEnv")->Apply(vector_args)->UseRealTime();
BENCHMARK(vector_env<rlpp::CartPole, false>)->Name("CartPole/VectorEnv_unchecked")->Apply(vector_args)->UseRealTime();
BENCHMARK(single_env<rlpp::Pendulum>)->Name("Pendulum/single_env");
BENCHMARK(vector_env<rlpp::Pendulum>)->Name("Pendulum/VectorEnv")->Apply(vector_args)->UseRealTime();

// Collects steps/s per benchmark while the console reporter prints as usual.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) rates_[run.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void print_ratios() const {
    auto ceiling = rates_.find("CartPole/tight_loop");
    if (ceiling == rates_.end()) return;
    std::printf("\nenv steps/s relative to the tight CartPole loop (%.1f M steps/s):\n", ceiling->second / 1e6);
    for (const auto& [name, rate] : rates_)
      std::printf("  %-44s %9.2f M steps/s  %6.3fx\n", name.c_str(), rate / 1e6, rate / ceiling->second);
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
