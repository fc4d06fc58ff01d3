// nn layers: ParameterBinding, Dense, the activations, Sequential and MLP.

#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/layers/activations.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/nn/layers/dense.hpp"
#include "rlpp/nn/layers/mlp.hpp"
#include "rlpp/nn/layers/sequential.hpp"
#include "rlpp/nn/parameters.hpp"
#include "support/allocation_counter.hpp"
#include "test_layers_support.hpp"

namespace ad = rlpp::ad;
namespace nn = rlpp::nn;
using rlpp::RandomStream;
using rlpp::test::check_layer_gradients;
using rlpp::test::random_matrix;

static_assert(nn::layer<nn::Dense> && nn::layer<nn::Dense, double>);
static_assert(nn::layer<nn::Tanh> && nn::layer<nn::Relu> && nn::layer<nn::Swish> && nn::layer<nn::Elu> &&
              nn::layer<nn::Linear> && nn::layer<nn::Activation, double>);
static_assert(nn::layer<nn::MLP> && nn::layer<nn::Sequential<nn::Dense, nn::Tanh>, double>);
static_assert(!nn::layer<int>);

// ---- binding ---------------------------------------------------------------------------------

TEST_CASE("a binding hands out parameter leaves over the model's memory, on any recording") {
  nn::Parameters params;
  RandomStream rng(1);
  const nn::Dense dense(params, "fc", 2, 3, rng);
  ad::Tape tape;
  const auto p = nn::bind(tape, params);
  const ad::Var w1 = p(dense.weight());
  CHECK(w1.rows() == 2);
  CHECK(w1.cols() == 3);
  CHECK(w1.value().data() == params.value(dense.weight()).data());  // no copy
  tape.reset();
  tape.constant(ad::Matrix::Zero(1, 1));
  const ad::Var w2 = p(dense.weight());  // the same binding after reset()
  CHECK(w2.index() == 1);
  CHECK(w2.value().data() == params.value(dense.weight()).data());
  CHECK_THROWS_WITH_AS(p(7), "nn::ParameterBinding: block index 7 is out of range (2 blocks) (bind the Parameters the "
                             "layer was built on)",
                       rlpp::Error);
}

TEST_CASE("a layer applied twice in one recording gets the sum of both gradients") {
  nn::Parameters params;
  RandomStream rng(1);
  const nn::Dense dense(params, "fc", 1, 1, rng);
  params.value(dense.weight())(0, 0) = 2.0f;
  ad::Tape tape;
  const auto p = nn::bind(tape, params);
  // y = w (w x) = w^2 x with x = 3: dy/dw = 2 w x = 12, dy/db = w + 1 = 3 (b = 0)
  const ad::Var y = dense.forward(p, dense.forward(p, tape.constant(ad::Matrix::Constant(1, 1, 3.0f))));
  tape.backward(y);
  CHECK(y.item() == 12.0f);
  CHECK(params.grad(dense.weight())(0, 0) == 12.0f);
  CHECK(params.grad(dense.bias())(0, 0) == 3.0f);
}

TEST_CASE("gradients reach Parameters::grads(): overwritten, accumulated, or not at all when frozen") {
  nn::Parameters params;
  RandomStream rng(2);
  const nn::Dense dense(params, "fc", 2, 1, rng);
  params.value(dense.weight()) << 1.0f, 2.0f;
  ad::Tape tape;
  const ad::Matrix x = (ad::Matrix(1, 2) << 3.0f, 4.0f).finished();
  SUBCASE("trainable") {
    auto p = nn::bind(tape, params);
    tape.backward(ad::sum(dense.forward(p, tape.constant(x))));
    CHECK(params.grad(dense.weight())(0, 0) == 3.0f);
    CHECK(params.grad(dense.weight())(1, 0) == 4.0f);
    CHECK(params.grad(dense.bias())(0, 0) == 1.0f);
    tape.reset();
    tape.backward(ad::sum(dense.forward(p, tape.constant(x))), /*accumulate=*/true);
    CHECK(params.grad(dense.weight())(1, 0) == 8.0f);
    CHECK(p.trainable());
  }
  SUBCASE("frozen") {
    auto p = nn::bind_frozen(tape, params);
    const ad::Var input = tape.variable(x);
    const ad::Var y = dense.forward(p, input);
    CHECK(y.item() == 11.0f);  // 3*1 + 4*2 + 0
    tape.backward(ad::sum(y));
    CHECK(params.grad(dense.weight()).isZero());
    CHECK(input.grad()(0, 1) == 2.0f);  // the input still gets its gradient
    CHECK_FALSE(p.trainable());
  }
}

TEST_CASE("a binding over given values checks them against the blocks") {
  nn::Parameters params;
  RandomStream rng(3);
  const nn::Dense dense(params, "fc", 2, 3, rng);
  ad::TapeD tape;
  const std::vector<ad::VarD> good = {tape.variable(ad::MatrixD::Ones(2, 3)), tape.variable(ad::MatrixD::Zero(1, 3))};
  nn::ParameterBinding<double> p(tape, params.blocks(), good);
  CHECK(p(1).index() == good[1].index());
  const std::vector<ad::VarD> wrong = {good[1], good[0]};
  CHECK_THROWS_WITH_AS(nn::ParameterBinding<double>(tape, params.blocks(), wrong),
                       "nn::ParameterBinding: value 0 is 1x3, block 'fc.weight' is 2x3", rlpp::Error);
}

// ---- Dense -----------------------------------------------------------------------------------

TEST_CASE("Dense computes x W + b") {
  nn::Parameters params;
  RandomStream rng(4);
  const nn::Dense dense(params, "fc_1", 3, 2, rng);
  CHECK(params.block(dense.weight()).name == "fc_1.weight");
  CHECK(params.block(dense.bias()).name == "fc_1.bias");
  params.value(dense.weight()) << 1, 2,  //
      3, 4,                               //
      5, 6;
  params.value(dense.bias()) << 0.5f, -1.0f;
  ad::Tape tape;
  auto p = nn::bind(tape, params);
  const ad::Matrix x = (ad::Matrix(2, 3) << 1, 0, -1,  //
                        2, 1, 0)
                           .finished();
  const ad::Var y = dense.forward(p, tape.constant(x));
  // row 0: [1*1 + 0*3 - 1*5 + 0.5, 1*2 + 0*4 - 1*6 - 1] = [-3.5, -5]
  // row 1: [2*1 + 1*3 + 0*5 + 0.5, 2*2 + 1*4 + 0*6 - 1] = [5.5, 7]
  CHECK(y.value()(0, 0) == -3.5f);
  CHECK(y.value()(0, 1) == -5.0f);
  CHECK(y.value()(1, 0) == 5.5f);
  CHECK(y.value()(1, 1) == 7.0f);
  CHECK_THROWS_WITH_AS(dense.forward(p, tape.constant(ad::Matrix::Zero(2, 4))),
                       "nn::Dense 'fc_1': expects inputs with 3 columns, got 2x4", rlpp::Error);
}

TEST_CASE("Dense initializes its weight with normc(1.0) and its bias with zeros by default") {
  nn::Parameters params;
  RandomStream rng(5);
  const nn::Dense dense(params, "fc", 6, 4, rng);
  for (Eigen::Index c = 0; c < 4; ++c) CHECK(params.value(dense.weight()).col(c).norm() == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(params.value(dense.bias()).isZero());
  SUBCASE("other initializers, reproducible from the seed") {
    nn::Parameters a, b;
    RandomStream ra(9), rb(9);
    const nn::Dense da(a, "fc", 6, 4, ra, nn::Init::xavier_uniform(), nn::Init::constant(0.1));
    const nn::Dense db(b, "fc", 6, 4, rb, nn::Init::xavier_uniform(), nn::Init::constant(0.1));
    CHECK(a.value(da.weight()) == b.value(db.weight()));
    CHECK(a.value(da.weight()).cwiseAbs().maxCoeff() <= std::sqrt(6.0f / 10.0f));
    CHECK(a.value(da.bias()).isConstant(0.1f));
  }
  CHECK_THROWS_WITH_AS(nn::Dense(params, "empty", 0, 3, rng), "nn::Dense 'empty': sizes must be positive, got 0 -> 3",
                       rlpp::Error);
}

TEST_CASE("Dense gradients: finite differences in double, and the float path agrees") {
  nn::Parameters params;
  RandomStream rng(6);
  const nn::Dense dense(params, "fc", 4, 3, rng, nn::Init::normc(1.0), nn::Init::xavier_uniform());  // nonzero bias
  check_layer_gradients(params, random_matrix(5, 4, 10),
                        [&](auto& p, auto x) { return dense.forward(p, x); });
}

// ---- activations -----------------------------------------------------------------------------

TEST_CASE("activations compute tanh, relu, swish, elu and the identity") {
  ad::Tape tape;
  nn::Parameters none;
  auto p = nn::bind(tape, none);
  const ad::Matrix x = (ad::Matrix(1, 3) << -1.0f, 0.5f, 2.0f).finished();
  const ad::Var v = tape.constant(x);
  CHECK(nn::Tanh{}.forward(p, v).value()(0, 0) == doctest::Approx(std::tanh(-1.0)));
  CHECK(nn::Relu{}.forward(p, v).value()(0, 0) == 0.0f);
  CHECK(nn::Relu{}.forward(p, v).value()(0, 2) == 2.0f);
  CHECK(nn::Swish{}.forward(p, v).value()(0, 2) == doctest::Approx(2.0 / (1.0 + std::exp(-2.0))));
  CHECK(nn::Elu{}.forward(p, v).value()(0, 0) == doctest::Approx(std::exp(-1.0) - 1.0));
  CHECK(nn::Elu{0.5}.forward(p, v).value()(0, 0) == doctest::Approx(0.5 * (std::exp(-1.0) - 1.0)));
  CHECK(nn::Linear{}.forward(p, v).index() == v.index());  // records nothing
  CHECK(nn::Activation(nn::Activation::Kind::swish).forward(p, v).value()(0, 1) ==
        doctest::Approx(0.5 / (1.0 + std::exp(-0.5))));
}

TEST_CASE("every activation passes gradcheck, through a Dense in front") {
  for (const char* name : {"tanh", "relu", "swish", "elu", "linear"}) {
    CAPTURE(name);
    nn::Parameters params;
    RandomStream rng(7);
    const nn::Dense dense(params, "fc", 3, 4, rng);
    const nn::Activation act = nn::activation_from_name(name);
    check_layer_gradients(params, random_matrix(6, 3, 11),
                          [&](auto& p, auto x) { return act.forward(p, dense.forward(p, x)); });
  }
}

TEST_CASE("activation_from_name reads RLlib's fcnet_activation values") {
  using Kind = nn::Activation::Kind;
  CHECK(nn::activation_from_name("tanh").kind() == Kind::tanh);
  CHECK(nn::activation_from_name("relu").kind() == Kind::relu);
  CHECK(nn::activation_from_name("swish").kind() == Kind::swish);
  CHECK(nn::activation_from_name("silu").kind() == Kind::swish);
  CHECK(nn::activation_from_name("elu").kind() == Kind::elu);
  CHECK(nn::activation_from_name("linear").kind() == Kind::linear);
  CHECK(nn::activation_from_name("ReLU").kind() == Kind::relu);  // RLlib lower-cases the name
  CHECK(nn::activation_from_name(nullptr).kind() == Kind::linear);
  CHECK(nn::activation_from_name(rlpp::Json(nullptr)).kind() == Kind::linear);
  CHECK(nn::activation_from_name(rlpp::Json("tanh")).kind() == Kind::tanh);
  CHECK(nn::activation_from_name(std::string("elu")).kind() == Kind::elu);
  CHECK(nn::activation_from_name("silu").name() == "swish");
  CHECK_THROWS_WITH_AS(nn::activation_from_name("rellu", "model.fcnet_activation"),
                       "model.fcnet_activation: unknown activation 'rellu'; expected one of 'tanh', 'relu', 'swish', "
                       "'silu', 'elu', 'linear' or null (did you mean 'relu'?)",
                       rlpp::ConfigError);
  CHECK_THROWS_WITH_AS(nn::activation_from_name(rlpp::Json(3)),
                       "fcnet_activation: expected an activation name or null, got 3", rlpp::ConfigError);
}

// ---- Sequential ------------------------------------------------------------------------------

TEST_CASE("Sequential builds its Dense layers from the sizes list and applies the layers left to right") {
  nn::Parameters params;
  RandomStream rng(8);
  const nn::Sequential<nn::Dense, nn::Tanh, nn::Dense, nn::Relu, nn::Dense> net(params, "pi", {3, 5, 4, 2}, rng);
  static_assert(decltype(net)::dense_count == 3);
  REQUIRE(params.blocks().size() == 6);
  CHECK(params.block(0).name == "pi.0.weight");
  CHECK(params.block(2).name == "pi.2.weight");
  CHECK(params.block(5).name == "pi.4.bias");
  CHECK(params.block(2).rows == 5);
  CHECK(params.block(4).cols == 2);
  CHECK(net.in_size() == 3);
  CHECK(net.out_size() == 2);

  ad::Tape tape;
  auto p = nn::bind(tape, params);
  const ad::Var x = tape.constant(random_matrix(4, 3, 12).cast<float>());
  const ad::Var by_hand = net.get<4>().forward(p, ad::relu(net.get<2>().forward(p, ad::tanh(net.get<0>().forward(p, x)))));
  CHECK(net.forward(p, x).value() == by_hand.value());
}

TEST_CASE("Sequential: hidden Dense layers get normc(1.0), the one ending the stack normc(0.01)") {
  nn::Parameters params;
  RandomStream rng(13);
  const nn::Sequential<nn::Dense, nn::Tanh, nn::Dense> net(params, "pi", {3, 5, 2}, rng);
  CHECK(params.value(net.get<0>().weight()).col(0).norm() == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(params.value(net.get<2>().weight()).col(1).norm() == doctest::Approx(0.01).epsilon(1e-6));
  SUBCASE("a stack ending in an activation has no output layer") {
    nn::Parameters trunk_params;
    const nn::Sequential<nn::Dense, nn::Tanh> trunk(trunk_params, "trunk", {3, 5}, rng);
    CHECK(trunk_params.value(trunk.get<0>().weight()).col(4).norm() == doctest::Approx(1.0).epsilon(1e-6));
  }
  SUBCASE("per-layer initializers") {
    nn::Parameters custom;
    nn::DenseInits inits;
    inits.per_layer = {nn::Init::orthogonal(std::sqrt(2.0)), nn::Init::constant(0.25)};
    inits.bias = nn::Init::constant(-1.0);
    const nn::Sequential<nn::Dense, nn::Tanh, nn::Dense> net2(custom, "pi", {3, 5, 2}, rng, inits);
    const nn::Matrix w = custom.value(net2.get<0>().weight());
    CHECK((w * w.transpose()).isApprox(2.0f * nn::Matrix::Identity(3, 3), 1e-5f));  // wide: W W^T = gain^2 I
    CHECK(custom.value(net2.get<2>().weight()).isConstant(0.25f));
    CHECK(custom.value(net2.get<2>().bias()).isConstant(-1.0f));
  }
}

TEST_CASE("Sequential reports a sizes list that does not match its Dense layers") {
  nn::Parameters params;
  RandomStream rng(14);
  using Net = nn::Sequential<nn::Dense, nn::Tanh, nn::Dense>;
  const std::vector<std::size_t> sizes = {3, 5, 4, 2};
  CHECK_THROWS_WITH_AS(Net(params, "pi", sizes, rng),
                       "nn::Sequential 'pi': has 2 Dense layers, so it needs 3 sizes {in, hidden..., out}; got 4 "
                       "{3, 5, 4, 2}",
                       rlpp::Error);
  nn::DenseInits inits;
  inits.per_layer = {nn::Init::zeros()};
  CHECK_THROWS_WITH_AS(Net(params, "pi", std::vector<std::size_t>{3, 5, 2}, rng, inits),
                       "nn::Sequential 'pi': DenseInits::per_layer has 1 entries for 2 Dense layers", rlpp::Error);
  CHECK(params.blocks().empty());  // nothing was added
}

TEST_CASE("Sequential from layers built by the caller") {
  nn::Parameters params;
  RandomStream rng(15);
  const nn::Sequential<nn::Dense, nn::Elu, nn::Dense> net(nn::Dense(params, "a", 2, 3, rng, nn::Init::xavier_normal()),
                                                          nn::Elu{0.5},
                                                          nn::Dense(params, "b", 3, 1, rng));
  CHECK(net.get<1>().alpha == 0.5);
  CHECK(net.in_size() == 2);
  CHECK(net.out_size() == 1);
  check_layer_gradients(params, random_matrix(3, 2, 16), [&](auto& p, auto x) { return net.forward(p, x); });
}

TEST_CASE("Sequential gradients: finite differences in double, and the float path agrees") {
  nn::Parameters params;
  RandomStream rng(17);
  nn::DenseInits inits;
  inits.bias = nn::Init::xavier_uniform();  // nonzero biases, so their gradients matter
  const nn::Sequential<nn::Dense, nn::Tanh, nn::Dense, nn::Swish, nn::Dense> net(params, "q", {4, 6, 5, 3}, rng, inits);
  check_layer_gradients(params, random_matrix(5, 4, 18), [&](auto& p, auto x) { return net.forward(p, x); });
}

// ---- MLP -------------------------------------------------------------------------------------

TEST_CASE("MLP builds RLlib's fully connected stack from fcnet_hiddens and fcnet_activation") {
  nn::Parameters params;
  RandomStream rng(19);
  const nn::MLP mlp(params, "pi", 4, {16, 8}, 2, nn::activation_from_name("relu"), rng);
  REQUIRE(params.blocks().size() == 6);
  CHECK(params.block(0).name == "pi.fc_1.weight");
  CHECK(params.block(2).name == "pi.fc_2.weight");
  CHECK(params.block(4).name == "pi.fc_out.weight");
  CHECK(params.block(4).rows == 8);
  CHECK(params.block(5).cols == 2);
  CHECK(mlp.in_size() == 4);
  CHECK(mlp.out_size() == 2);
  CHECK(mlp.hidden_layers().size() == 2);
  REQUIRE(mlp.output_layer() != nullptr);
  // RLlib's initializers: normc(1.0) hidden, normc(0.01) for fc_out, zero biases.
  for (const nn::Dense& hidden : mlp.hidden_layers())
    CHECK(params.value(hidden.weight()).colwise().norm().isApproxToConstant(1.0f, 1e-5f));
  CHECK(params.value(mlp.output_layer()->weight()).colwise().norm().isApproxToConstant(0.01f, 1e-5f));
  for (const nn::Dense& layer : mlp.layers()) CHECK(params.value(layer.bias()).isZero());

  ad::Tape tape;
  auto p = nn::bind(tape, params);
  const ad::Var x = tape.constant(random_matrix(3, 4, 20).cast<float>());
  const auto& l = mlp.layers();
  const ad::Var by_hand = l[2].forward(p, ad::relu(l[1].forward(p, ad::relu(l[0].forward(p, x)))));
  CHECK(mlp.forward(p, x).value() == by_hand.value());
}

TEST_CASE("MLP without an output layer is an activated trunk; without hiddens either, the identity") {
  nn::Parameters params;
  RandomStream rng(21);
  const nn::MLP trunk(params, "trunk", 3, {5}, std::nullopt, nn::activation_from_name("tanh"), rng);
  CHECK(trunk.out_size() == 5);
  CHECK(trunk.output_layer() == nullptr);
  CHECK(params.value(trunk.layers()[0].weight()).colwise().norm().isApproxToConstant(1.0f, 1e-5f));
  ad::Tape tape;
  auto p = nn::bind(tape, params);
  const ad::Var x = tape.constant(random_matrix(2, 3, 22).cast<float>());
  CHECK(trunk.forward(p, x).value().cwiseAbs().maxCoeff() < 1.0f);  // tanh-activated

  const nn::MLP identity(params, "none", 3, {}, std::nullopt, nn::Activation(), rng);
  CHECK(identity.forward(p, x).index() == x.index());
  const nn::MLP linear(params, "lin", 3, {}, 2, nn::activation_from_name(nullptr), rng);
  CHECK(params.block(linear.layers()[0].weight()).name == "lin.fc_out.weight");
}

TEST_CASE("MLP gradients for every activation: finite differences in double, and the float path agrees") {
  for (const char* name : {"tanh", "relu", "swish", "elu", "linear"}) {
    CAPTURE(name);
    nn::Parameters params;
    RandomStream rng(23);
    nn::DenseInits inits;
    inits.output = nn::Init::normc(1.0);  // an output gradient of a useful size
    inits.bias = nn::Init::uniform(0.5);
    const nn::MLP mlp(params, "mlp", 3, {5, 4, 4}, 2, nn::activation_from_name(name), rng, inits);
    check_layer_gradients(params, random_matrix(4, 3, 24), [&](auto& p, auto x) { return mlp.forward(p, x); });
  }
}

TEST_CASE("repeated forward and backward through Sequential and MLP allocate nothing after warm-up") {
  nn::Parameters params;
  RandomStream rng(25);
  const nn::Sequential<nn::Dense, nn::Tanh, nn::Dense> seq(params, "seq", {8, 32, 4}, rng);
  const nn::MLP mlp(params, "mlp", 8, {64, 64}, 3, nn::activation_from_name("relu"), rng);
  const ad::Matrix obs = random_matrix(128, 8, 26).cast<float>();
  ad::Tape tape;
  auto p = nn::bind(tape, params);  // kept across recordings
  const auto step = [&] {
    tape.reset();
    const ad::Var x = tape.input(obs.data(), obs.rows(), obs.cols());
    const ad::Var loss = ad::mean(ad::square(seq.forward(p, x))) + ad::mean(ad::square(mlp.forward(p, x)));
    tape.backward(loss);
  };
  step();
  step();
  CHECK(rlpp::test::count_allocations(step) == 0);
}
