// Recording again after reset() reuses the tape's buffers: the same training step allocates
// nothing on the heap, and a bigger one allocates only the first time it is bigger.
// (Counted at the malloc level. Eigen's own GEMM would malloc its packing buffers above 128 KiB
// on every product; rlpp's products use a per-thread workspace instead: see the 256-wide case.)

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "autodiff_support.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp::ad;
using rlpp::RandomStream;
using rlpp::test::count_allocations;

namespace {
// A two-layer policy network whose parameters live outside the tape, as in a model.
struct Mlp {
  static constexpr Eigen::Index obs_size = 6, hidden = 32, actions = 4;
  std::vector<float> w1, b1, w2, b2, dw1, db1, dw2, db2;
  explicit Mlp(RandomStream& rng) {
    for (Eigen::Index i = 0; i < obs_size * hidden; ++i) w1.push_back(rng.uniform_float() - 0.5f);
    for (Eigen::Index i = 0; i < hidden; ++i) b1.push_back(rng.uniform_float() - 0.5f);
    for (Eigen::Index i = 0; i < hidden * actions; ++i) w2.push_back(rng.uniform_float() - 0.5f);
    for (Eigen::Index i = 0; i < actions; ++i) b2.push_back(rng.uniform_float() - 0.5f);
    dw1.resize(w1.size());
    db1.resize(b1.size());
    dw2.resize(w2.size());
    db2.resize(b2.size());
  }
};

struct Batch {
  Eigen::Index size;
  std::vector<float> obs;
  std::vector<std::int64_t> actions;
  Batch(RandomStream& rng, Eigen::Index n) : size(n) {
    for (Eigen::Index i = 0; i < n * Mlp::obs_size; ++i) obs.push_back(rng.uniform_float() * 2 - 1);
    for (Eigen::Index i = 0; i < n; ++i) actions.push_back(static_cast<std::int64_t>(rng.below(Mlp::actions)));
  }
};

// One policy-gradient step: -mean(log pi(a | s)) through linear, tanh, linear, log_softmax,
// gather, mean; plus `entropy_terms` copies of an entropy bonus (more nodes, same sizes).
float train_step(Tape& tape, Mlp& m, const Batch& batch, int entropy_terms = 0) {
  tape.reset();
  const Var obs = tape.input(batch.obs.data(), batch.size, Mlp::obs_size);
  const Var w1 = tape.parameter(m.w1.data(), m.dw1.data(), Mlp::obs_size, Mlp::hidden);
  const Var b1 = tape.parameter(m.b1.data(), m.db1.data(), 1, Mlp::hidden);
  const Var w2 = tape.parameter(m.w2.data(), m.dw2.data(), Mlp::hidden, Mlp::actions);
  const Var b2 = tape.parameter(m.b2.data(), m.db2.data(), 1, Mlp::actions);
  const Var logp = log_softmax(linear(tanh(linear(obs, w1, b1)), w2, b2));
  Var loss = -mean(gather(logp, batch.actions));
  for (int i = 0; i < entropy_terms; ++i) loss = loss + 0.01f * mean(row_sum(exp(logp) * logp));
  tape.backward(loss);
  return loss.item();
}
}  // namespace

TEST_CASE("after one warm-up, reset() and the same recording plus backward allocate nothing") {
  RandomStream rng(1);
  Mlp mlp(rng);
  const Batch batch(rng, 32);
  Tape tape;
  const float first = train_step(tape, mlp, batch);
  const std::vector<float> first_dw1 = mlp.dw1;
  float loss = 0;
  CHECK(count_allocations([&] { loss = train_step(tape, mlp, batch); }) == 0);
  CHECK(count_allocations([&] {
          for (int i = 0; i < 10; ++i) loss = train_step(tape, mlp, batch);
        }) == 0);
  // The reused buffers give the same numbers.
  CHECK(loss == first);
  CHECK(mlp.dw1 == first_dw1);
}

TEST_CASE("a bigger recording allocates the first time only, and the smaller one still allocates nothing") {
  RandomStream rng(2);
  Mlp mlp(rng);
  const Batch small(rng, 16), large(rng, 1024);
  Tape tape;
  train_step(tape, mlp, small);
  CHECK(count_allocations([&] { train_step(tape, mlp, small); }) == 0);
  // 1024 x 32 hidden activations and their gradients outgrow the arena's first chunk.
  CHECK(count_allocations([&] { train_step(tape, mlp, large); }) > 0);
  CHECK(count_allocations([&] { train_step(tape, mlp, large); }) == 0);
  CHECK(count_allocations([&] { train_step(tape, mlp, small); }) == 0);
  // Many more nodes (6 per entropy term): the node list grows once.
  CHECK(count_allocations([&] { train_step(tape, mlp, small, 20); }) > 0);
  CHECK(count_allocations([&] {
          train_step(tape, mlp, small, 20);
          train_step(tape, mlp, small, 3);
          train_step(tape, mlp, small);
        }) == 0);
}

TEST_CASE("an unchanged recording gives the same gradients as a fresh tape") {
  RandomStream rng(3);
  Mlp mlp(rng);
  const Batch batch(rng, 8), other(rng, 64);
  Tape reused;
  train_step(reused, mlp, other, 2);
  train_step(reused, mlp, batch);
  const std::vector<float> reused_dw2 = mlp.dw2;
  Tape fresh;
  train_step(fresh, mlp, batch);
  CHECK(mlp.dw2 == reused_dw2);
}

TEST_CASE("256-wide layers at batch 256 (blocked GEMM) and batch 1 (GEMV) allocate nothing after warm-up") {
 for (const Eigen::Index batch : {Eigen::Index{256}, Eigen::Index{1}}) {
  CAPTURE(batch);
  RandomStream rng(9);
  const Eigen::Index in = 17, hidden = 256, out = 6;
  auto fill = [&](Eigen::Index n) {
    std::vector<float> v(static_cast<std::size_t>(n));
    for (auto& x : v) x = rng.uniform_float() - 0.5f;
    return v;
  };
  std::vector<float> x = fill(batch * in), target = fill(batch * out);
  std::vector<float> w1 = fill(in * hidden), b1 = fill(hidden), w2 = fill(hidden * hidden), b2 = fill(hidden),
                     w3 = fill(hidden * out), b3 = fill(out);
  std::vector<float> g1(w1.size()), gb1(b1.size()), g2(w2.size()), gb2(b2.size()), g3(w3.size()), gb3(b3.size());
  Tape tape;
  auto step = [&] {
    tape.reset();
    const Var X = tape.input(x.data(), batch, in);
    Var h = relu(linear(X, tape.parameter(w1.data(), g1.data(), in, hidden), tape.parameter(b1.data(), gb1.data(), 1, hidden)));
    h = relu(linear(h, tape.parameter(w2.data(), g2.data(), hidden, hidden), tape.parameter(b2.data(), gb2.data(), 1, hidden)));
    const Var y = linear(h, tape.parameter(w3.data(), g3.data(), hidden, out), tape.parameter(b3.data(), gb3.data(), 1, out));
    tape.backward(mse(y, tape.input(target.data(), batch, out)));
  };
  step();
  CHECK(count_allocations([&] {
          for (int i = 0; i < 3; ++i) step();
        }) == 0);
 }
}
