// A whole training step — forward through MLP/LSTM layers, loss, backward, gradient clipping,
// learning-rate schedule and Adam — allocates nothing on the heap after the first step
// (counted at the malloc level), and repeats bit for bit from the same state.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/grad_clip.hpp"
#include "rlpp/nn/layers/dense.hpp"
#include "rlpp/nn/layers/lstm.hpp"
#include "rlpp/nn/layers/mlp.hpp"
#include "rlpp/nn/optimizers/adam.hpp"
#include "rlpp/nn/schedules.hpp"
#include "support/allocation_counter.hpp"

namespace ad = rlpp::ad;
namespace nn = rlpp::nn;

namespace {
std::vector<float> uniform_values(rlpp::RandomStream& rng, std::size_t n) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.uniform(-1.0, 1.0));
  return v;
}
}  // namespace

TEST_CASE("a PPO-sized MLP training step allocates nothing after warm-up") {
  for (const std::size_t hidden : {std::size_t{64}, std::size_t{256}}) {
    CAPTURE(hidden);
    rlpp::RandomStream rng(5);
    nn::Parameters params;
    const nn::MLP policy(params, "pi", 4, {hidden, hidden}, 2, nn::activation_from_name("tanh"), rng);
    const nn::MLP value(params, "vf", 4, {hidden, hidden}, 1, nn::activation_from_name("tanh"), rng);
    nn::Adam adam(params.size());
    const nn::LinearSchedule lr(1000, 1e-5, 3e-4);
    const std::int64_t batch = 128;
    const std::vector<float> obs = uniform_values(rng, batch * 4), returns = uniform_values(rng, batch);
    std::vector<std::int64_t> actions(batch);
    for (auto& a : actions) a = static_cast<std::int64_t>(rng.below(2));
    ad::Tape tape;
    const auto p = nn::bind(tape, params);
    int t = 0;
    auto step = [&] {
      tape.reset();
      const ad::Var x = tape.input(obs.data(), batch, 4);
      const ad::Var logp = ad::gather(ad::log_softmax(policy.forward(p, x)), actions);
      const ad::Var v = value.forward(p, x);
      const ad::Var target = tape.input(returns.data(), batch, 1);
      const ad::Var advantage = ad::stop_gradient(target - v);
      const ad::Var loss = -ad::mean(logp * advantage) + 0.5f * ad::mse(v, target);
      tape.backward(loss);
      nn::clip_grad_norm(params.grads(), 0.5f);
      adam.step(params.values(), params.grads(), static_cast<float>(lr.value(t++)));
      return loss.item();
    };
    step();
    CHECK(rlpp::test::count_allocations([&] {
            for (int i = 0; i < 5; ++i) step();
          }) == 0);
  }
}

TEST_CASE("an LSTM training step over padded sequences allocates nothing after warm-up") {
  rlpp::RandomStream rng(6);
  nn::Parameters params;
  const nn::LSTM lstm(params, "lstm", 3, 32, rng);
  const nn::Dense head(params, "head", 32, 1, rng, nn::Init::normc(0.01));
  nn::Adam adam(params.size());
  const std::int64_t sequences = 8, max_len = 20;
  const std::vector<float> x = uniform_values(rng, sequences * max_len * 3), y = uniform_values(rng, sequences * max_len);
  const std::vector<std::int32_t> seq_lens = {20, 5, 1, 13, 20, 7, 2, 19};
  ad::Tape tape;
  const auto p = nn::bind(tape, params);
  auto step = [&] {
    tape.reset();
    const auto out = lstm.forward(p, tape.input(x.data(), sequences * max_len, 3), seq_lens);
    tape.backward(ad::mse(head.forward(p, out.outputs), tape.input(y.data(), sequences * max_len, 1)));
    adam.step(params.values(), params.grads(), 1e-3f);
  };
  step();
  CHECK(rlpp::test::count_allocations([&] {
          for (int i = 0; i < 3; ++i) step();
        }) == 0);
}

TEST_CASE("training is deterministic: the same seed and data give bit-identical parameters") {
  auto train = [] {
    rlpp::RandomStream rng(11);
    nn::Parameters params;
    const nn::MLP net(params, "fc", 3, {32, 32}, 2, nn::activation_from_name("relu"), rng);
    nn::Adam adam(params.size());
    const std::vector<float> x = uniform_values(rng, 64 * 3), y = uniform_values(rng, 64 * 2);
    ad::Tape tape;
    const auto p = nn::bind(tape, params);
    for (int i = 0; i < 50; ++i) {
      tape.reset();
      tape.backward(ad::mse(net.forward(p, tape.input(x.data(), 64, 3)), tape.input(y.data(), 64, 2)));
      adam.step(params.values(), params.grads(), 1e-3f);
    }
    return params.get_weights();
  };
  CHECK(train() == train());
}
