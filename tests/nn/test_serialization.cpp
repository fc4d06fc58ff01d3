#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "rlpp/core/atomic_file.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/nn/optimizers/adam.hpp"
#include "rlpp/nn/optimizers/rmsprop.hpp"
#include "rlpp/nn/optimizers/sgd.hpp"
#include "rlpp/nn/serialization.hpp"

namespace fs = std::filesystem;
using namespace rlpp::nn;
using rlpp::CheckpointError;

namespace {
// A fresh directory for one test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("rlpp_test_serialization_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path, ignored);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path)) names.push_back(entry.path().filename().string());
    return names;
  }
};

Parameters make_model(std::size_t hidden = 64) {
  Parameters params;
  params.add("fc_1.weight", 4, hidden);
  params.add("fc_1.bias", 1, hidden);
  params.add("fc_out.weight", hidden, 2);
  params.add("fc_out.bias", 1, 2);
  return params;
}

void fill_random(std::span<float> values, std::uint64_t seed) {
  rlpp::RandomStream rng(seed);
  for (float& v : values) v = static_cast<float>(rng.normal());
}

std::vector<std::byte> bytes_of(std::string_view text) {
  std::vector<std::byte> bytes(text.size());
  std::memcpy(bytes.data(), text.data(), text.size());
  return bytes;
}

// Trains `params` with `optimizer` for `steps` steps on deterministic pseudo-gradients.
template <class Optimizer>
void train(Parameters& params, Optimizer& optimizer, int steps, std::uint64_t seed) {
  for (int s = 0; s < steps; ++s) {
    fill_random(params.grads(), seed + static_cast<std::uint64_t>(s));
    optimizer.step(params.values(), params.grads(), 0.01f);
  }
}

bool bit_equal(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

// The message of the CheckpointError `f` throws (and checks where() is `where`).
template <class F>
std::string load_error(F&& f, const fs::path& where) {
  try {
    f();
  } catch (const CheckpointError& e) {
    CHECK(e.where() == where.string());
    return e.message();
  }
  return "no error";
}
}  // namespace

TEST_CASE("parameters and Adam state round-trip bit for bit, and training continues identically") {
  TempDir dir;
  const fs::path file = dir.path / "checkpoint.params";
  Parameters params = make_model();
  fill_random(params.values(), 1);
  Adam adam(params.size(), {.weight_decay = 0.01});
  train(params, adam, 3, 100);
  save_parameters(file, params, adam);

  Parameters restored = make_model();
  Adam restored_adam(params.size(), {.weight_decay = 0.01});
  load_parameters(file, restored, restored_adam);
  CHECK(bit_equal(restored.values(), params.values()));
  CHECK(restored_adam.step_count() == 3);
  for (std::size_t i = 0; i < 2; ++i)
    CHECK(bit_equal(restored_adam.state_tensors()[i].values, std::as_const(adam).state_tensors()[i].values));

  // One more step from each: the bias correction uses the restored step count.
  train(params, adam, 1, 200);
  train(restored, restored_adam, 1, 200);
  CHECK(bit_equal(restored.values(), params.values()));
}

TEST_CASE("SGD momentum and centered RMSProp state round-trip too") {
  Parameters params = make_model(8);
  fill_random(params.values(), 2);
  SUBCASE("SGD") {
    SGD sgd(params.size(), {.momentum = 0.9, .nesterov = true});
    train(params, sgd, 2, 10);
    Parameters restored = make_model(8);
    SGD restored_sgd(params.size(), {.momentum = 0.9, .nesterov = true});
    deserialize_parameters(serialize_parameters(params, sgd), restored, restored_sgd);
    train(params, sgd, 1, 20);
    train(restored, restored_sgd, 1, 20);
    CHECK(bit_equal(restored.values(), params.values()));
  }
  SUBCASE("RMSProp") {
    RMSProp rmsprop(params.size(), {.momentum = 0.5, .centered = true});
    train(params, rmsprop, 2, 10);
    Parameters restored = make_model(8);
    RMSProp restored_rmsprop(params.size(), {.momentum = 0.5, .centered = true});
    deserialize_parameters(serialize_parameters(params, rmsprop), restored, restored_rmsprop);
    train(params, rmsprop, 1, 20);
    train(restored, restored_rmsprop, 1, 20);
    CHECK(bit_equal(restored.values(), params.values()));
  }
}

TEST_CASE("the file starts with the magic, the version and a JSON header describing it") {
  TempDir dir;
  const fs::path file = dir.path / "model.params";
  Parameters params = make_model(32);
  Adam adam(params.size());
  train(params, adam, 2, 5);
  save_parameters(file, params, adam);

  const auto bytes = rlpp::read_whole_file(file);
  CHECK(std::memcmp(bytes.data(), "RLPPPARM", 8) == 0);
  CHECK(static_cast<int>(bytes[8]) == 1);  // u32 version 1, little-endian
  const rlpp::Json header = read_parameter_header(file);
  CHECK(header["dtype"] == "float32");
  CHECK(header["byte_order"] == "little");
  CHECK(header["blocks"][0]["name"] == "fc_1.weight");
  CHECK(header["blocks"][0]["cols"] == 32);
  CHECK(header["optimizer"]["type"] == "adam");
  CHECK(header["optimizer"]["step_count"] == 2);
  CHECK(header["optimizer"]["hyperparameters"]["beta1"] == 0.9);
  // Tensors: parameters, then Adam's two moments, back to back.
  const std::size_t floats = params.size();
  CHECK(header["tensors"][1]["name"] == "adam.exp_avg");
  CHECK(header["tensors"][2]["offset"] == 2 * floats * 4);
  CHECK(header["payload_bytes"] == 3 * floats * 4);
  CHECK(header["checksum"]["value"].get<std::string>().size() == 16);
  // magic 8 + version 4 + length 8 + header + payload
  const auto header_length = header.dump().size();
  CHECK(bytes.size() == 8 + 4 + 8 + header_length + 3 * floats * 4);
}

TEST_CASE("parameters alone round-trip, and such a file cannot restore an optimizer") {
  TempDir dir;
  const fs::path file = dir.path / "weights.params";
  Parameters params = make_model(8);
  fill_random(params.values(), 3);
  save_parameters(file, params);
  Parameters restored = make_model(8);
  load_parameters(file, restored);
  CHECK(bit_equal(restored.values(), params.values()));
  Adam adam(params.size());
  CHECK(load_error([&] { load_parameters(file, restored, adam); }, file) == "the file holds no optimizer state");
}

TEST_CASE("loading errors name the file and what is wrong") {
  TempDir dir;
  const fs::path file = dir.path / "model.params";
  Parameters params = make_model(64);
  fill_random(params.values(), 4);
  Adam adam(params.size());
  save_parameters(file, params, adam);
  const auto good = rlpp::read_whole_file(file);
  Parameters model = make_model(64);
  auto write = [&](const std::vector<std::byte>& bytes) { rlpp::write_file_atomically(file, bytes); };
  auto load = [&] { load_parameters(file, model); };

  SUBCASE("not a parameter file") {
    write(bytes_of("{\"weights\": [1, 2, 3]} and more text"));
    CHECK(load_error(load, file).find("not an rlpp parameter file") == 0);
  }
  SUBCASE("truncated in the preamble") {
    write({good.begin(), good.begin() + 10});
    CHECK(load_error(load, file).find("truncated") == 0);
  }
  SUBCASE("truncated in the header") {
    write({good.begin(), good.begin() + 40});
    CHECK(load_error(load, file).find("truncated") == 0);
  }
  SUBCASE("truncated in the payload") {
    write({good.begin(), good.end() - 1});
    CHECK(load_error(load, file).find("truncated") == 0);
  }
  SUBCASE("one payload byte changed") {
    auto bad = good;
    bad[bad.size() - 100] ^= std::byte{0x01};
    write(bad);
    CHECK(load_error(load, file).find("corrupt") == 0);
  }
  SUBCASE("a damaged header") {
    auto bad = good;
    bad[20] = std::byte{'#'};  // the header's opening brace
    write(bad);
    CHECK(load_error(load, file).find("corrupt") == 0);
  }
  SUBCASE("an unknown version") {
    auto bad = good;
    bad[8] = std::byte{2};
    write(bad);
    CHECK(load_error(load, file) == "unsupported format version 2 (this build reads version 1)");
  }
  SUBCASE("a model of another shape") {
    Parameters narrow = make_model(32);
    CHECK(load_error([&] { load_parameters(file, narrow); }, file) ==
          "block 'fc_1.weight': file has 4x64, model has 4x32");
  }
  SUBCASE("a model with other block names") {
    Parameters renamed;
    renamed.add("fc_1.weight", 4, 64);
    renamed.add("fc_1.b", 1, 64);
    CHECK(load_error([&] { load_parameters(file, renamed); }, file) ==
          "block 1: file has 'fc_1.bias', model has 'fc_1.b'");
  }
  SUBCASE("a model with more blocks") {
    Parameters bigger = make_model(64);
    bigger.add("value.weight", 64, 1);
    CHECK(load_error([&] { load_parameters(file, bigger); }, file) ==
          "file has 4 blocks, model has 5; the first block only in the model is 'value.weight'");
  }
  SUBCASE("an optimizer of another type") {
    SGD sgd(model.size(), {.momentum = 0.9});
    CHECK(load_error([&] { load_parameters(file, model, sgd); }, file) ==
          "optimizer: file has 'adam' state, the optimizer is 'sgd'");
  }
  SUBCASE("an optimizer configured with other state") {
    SGD sgd(model.size(), {.momentum = 0.9});
    save_parameters(file, params, SGD(params.size()));  // no momentum: no buffer saved
    CHECK(load_error([&] { load_parameters(file, model, sgd); }, file) ==
          "optimizer: file has no 'sgd.momentum_buffer' state");
  }
  SUBCASE("a missing file") {
    fs::remove(file);
    CHECK(load_error(load, file) == "no such file");
  }
}

TEST_CASE("a failed load changes neither the model nor the optimizer") {
  Parameters params = make_model(8);
  fill_random(params.values(), 5);
  Adam adam(params.size());
  train(params, adam, 2, 7);
  auto bytes = serialize_parameters(params, adam);
  bytes.back() ^= std::byte{0x80};  // checksum mismatch, found after the header was read

  Parameters model = make_model(8);
  fill_random(model.values(), 6);
  const auto before = model.get_weights();
  Adam fresh(model.size());
  CHECK_THROWS_AS(deserialize_parameters(bytes, model, fresh), CheckpointError);
  CHECK(model.get_weights() == before);
  CHECK(fresh.step_count() == 0);
  CHECK(fresh.state_tensors()[0].values[0] == 0.0f);
}

TEST_CASE("write_file_atomically replaces the file and leaves no temporary behind") {
  TempDir dir;
  const fs::path file = dir.path / "data.bin";
  rlpp::write_file_atomically(file, bytes_of("first"));
  rlpp::write_file_atomically(file, bytes_of("second, longer"));
  CHECK(rlpp::read_whole_file(file) == bytes_of("second, longer"));
  CHECK(dir.entries() == std::vector<std::string>{"data.bin"});
  rlpp::write_file_atomically(file, {});
  CHECK(rlpp::read_whole_file(file).empty());
}

TEST_CASE("a save that fails while writing leaves the previous file intact") {
  TempDir dir;
  const fs::path file = dir.path / "checkpoint.params";
  Parameters params = make_model(64);
  fill_random(params.values(), 8);
  save_parameters(file, params);
  const auto previous = rlpp::read_whole_file(file);

  // Simulate a full disk: cap this process's file size below the new file's, so write() fails
  // with EFBIG part way through (SIGXFSZ ignored so the failure is an error, not a signal).
  fill_random(params.values(), 9);
  Adam adam(params.size());
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit capped = saved;
  capped.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &capped) == 0);
  std::string message;
  try {
    save_parameters(file, params, adam);
  } catch (const CheckpointError& e) {
    message = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);

  CHECK(message.find(file.string()) != std::string::npos);
  CHECK(message.find("cannot write") != std::string::npos);
  CHECK(rlpp::read_whole_file(file) == previous);
  CHECK(dir.entries() == std::vector<std::string>{"checkpoint.params"});
}

TEST_CASE("a save that cannot rename leaves no temporary behind") {
  TempDir dir;
  const fs::path target = dir.path / "occupied";
  fs::create_directories(target / "inside");  // a non-empty directory cannot be replaced by a file
  CHECK_THROWS_WITH_AS(rlpp::write_file_atomically(target, bytes_of("data")), doctest::Contains("cannot rename"),
                       CheckpointError);
  CHECK(dir.entries() == std::vector<std::string>{"occupied"});
}

TEST_CASE("a save into a missing or read-only directory is a CheckpointError naming the path") {
  TempDir dir;
  const fs::path missing = dir.path / "no_such_dir" / "model.params";
  try {
    save_parameters(missing, make_model(4));
    FAIL("saved into a missing directory");
  } catch (const CheckpointError& e) {
    CHECK(e.where() == missing.string());
    CHECK(e.message().find("No such file or directory") != std::string::npos);
  }
  if (::geteuid() != 0) {  // root writes through permissions
    const fs::path file = dir.path / "model.params";
    save_parameters(file, make_model(4));
    const auto previous = rlpp::read_whole_file(file);
    fs::permissions(dir.path, fs::perms::owner_write, fs::perm_options::remove);
    CHECK_THROWS_AS(save_parameters(file, make_model(8)), CheckpointError);
    fs::permissions(dir.path, fs::perms::owner_write, fs::perm_options::add);
    CHECK(rlpp::read_whole_file(file) == previous);
  }
}

TEST_CASE("read_whole_file refuses directories") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(rlpp::read_whole_file(dir.path), doctest::Contains("not a regular file"), CheckpointError);
}
