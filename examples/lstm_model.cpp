// The code of docs/nn.md "Layers": RLlib's model config {fcnet_hiddens: [64, 64],
// fcnet_activation: "tanh", use_lstm: true, lstm_cell_size: 32} for 4 observations and 2
// actions, one training step over padded sequences.
#include <cstdio>
#include <optional>
#include <vector>

#include <rlpp/autodiff/ops.hpp>
#include <rlpp/nn/layers/dense.hpp>
#include <rlpp/nn/layers/lstm.hpp>
#include <rlpp/nn/layers/mlp.hpp>
#include <rlpp/nn/optimizers/adam.hpp>

namespace ad = rlpp::ad;
namespace nn = rlpp::nn;

int main() {
  nn::Parameters params;
  rlpp::RandomStream rng(/*seed=*/42, /*worker=*/0, /*env=*/0, "model_init");
  const nn::MLP trunk(params, "fc", 4, {64, 64}, std::nullopt, nn::activation_from_name("tanh"), rng);
  const nn::LSTM lstm(params, "lstm", trunk.out_size(), 32, rng);
  const nn::Dense logits(params, "logits", 32, 2, rng, nn::Init::normc(0.01));
  nn::Adam adam(params.size());

  // B = 2 sequences padded to T = 3 steps, row b*T + t; the second has 1 valid step.
  ad::Matrix obs(2 * 3, 4);
  for (Eigen::Index i = 0; i < obs.size(); ++i) obs.data()[i] = static_cast<float>(rng.uniform(-1.0, 1.0));
  const std::vector<std::int32_t> seq_lens = {3, 1};

  ad::Tape tape;
  const auto p = nn::bind(tape, params);  // blocks -> tape leaves; gradients -> params.grads()
  tape.reset();
  const ad::Var x = tape.input(obs.data(), obs.rows(), obs.cols());
  const auto [features, h, c] = lstm.forward(p, trunk.forward(p, x), seq_lens);  // zero initial state
  const ad::Var loss = ad::mean(ad::square(logits.forward(p, features)));
  tape.backward(loss);
  adam.step(params.values(), params.grads(), 1e-3f);
  std::printf("%zu parameter blocks, %zu floats; loss %.3g; final h is %ldx%ld\n", params.blocks().size(),
              params.parameter_count(), loss.item(), static_cast<long>(h.rows()), static_cast<long>(h.cols()));
  return 0;
}
