#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "rlpp/nn/parameters.hpp"

using rlpp::nn::Parameters;

TEST_CASE("blocks start at multiples of 16 floats and size() counts the padding") {
  Parameters params;
  const auto w = params.add("fc_1.weight", 3, 5);  // 15 floats at 0, padded to 16
  const auto b = params.add("fc_1.bias", 1, 5);    // 5 floats at 16, padded to 32
  const auto v = params.add("value.weight", 2, 8);  // 16 floats at 32
  CHECK(w == 0);
  CHECK(b == 1);
  CHECK(v == 2);
  CHECK(params.block(w).offset == 0);
  CHECK(params.block(b).offset == 16);
  CHECK(params.block(v).offset == 32);
  CHECK(params.size() == 32 + 16);
  CHECK(params.parameter_count() == 15 + 5 + 16);
  CHECK(params.block(v).size() == 16);
  CHECK(params.grads().size() == params.size());
}

TEST_CASE("storage and every block are 64-byte aligned") {
  Parameters params;
  params.add("a", 1, 3);
  params.add("b", 7, 7);
  params.add("c", 2, 1);
  for (std::size_t i = 0; i < params.blocks().size(); ++i) {
    CHECK(reinterpret_cast<std::uintptr_t>(params.value(i).data()) % 64 == 0);
    CHECK(reinterpret_cast<std::uintptr_t>(params.grad(i).data()) % 64 == 0);
  }
}

TEST_CASE("a block map is a row-major view into the flat vector") {
  Parameters params;
  params.add("pad", 1, 1);
  const auto w = params.add("w", 2, 3);
  auto map = params.value(w);
  map(1, 2) = 7.0f;                            // row 1, col 2 -> 16 + 1*3 + 2 = 21
  CHECK(params.values()[16 + 1 * 3 + 2] == 7.0f);
  params.grads()[16 + 0 * 3 + 1] = -2.0f;      // row 0, col 1
  CHECK(params.grad(w)(0, 1) == -2.0f);
  const Parameters& view = params;
  CHECK(view.value(w)(1, 2) == 7.0f);
  CHECK(view.grad(w).rows() == 2);
  CHECK(view.grad(w).cols() == 3);
}

TEST_CASE("add() keeps the values of earlier blocks") {
  Parameters params;
  const auto a = params.add("a", 4, 4);
  params.value(a).setConstant(1.5f);
  for (int i = 0; i < 20; ++i) params.add("extra_" + std::to_string(i), 8, 8);  // forces reallocation
  CHECK(params.value(a).sum() == 1.5f * 16);
}

TEST_CASE("block names are unique and lookups say what is missing") {
  Parameters params;
  params.add("fc_1.weight", 2, 2);
  CHECK_THROWS_AS(params.add("fc_1.weight", 3, 3), rlpp::Error);
  CHECK_THROWS_AS(params.add("", 3, 3), rlpp::Error);
  CHECK(params.find("fc_1.weight") == &params.block(0));
  CHECK(params.find("fc_2.weight") == nullptr);
  CHECK_THROWS_AS(params.block(1), rlpp::Error);
  CHECK_THROWS_AS(params.value(1), rlpp::Error);
}

TEST_CASE("zero_grad clears every gradient") {
  Parameters params;
  params.add("a", 3, 3);
  for (auto& g : params.grads()) g = 1.0f;
  params.zero_grad();
  for (float g : params.grads()) CHECK(g == 0.0f);
}

TEST_CASE("get_weights and set_weights move the whole vector between models of one layout") {
  Parameters source, target;
  for (Parameters* p : {&source, &target}) {
    p->add("w", 2, 3);
    p->add("b", 1, 3);
  }
  REQUIRE(source.same_layout(target));
  source.value(0) << 1, 2, 3, 4, 5, 6;
  source.value(1) << 7, 8, 9;
  target.set_weights(source.get_weights());
  CHECK(target.value(0)(1, 0) == 4.0f);
  CHECK(target.value(1)(0, 2) == 9.0f);
  CHECK(target.get_weights() == source.get_weights());
}

TEST_CASE("set_weights rejects a wrong size, naming both sizes") {
  Parameters params;
  params.add("w", 2, 3);  // 6 floats at 0 -> size 6
  const std::vector<float> weights(7, 0.0f);
  try {
    params.set_weights(weights);
    FAIL("set_weights accepted 7 floats for a model of 6");
  } catch (const rlpp::Error& e) {
    CHECK(std::string(e.what()).find("7") != std::string::npos);
    CHECK(std::string(e.what()).find("6") != std::string::npos);
  }
}

TEST_CASE("set_weights keeps the padding zero") {
  Parameters params;
  params.add("a", 1, 1);  // float 0; floats 1..15 are padding
  params.add("b", 1, 1);  // float 16
  std::vector<float> weights(params.size(), 3.0f);
  params.set_weights(weights);
  CHECK(params.values()[0] == 3.0f);
  CHECK(params.values()[16] == 3.0f);
  for (std::size_t i = 1; i < 16; ++i) CHECK(params.values()[i] == 0.0f);
}

TEST_CASE("same_layout compares names, shapes and offsets") {
  Parameters a, b, c, d;
  a.add("w", 2, 3);
  b.add("w", 2, 3);
  c.add("w", 3, 2);
  d.add("v", 2, 3);
  CHECK(a.same_layout(b));
  CHECK_FALSE(a.same_layout(c));
  CHECK_FALSE(a.same_layout(d));
  b.add("bias", 1, 3);
  CHECK_FALSE(a.same_layout(b));
}

TEST_CASE("a copied Parameters owns its own storage") {
  Parameters a;
  a.add("w", 2, 2);
  Parameters b = a;
  b.value(0)(0, 0) = 1.0f;
  CHECK(a.value(0)(0, 0) == 0.0f);
  CHECK(reinterpret_cast<std::uintptr_t>(b.values().data()) % 64 == 0);
}
