// nn::LSTMCell and nn::LSTM (RLlib's use_lstm): torch.nn.LSTM's step, padded sequences in
// RLlib's batch-major layout, masking by seq_lens, gradients, allocation, and a learning run.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/autodiff/ops/rows.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/dense.hpp"
#include "rlpp/nn/layers/lstm.hpp"
#include "rlpp/nn/optimizers/adam.hpp"
#include "rlpp/nn/parameters.hpp"
#include "support/allocation_counter.hpp"
#include "test_layers_support.hpp"

namespace ad = rlpp::ad;
namespace nn = rlpp::nn;
using rlpp::RandomStream;
using rlpp::test::check_layer_gradients;
using rlpp::test::random_matrix;

static_assert(nn::layer<nn::LSTMCell> == false);  // three inputs: not a plain x -> y layer

namespace {
double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// The LSTM over padded sequences written the slow way: each sequence on its own, one
// LSTMCell step at a time, rows picked out one by one; padded output rows are zero constants.
template <class T>
nn::LSTMOutput<T> reference_lstm(const nn::LSTM& lstm, const nn::ParameterBinding<T>& p, ad::BasicVar<T> x,
                                 const std::vector<std::int32_t>& seq_lens, ad::BasicVar<T> h0, ad::BasicVar<T> c0) {
  ad::BasicTape<T>& tape = x.tape();
  const auto batch = static_cast<Eigen::Index>(seq_lens.size());
  const Eigen::Index steps = x.rows() / batch;
  const auto hidden = static_cast<Eigen::Index>(lstm.hidden_size());
  std::vector<ad::BasicVar<T>> outputs, hs, cs;
  for (Eigen::Index b = 0; b < batch; ++b) {
    ad::BasicVar<T> h = ad::rows(h0, b, 1), c = ad::rows(c0, b, 1);
    for (Eigen::Index t = 0; t < steps; ++t) {
      if (t < seq_lens[static_cast<std::size_t>(b)]) {
        const auto state = lstm.cell().forward(p, ad::rows(x, b * steps + t, 1), h, c);
        h = state.h;
        c = state.c;
        outputs.push_back(h);
      } else {
        outputs.push_back(tape.constant(ad::BasicMatrix<T>::Zero(1, hidden)));
      }
    }
    hs.push_back(h);
    cs.push_back(c);
  }
  return {ad::vstack(outputs), ad::vstack(hs), ad::vstack(cs)};
}

// Everything LSTM::forward returns, in one value: [outputs; h; c].
template <class T>
ad::BasicVar<T> all_of(const nn::LSTMOutput<T>& out) {
  return ad::vstack({out.outputs, out.h, out.c});
}

// Runs `lstm` and `reference_lstm` in double on the same inputs and loss, and compares values
// and the gradients of x and of every parameter.
void check_against_reference(const nn::Parameters& params, const nn::LSTM& lstm, const ad::MatrixD& x,
                             const std::vector<std::int32_t>& seq_lens, const ad::MatrixD& h0, const ad::MatrixD& c0) {
  ad::MatrixD values[2], x_grads[2];
  std::vector<double> param_grads[2];
  for (int run = 0; run < 2; ++run) {
    ad::TapeD tape;
    std::vector<double> v = nn::values_as<double>(params);
    param_grads[run].assign(v.size(), 0.0);
    nn::ParameterBinding<double> p(tape, params.blocks(), v.data(), param_grads[run].data());
    const ad::VarD xv = tape.variable(x);
    const ad::VarD h = tape.constant(h0), c = tape.constant(c0);
    const ad::VarD y = run == 0 ? all_of(lstm.forward(p, xv, seq_lens, h, c)) : all_of(reference_lstm(lstm, p, xv, seq_lens, h, c));
    tape.backward(ad::sum(y * tape.constant(random_matrix(y.rows(), y.cols(), 31))));
    values[run] = y.value();
    x_grads[run] = xv.grad();
  }
  CHECK((values[0] - values[1]).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((x_grads[0] - x_grads[1]).cwiseAbs().maxCoeff() < 1e-12);
  double worst = 0.0;
  for (std::size_t i = 0; i < param_grads[0].size(); ++i) worst = std::max(worst, std::abs(param_grads[0][i] - param_grads[1][i]));
  CHECK(worst < 1e-12);
}
}  // namespace

// ---- LSTMCell --------------------------------------------------------------------------------

TEST_CASE("LSTMCell computes torch.nn.LSTM's step with one fused weight over [x h]") {
  nn::Parameters params;
  RandomStream rng(1);
  const nn::LSTMCell cell(params, "lstm", 1, 1, rng);
  CHECK(params.block(cell.weight()).name == "lstm.weight");
  CHECK(params.block(cell.weight()).rows == 2);  // in + hidden
  CHECK(params.block(cell.weight()).cols == 4);  // gates i, f, g, o
  params.value(cell.weight()) << 0.5f, -0.4f, 0.3f, 0.2f,  // the row that multiplies x
      0.1f, 0.6f, -0.7f, 0.8f;                              // the row that multiplies h
  params.value(cell.bias()) << 0.1f, 0.2f, 0.3f, 0.4f;
  ad::TapeD tape;
  std::vector<double> values = nn::values_as<double>(params);
  nn::ParameterBinding<double> p(tape, params.blocks(), values.data(), nullptr);
  const auto scalar = [&](double v) { return tape.constant(ad::MatrixD::Constant(1, 1, v)); };
  const auto state = cell.forward(p, scalar(0.3), scalar(-0.2), scalar(0.5));
  // z = 0.3 * row_x - 0.2 * row_h + b
  const double z_i = 0.3 * 0.5 - 0.2 * 0.1 + 0.1;    // 0.23
  const double z_f = 0.3 * -0.4 - 0.2 * 0.6 + 0.2;   // -0.04
  const double z_g = 0.3 * 0.3 - 0.2 * -0.7 + 0.3;   // 0.53
  const double z_o = 0.3 * 0.2 - 0.2 * 0.8 + 0.4;    // 0.30
  const double c_next = sigmoid(z_f) * 0.5 + sigmoid(z_i) * std::tanh(z_g);
  const double h_next = sigmoid(z_o) * std::tanh(c_next);
  // The float parameters were rounded once; compare at float precision.
  CHECK(state.c.item() == doctest::Approx(c_next).epsilon(1e-6));
  CHECK(state.h.item() == doctest::Approx(h_next).epsilon(1e-6));
}

TEST_CASE("LSTMCell initializes like torch.nn.LSTM: U(-1/sqrt(hidden), 1/sqrt(hidden))") {
  nn::Parameters params;
  RandomStream rng(2);
  const nn::LSTMCell cell(params, "lstm", 5, 16, rng);
  const float bound = 1.0f / 4.0f;
  CHECK(params.value(cell.weight()).rows() == 21);
  CHECK(params.value(cell.weight()).cols() == 64);
  CHECK(params.value(cell.weight()).cwiseAbs().maxCoeff() <= bound);
  CHECK(params.value(cell.weight()).cwiseAbs().maxCoeff() > 0.9f * bound);  // the whole range is used
  CHECK(params.value(cell.bias()).cwiseAbs().maxCoeff() <= bound);
  CHECK_FALSE(params.value(cell.bias()).isZero());
  SUBCASE("or as asked: e.g. orthogonal weights and a forget-gate bias of one") {
    nn::Parameters other;
    const nn::LSTMCell custom(other, "lstm", 5, 16, rng, nn::Init::orthogonal(), nn::Init::zeros());
    other.value(custom.bias()).middleCols(16, 16).setOnes();
    const nn::Matrix w = other.value(custom.weight());
    CHECK((w * w.transpose()).isApprox(nn::Matrix::Identity(21, 21), 1e-5f));
    CHECK(other.value(custom.bias()).sum() == 16.0f);
  }
}

TEST_CASE("LSTMCell passes gradcheck w.r.t. x, h, c and its parameters") {
  nn::Parameters params;
  RandomStream rng(3);
  const nn::LSTMCell cell(params, "lstm", 2, 4, rng, nn::Init::normc(1.0), nn::Init::uniform(0.5));
  std::vector<ad::MatrixD> inputs = {random_matrix(3, 2, 4), random_matrix(3, 4, 5), random_matrix(3, 4, 6)};
  for (auto& block : nn::block_values<double>(params)) inputs.push_back(block);
  const auto result = ad::gradcheck(
      [&](ad::TapeD& tape, std::span<const ad::VarD> in) {
        nn::ParameterBinding<double> p(tape, params.blocks(), in.subspan(3));
        const auto state = cell.forward(p, in[0], in[1], in[2]);
        return ad::sum(ad::concat(state.h, state.c) * tape.constant(random_matrix(3, 8, 7)));
      },
      inputs);
  CHECK_MESSAGE(result.ok, result.worst);
  // The float path over the Parameters agrees with double (h and c fixed).
  const ad::MatrixD h = random_matrix(3, 4, 5), c = random_matrix(3, 4, 6);
  check_layer_gradients(params, random_matrix(3, 2, 4), [&](auto& p, auto x) {
    const auto state = cell.forward(p, x, x.tape().constant(h), x.tape().constant(c));
    return ad::concat(state.h, state.c);
  });
}

// ---- LSTM over padded sequences --------------------------------------------------------------

TEST_CASE("LSTM equals the cell run sequence by sequence, in values and gradients") {
  nn::Parameters params;
  RandomStream rng(8);
  const nn::LSTM lstm(params, "lstm", 2, 3, rng);
  SUBCASE("full and partial sequences, one of length zero") {
    check_against_reference(params, lstm, random_matrix(4 * 5, 2, 9), {5, 3, 1, 0}, random_matrix(4, 3, 10),
                            random_matrix(4, 3, 11));
  }
  SUBCASE("every sequence full") {
    check_against_reference(params, lstm, random_matrix(2 * 3, 2, 12), {3, 3}, random_matrix(2, 3, 13),
                            random_matrix(2, 3, 14));
  }
  SUBCASE("more than 64 steps (the stack buffer folds)") {
    check_against_reference(params, lstm, random_matrix(2 * 150, 2, 15), {150, 131}, random_matrix(2, 3, 16),
                            random_matrix(2, 3, 17));
  }
  SUBCASE("one step per sequence (inference on a batch of envs)") {
    check_against_reference(params, lstm, random_matrix(5, 2, 18), {1, 1, 1, 1, 1}, random_matrix(5, 3, 19),
                            random_matrix(5, 3, 20));
  }
}

TEST_CASE("LSTM masks padding: zero outputs, final state at the last valid step, padded inputs change nothing") {
  nn::Parameters params;
  RandomStream rng(21);
  const nn::LSTM lstm(params, "lstm", 3, 4, rng);
  const std::vector<std::int32_t> seq_lens = {2, 4, 1};
  const Eigen::Index batch = 3, steps = 4;
  ad::Matrix x = random_matrix(batch * steps, 3, 22).cast<float>();
  const ad::Matrix h0 = random_matrix(batch, 4, 23).cast<float>(), c0 = random_matrix(batch, 4, 24).cast<float>();
  const ad::Matrix r = random_matrix(batch * steps + 2 * batch, 4, 25).cast<float>();

  struct Run {
    ad::Matrix outputs, h, c, x_grad, h0_grad;
    std::vector<float> grads;
  };
  const auto run = [&](const ad::Matrix& input) {
    ad::Tape tape;
    auto p = nn::bind(tape, params);
    const ad::Var xv = tape.variable(input);
    const ad::Var h0v = tape.variable(h0);  // a variable, to see that no gradient reaches it
    const auto out = lstm.forward(p, xv, seq_lens, h0v, tape.constant(c0));
    tape.backward(ad::sum(all_of(out) * tape.constant(r)));
    const auto g = params.grads();
    return Run{out.outputs.value(), out.h.value(), out.c.value(), xv.grad(), h0v.grad(), {g.begin(), g.end()}};
  };
  const Run base = run(x);

  // Padded rows of the outputs are zero: rows b*T + t for t >= seq_lens[b].
  for (Eigen::Index b = 0; b < batch; ++b)
    for (Eigen::Index t = 0; t < steps; ++t) {
      CAPTURE(b);
      CAPTURE(t);
      CHECK(base.outputs.row(b * steps + t).isZero() == (t >= seq_lens[static_cast<std::size_t>(b)]));
    }
  // The final h is the output at each sequence's last valid step.
  for (Eigen::Index b = 0; b < batch; ++b)
    CHECK(base.h.row(b) == base.outputs.row(b * steps + seq_lens[static_cast<std::size_t>(b)] - 1));
  // Truncated BPTT: the initial state gets no gradient.
  CHECK(base.h0_grad.isZero());

  // Garbage in the padded rows changes nothing, gradients included.
  for (Eigen::Index b = 0; b < batch; ++b)
    for (Eigen::Index t = seq_lens[static_cast<std::size_t>(b)]; t < steps; ++t) x.row(b * steps + t).setConstant(1e3f);
  const Run padded = run(x);
  CHECK(padded.outputs == base.outputs);
  CHECK(padded.h == base.h);
  CHECK(padded.c == base.c);
  CHECK(padded.grads == base.grads);
  CHECK(padded.x_grad == base.x_grad);
  for (Eigen::Index b = 0; b < batch; ++b)
    for (Eigen::Index t = seq_lens[static_cast<std::size_t>(b)]; t < steps; ++t) CHECK(base.x_grad.row(b * steps + t).isZero());
}

TEST_CASE("LSTM passes gradcheck w.r.t. its input and parameters with seq_lens shorter than T") {
  nn::Parameters params;
  RandomStream rng(26);
  const nn::LSTM lstm(params, "lstm", 2, 3, rng, nn::Init::normc(1.0), nn::Init::uniform(0.5));
  const std::vector<std::int64_t> seq_lens = {4, 2, 1, 0};  // int64 lengths work as well as int32
  const ad::MatrixD h0 = random_matrix(4, 3, 27), c0 = random_matrix(4, 3, 28);
  check_layer_gradients(params, random_matrix(4 * 4, 2, 29), [&](auto& p, auto x) {
    return all_of(lstm.forward(p, x, seq_lens, x.tape().constant(h0), x.tape().constant(c0)));
  });
}

TEST_CASE("LSTM starts from zeros without an initial state, and checks its inputs") {
  nn::Parameters params;
  RandomStream rng(30);
  const nn::LSTM lstm(params, "policy.lstm", 2, 3, rng);
  ad::Tape tape;
  auto p = nn::bind(tape, params);
  const ad::Var x = tape.constant(random_matrix(6, 2, 31).cast<float>());
  const std::vector<std::int32_t> lens = {3, 2};
  const auto zero_state = lstm.initial_state(tape, 2);
  CHECK(lstm.forward(p, x, lens).outputs.value() == lstm.forward(p, x, lens, zero_state.h, zero_state.c).outputs.value());

  const std::vector<std::int32_t> too_long = {3, 4};
  CHECK_THROWS_WITH_AS(lstm.forward(p, x, too_long),
                       "nn::LSTM 'policy.lstm': seq_lens[1] is 4, outside [0, 3] (T = x.rows() / B = 3)", rlpp::Error);
  const std::vector<std::int32_t> four = {1, 1, 1, 1};
  CHECK_THROWS_WITH_AS(lstm.forward(p, x, four),
                       "nn::LSTM 'policy.lstm': x has 6 rows for 4 sequences; expected B*T rows (row b*T + t is step "
                       "t of sequence b)",
                       rlpp::Error);
  CHECK_THROWS_WITH_AS(lstm.forward(p, x, std::vector<std::int32_t>{}),
                       "nn::LSTM 'policy.lstm': seq_lens is empty (pass one length per sequence in the batch)",
                       rlpp::Error);
  CHECK_THROWS_WITH_AS(lstm.forward(p, x, lens, zero_state.h, tape.constant(ad::Matrix::Zero(2, 4))),
                       "nn::LSTM 'policy.lstm': expects h and c of shape 2x3, got h 2x3 and c 2x4", rlpp::Error);
  CHECK_THROWS_WITH_AS(lstm.forward(p, tape.constant(ad::Matrix::Zero(6, 3)), lens),
                       "nn::LSTM 'policy.lstm': expects inputs with 2 columns, got 6x3", rlpp::Error);
}

TEST_CASE("repeated forward and backward through LSTM allocate nothing after warm-up") {
  for (const Eigen::Index steps : {Eigen::Index{10}, Eigen::Index{100}}) {
    CAPTURE(steps);
    nn::Parameters params;
    RandomStream rng(32);
    const nn::LSTM lstm(params, "lstm", 6, 32, rng);
    const nn::Dense head(params, "head", 32, 2, rng);
    const Eigen::Index batch = 8;
    std::vector<std::int32_t> lens(static_cast<std::size_t>(batch));
    for (std::size_t b = 0; b < lens.size(); ++b) lens[b] = static_cast<std::int32_t>(steps - static_cast<Eigen::Index>(b));
    const ad::Matrix obs = random_matrix(batch * steps, 6, 33).cast<float>();
    const ad::Matrix state = ad::Matrix::Zero(batch, 32);
    ad::Tape tape;
    auto p = nn::bind(tape, params);
    const auto step = [&] {
      tape.reset();
      const ad::Var x = tape.input(obs.data(), obs.rows(), obs.cols());
      const ad::Var h0 = tape.input(state.data(), batch, 32);
      const auto out = lstm.forward(p, x, lens, h0, h0);
      tape.backward(ad::mean(ad::square(head.forward(p, out.outputs))) + ad::mean(out.c));
    };
    step();
    step();
    CHECK(rlpp::test::count_allocations(step) == 0);
  }
}

TEST_CASE("an LSTM learns to remember the first input of a sequence") {
  // Step 0 carries a sign (+1 or -1), later steps noise; sequences have 2..8 steps, and a head
  // on the final state must output the sign.
  nn::Parameters params;
  RandomStream rng(34);
  const nn::LSTM lstm(params, "lstm", 1, 8, rng);
  const nn::Dense head(params, "head", 8, 1, rng, nn::Init::normc(0.01));
  nn::Adam adam(params.size());
  const Eigen::Index batch = 32, steps = 8;
  ad::Matrix x(batch * steps, 1), target(batch, 1);
  std::vector<std::int32_t> lens(static_cast<std::size_t>(batch));
  ad::Tape tape;
  auto p = nn::bind(tape, params);
  RandomStream data(35);
  const auto train_step = [&](bool update) {
    for (Eigen::Index b = 0; b < batch; ++b) {
      lens[static_cast<std::size_t>(b)] = 2 + static_cast<std::int32_t>(data.below(steps - 1));
      target(b, 0) = data.uniform() < 0.5 ? -1.0f : 1.0f;
      x(b * steps, 0) = target(b, 0);
      for (Eigen::Index t = 1; t < steps; ++t) x(b * steps + t, 0) = static_cast<float>(0.5 * data.normal());
    }
    tape.reset();
    const auto out = lstm.forward(p, tape.input(x.data(), x.rows(), 1), lens);
    const ad::Var loss = ad::mse(head.forward(p, out.h), tape.constant(target));
    tape.backward(loss);
    if (update) adam.step(params.values(), params.grads(), 0.02f);
    return loss.item();
  };
  double before = 0.0;
  for (int i = 0; i < 10; ++i) before += train_step(false) / 10;
  for (int i = 0; i < 300; ++i) train_step(true);
  double after = 0.0;
  for (int i = 0; i < 10; ++i) after += train_step(false) / 10;
  CHECK(before > 0.8);  // a near-zero head: loss about E[target^2] = 1
  CHECK(after < 0.05);
}
