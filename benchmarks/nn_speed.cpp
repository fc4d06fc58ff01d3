// MLP speed: forward only, and a training step (forward + MSE loss + backward + Adam), single
// thread, for 4→64→64→2 tanh and 17→256→256→6 relu at batch 1, 8, 64, 256, 2048, next to a
// hand-written Eigen forward+backward of the same net (the floor: no tape, no optimizer).
// After Google Benchmark's table, a summary prints µs per call with libtorch 1.13's figures on
// the same kind of machine (../shared/reference/peers.md) and the ratios.
//
//   build/release/benchmarks/nn_speed            (-march=native)
//   build/release/benchmarks/nn_speed_portable   (x86-64 baseline, SSE2)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/denormals.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/mlp.hpp"
#include "rlpp/nn/optimizers/adam.hpp"
#include "rlpp/nn/parameters.hpp"

namespace {

using rlpp::ad::Matrix;

struct NetShape {
  int in, hidden, out;
  bool relu;
  const char* name;
};
constexpr NetShape kSmall{4, 64, 2, false, "4-64-64-2_tanh"};
constexpr NetShape kLarge{17, 256, 6, true, "17-256-256-6_relu"};

Matrix random_matrix(rlpp::RandomStream& rng, Eigen::Index rows, Eigen::Index cols, double scale) {
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(rng.uniform(-scale, scale));
  return m;
}

// The model: rlpp's MLP layer (Dense layers in one contiguous Parameters vector).
struct Mlp {
  rlpp::nn::Parameters params;
  rlpp::nn::MLP net;
  explicit Mlp(const NetShape& s, rlpp::RandomStream rng = rlpp::RandomStream(7))
      : net(params, "fc", static_cast<std::size_t>(s.in), {static_cast<std::size_t>(s.hidden), static_cast<std::size_t>(s.hidden)},
            static_cast<std::size_t>(s.out), rlpp::nn::activation_from_name(s.relu ? "relu" : "tanh"), rng) {}
  // Trainable parameters (gradients into params.grads()) or frozen ones (forward only).
  rlpp::ad::Var forward(rlpp::ad::Tape& tape, rlpp::ad::Var x, bool trainable) {
    return trainable ? net.forward(rlpp::nn::bind(tape, params), x) : net.forward(rlpp::nn::bind_frozen(tape, params), x);
  }
};

template <const NetShape& S>
void rlpp_forward(benchmark::State& state) {
  const auto batch = state.range(0);
  Mlp net(S);
  rlpp::RandomStream rng(1);
  const Matrix x = random_matrix(rng, batch, S.in, 1.0);
  rlpp::ad::Tape tape;
  for (auto _ : state) {
    tape.reset();
    auto y = net.forward(tape, tape.input(x.data(), batch, S.in), false);
    benchmark::DoNotOptimize(y.node().value);
  }
}

template <const NetShape& S>
void rlpp_train(benchmark::State& state) {
  const auto batch = state.range(0);
  Mlp net(S);
  rlpp::nn::Adam adam(net.params.size());
  rlpp::RandomStream rng(1);
  const Matrix x = random_matrix(rng, batch, S.in, 1.0), target = random_matrix(rng, batch, S.out, 1.0);
  rlpp::ad::Tape tape;
  // Training the same batch again and again drives gradients and Adam's moments to subnormal
  // floats; learners flush them (set RLPP_KEEP_DENORMALS=1 to measure without).
  std::optional<rlpp::ScopedFlushDenormals> flush;
  if (!std::getenv("RLPP_KEEP_DENORMALS")) flush.emplace();
  for (auto _ : state) {
    tape.reset();
    auto y = net.forward(tape, tape.input(x.data(), batch, S.in), true);
    auto loss = rlpp::ad::mse(y, tape.input(target.data(), batch, S.out));
    tape.backward(loss);
    adam.step(net.params.values(), net.params.grads(), 1e-3f);
    benchmark::DoNotOptimize(net.params.values().data());
  }
}

// The floor: the same net's forward and backward written directly in Eigen (no optimizer).
template <const NetShape& S>
void eigen_floor(benchmark::State& state) {
  const auto batch = state.range(0);
  rlpp::RandomStream rng(1);
  Matrix w1 = random_matrix(rng, S.in, S.hidden, 0.3), w2 = random_matrix(rng, S.hidden, S.hidden, 0.1),
         w3 = random_matrix(rng, S.hidden, S.out, 0.1);
  Eigen::RowVectorXf b1 = Eigen::RowVectorXf::Zero(S.hidden), b2 = b1, b3 = Eigen::RowVectorXf::Zero(S.out);
  const Matrix x = random_matrix(rng, batch, S.in, 1.0), target = random_matrix(rng, batch, S.out, 1.0);
  Matrix h1(batch, S.hidden), h2(batch, S.hidden), y(batch, S.out), gy(batch, S.out), g2(batch, S.hidden),
      g1(batch, S.hidden), gw1(S.in, S.hidden), gw2(S.hidden, S.hidden), gw3(S.hidden, S.out);
  Eigen::RowVectorXf gb1(S.hidden), gb2(S.hidden), gb3(S.out);
  for (auto _ : state) {
    h1.noalias() = x * w1;
    h1.rowwise() += b1;
    h1 = S.relu ? Matrix(h1.array().max(0.0f)) : Matrix(h1.array().tanh());
    h2.noalias() = h1 * w2;
    h2.rowwise() += b2;
    h2 = S.relu ? Matrix(h2.array().max(0.0f)) : Matrix(h2.array().tanh());
    y.noalias() = h2 * w3;
    y.rowwise() += b3;
    gy = (y - target) * (2.0f / static_cast<float>(y.size()));
    gw3.noalias() = h2.transpose() * gy;
    gb3 = gy.colwise().sum();
    g2.noalias() = gy * w3.transpose();
    g2 = S.relu ? Matrix((h2.array() > 0.0f).select(g2.array(), 0.0f)) : Matrix(g2.array() * (1.0f - h2.array().square()));
    gw2.noalias() = h1.transpose() * g2;
    gb2 = g2.colwise().sum();
    g1.noalias() = g2 * w2.transpose();
    g1 = S.relu ? Matrix((h1.array() > 0.0f).select(g1.array(), 0.0f)) : Matrix(g1.array() * (1.0f - h1.array().square()));
    gw1.noalias() = x.transpose() * g1;
    gb1 = g1.colwise().sum();
    benchmark::DoNotOptimize(gw1.data());
    benchmark::DoNotOptimize(gb1.data());
  }
}

void batches(benchmark::internal::Benchmark* b) {
  for (int batch : {1, 8, 64, 256, 2048}) b->Arg(batch);
  b->ArgName("batch")->Unit(benchmark::kMicrosecond);
}

BENCHMARK(rlpp_forward<kSmall>)->Name("4-64-64-2_tanh/forward")->Apply(batches);
BENCHMARK(rlpp_train<kSmall>)->Name("4-64-64-2_tanh/train")->Apply(batches);
BENCHMARK(eigen_floor<kSmall>)->Name("4-64-64-2_tanh/eigen_floor")->Apply(batches);
BENCHMARK(rlpp_forward<kLarge>)->Name("17-256-256-6_relu/forward")->Apply(batches);
BENCHMARK(rlpp_train<kLarge>)->Name("17-256-256-6_relu/train")->Apply(batches);
BENCHMARK(eigen_floor<kLarge>)->Name("17-256-256-6_relu/eigen_floor")->Apply(batches);

// libtorch 1.13 (OpenBLAS, 1 thread), µs per call, from ../shared/reference/peers.md.
const std::map<std::string, std::vector<double>> kLibtorch = {
    {"4-64-64-2_tanh/forward", {9.2, 12.4, 34.4, 109, 812}},
    {"4-64-64-2_tanh/train", {157, 164, 202, 325, 1496}},
    {"17-256-256-6_relu/forward", {12.9, 36.8, 134, 409, 3094}},
    {"17-256-256-6_relu/train", {253, 317, 554, 1429, 11218}},
};

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs)
      if (run.run_type == Run::RT_Iteration) micros_[run.benchmark_name()] = run.GetAdjustedRealTime();
    ConsoleReporter::ReportRuns(runs);
  }
  void print_summary() const {
    std::printf("\n%-28s %6s %12s %12s %12s %10s %10s\n", "case", "batch", "rlpp us", "libtorch us", "floor us",
                "vs torch", "vs floor");
    const int sizes[] = {1, 8, 64, 256, 2048};
    for (const auto& [name, torch] : kLibtorch) {
      const std::string net = name.substr(0, name.find('/'));
      const bool train = name.find("train") != std::string::npos;
      for (int k = 0; k < 5; ++k) {
        const std::string suffix = "/batch:" + std::to_string(sizes[k]);
        auto it = micros_.find(name + suffix);
        if (it == micros_.end()) continue;
        auto floor = micros_.find(net + "/eigen_floor" + suffix);
        const double floor_us = floor != micros_.end() ? floor->second : 0.0;
        std::printf("%-28s %6d %12.2f %12.1f %12.2f %9.1fx %9.2fx\n", name.c_str(), sizes[k], it->second, torch[k],
                    train ? floor_us : 0.0, torch[k] / it->second, train && floor_us > 0 ? it->second / floor_us : 0.0);
      }
    }
  }

 private:
  std::map<std::string, double> micros_;
};

}  // namespace

int main(int argc, char** argv) {
  Eigen::setNbThreads(1);

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_summary();
  benchmark::Shutdown();
  return 0;
}
