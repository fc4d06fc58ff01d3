// Fits a small MLP to a noisy 1-D function with Adam, printing the loss curve: rlpp's autodiff,
// layers, optimizer, learning-rate schedule, gradient clipping and parameter files together.
//
//   build/release/examples/regression
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <rlpp/autodiff/ops.hpp>
#include <rlpp/core/denormals.hpp>
#include <rlpp/core/rng.hpp>
#include <rlpp/nn/grad_clip.hpp>
#include <rlpp/nn/layers/mlp.hpp>
#include <rlpp/nn/optimizers/adam.hpp>
#include <rlpp/nn/schedules.hpp>
#include <rlpp/nn/serialization.hpp>

namespace ad = rlpp::ad;
namespace nn = rlpp::nn;

double target_function(double x) { return std::sin(3.0 * x) + 0.5 * x * x; }

int main() {
  constexpr int samples = 256, steps = 2000;
  rlpp::RandomStream data_rng(1, 0, 0, "data");
  std::vector<float> xs(samples), ys(samples);
  for (int i = 0; i < samples; ++i) {
    const double x = data_rng.uniform(-2.0, 2.0);
    xs[i] = static_cast<float>(x);
    ys[i] = static_cast<float>(target_function(x) + 0.1 * data_rng.normal());  // noise std 0.1
  }

  nn::Parameters params;
  rlpp::RandomStream init_rng(1, 0, 0, "model_init");
  const nn::MLP model(params, "fc", 1, {64, 64}, 1, nn::activation_from_name("tanh"), init_rng,
                      {.hidden = nn::Init::xavier_uniform(1.0), .output = nn::Init::xavier_uniform(1.0)});
  nn::Adam adam(params.size());
  const nn::LinearSchedule lr(steps, /*final_p=*/1e-4, /*initial_p=*/1e-2);  // annealed

  rlpp::ScopedFlushDenormals flush;  // as learners do
  ad::Tape tape;
  const auto bound = nn::bind(tape, params);
  float loss_value = 0;
  for (int step = 0; step <= steps; ++step) {
    tape.reset();
    const ad::Var x = tape.input(xs.data(), samples, 1);
    const ad::Var loss = ad::mse(model.forward(bound, x), tape.input(ys.data(), samples, 1));
    tape.backward(loss);
    const float grad_norm = nn::clip_grad_norm(params.grads(), 10.0f);
    adam.step(params.values(), params.grads(), static_cast<float>(lr.value(step)));
    loss_value = loss.item();
    if (step % 200 == 0)
      std::printf("step %5d  loss %.5f  grad norm %7.4f  lr %.5f\n", step, loss_value, grad_norm, lr.value(step));
  }

  // Save, reload into a fresh model, and check the predictions agree exactly.
  const auto path = std::filesystem::temp_directory_path() / "rlpp_regression.params";
  nn::save_parameters(path, params, adam);
  nn::Parameters restored_params;
  rlpp::RandomStream other_rng(99);
  const nn::MLP restored(restored_params, "fc", 1, {64, 64}, 1, nn::activation_from_name("tanh"), other_rng);
  nn::load_parameters(path, restored_params);
  std::filesystem::remove(path);
  tape.reset();
  const float probe = 0.5f;
  const float a = model.forward(nn::bind_frozen(tape, params), tape.input(&probe, 1, 1)).item();
  const float b = restored.forward(nn::bind_frozen(tape, restored_params), tape.input(&probe, 1, 1)).item();
  std::printf("f(0.5) = %.4f, model %.4f, restored model %.4f\n", target_function(0.5), a, b);

  // The noise has variance 0.01: a good fit ends near it.
  const bool ok = loss_value < 0.02f && a == b;
  std::printf("final loss %.5f (noise variance 0.01): %s\n", loss_value, ok ? "fit" : "NOT FIT");
  return ok ? 0 : 1;
}
