#pragma once
// Parameters: every trainable float of a model in one contiguous, 64-byte aligned vector, with a
// gradient vector of the same layout. Layers declare named blocks and look them up at forward
// time; optimizers, gradient clipping, weight sync (get_weights/set_weights) and checkpoints
// then work on two flat spans, as RLlib's get_weights/set_weights do on a flat weight list.

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rlpp/core/error.hpp"

namespace rlpp::nn {

// Row-major, so a batch of row vectors times a (fan_in x fan_out) weight is x * W, and a block
// is laid out in the flat vector exactly as it is indexed.
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// One named rows x cols block of the flat vector, starting at `offset` (in floats).
struct ParamBlock {
  std::string name;
  std::size_t offset = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t size() const { return rows * cols; }

  friend bool operator==(const ParamBlock&, const ParamBlock&) = default;
};

namespace detail {
// Allocates 64-byte aligned storage (a cache line; the widest SIMD register, AVX-512).
template <class T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t alignment{64};

  CacheLineAllocator() noexcept = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), alignment)); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, alignment); }

  template <class U>
  friend bool operator==(const CacheLineAllocator&, const CacheLineAllocator<U>&) noexcept { return true; }
};
}  // namespace detail

// A named, contiguous range [begin, end) of a Parameters' flat vector: the parameters one
// optimizer owns (SAC's actor, critic and entropy coefficient; DDPG's actor and critic). A model
// that records params.size() before and after building a part gets that part's range.
struct ParamGroup {
  std::string name;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const noexcept { return end - begin; }
  friend bool operator==(const ParamGroup&, const ParamGroup&) = default;
};

class Parameters {
 public:
  // Every block starts at a multiple of this many floats (64 bytes), so every block map is
  // aligned. The padding floats between blocks are zero in values() and grads(); optimizers may
  // run over the whole span because a zero gradient leaves a zero value unchanged under SGD,
  // Adam and RMSProp (weight decay of zero is zero).
  static constexpr std::size_t block_alignment = 16;

  // Declares a rows x cols block (row-major) initialised to zero and returns its index.
  // Names must be unique. Spans and maps obtained earlier are invalidated by add(), so layers
  // keep block indices, not pointers.
  std::size_t add(std::string name, std::size_t rows, std::size_t cols) {
    if (name.empty()) throw Error("Parameters::add", "a parameter block needs a name");
    if (find(name) != nullptr)
      throw Error("Parameters::add", "a block named '" + name + "' already exists",
                  "give each layer a unique name prefix");
    const std::size_t offset = round_up(values_.size());
    const std::size_t end = offset + rows * cols;
    values_.resize(end, 0.0f);
    grads_.resize(end, 0.0f);
    blocks_.push_back(ParamBlock{std::move(name), offset, rows, cols});
    return blocks_.size() - 1;
  }

  // Total floats in values() (including the zero padding between blocks).
  std::size_t size() const noexcept { return values_.size(); }
  // Trainable floats: the sum of the block sizes, without padding.
  std::size_t parameter_count() const noexcept {
    std::size_t count = 0;
    for (const auto& b : blocks_) count += b.size();
    return count;
  }

  const std::vector<ParamBlock>& blocks() const noexcept { return blocks_; }
  const ParamBlock& block(std::size_t index) const {
    if (index >= blocks_.size())
      throw Error("Parameters::block", "block index " + std::to_string(index) + " is out of range (" +
                                           std::to_string(blocks_.size()) + " blocks)");
    return blocks_[index];
  }
  // The block called `name`, or nullptr.
  const ParamBlock* find(std::string_view name) const {
    for (const auto& b : blocks_)
      if (b.name == name) return &b;
    return nullptr;
  }

  std::span<float> values() noexcept { return {values_.data(), values_.size()}; }
  std::span<const float> values() const noexcept { return {values_.data(), values_.size()}; }
  std::span<float> grads() noexcept { return {grads_.data(), grads_.size()}; }
  std::span<const float> grads() const noexcept { return {grads_.data(), grads_.size()}; }

  Eigen::Map<Matrix> value(std::size_t index) { return map(values_.data(), block(index)); }
  Eigen::Map<const Matrix> value(std::size_t index) const { return map(values_.data(), block(index)); }
  Eigen::Map<Matrix> grad(std::size_t index) { return map(grads_.data(), block(index)); }
  Eigen::Map<const Matrix> grad(std::size_t index) const { return map(grads_.data(), block(index)); }

  void zero_grad() noexcept { std::fill(grads_.begin(), grads_.end(), 0.0f); }

  // RLlib's get_weights: a copy of values() (padding included, so set_weights takes it back).
  std::vector<float> get_weights() const { return {values_.begin(), values_.end()}; }

  // RLlib's set_weights: `weights` must have exactly size() floats (a get_weights() of a model
  // with the same layout). Padding is kept at zero whatever `weights` holds there.
  void set_weights(std::span<const float> weights) {
    if (weights.size() != values_.size())
      throw Error("Parameters::set_weights",
                  "got " + std::to_string(weights.size()) + " floats, the model has " +
                      std::to_string(values_.size()),
                  "pass the get_weights() of a model built with the same layers");
    std::copy(weights.begin(), weights.end(), values_.begin());
    std::size_t cursor = 0;
    for (const auto& b : blocks_) {
      std::fill(values_.begin() + static_cast<std::ptrdiff_t>(cursor),
                values_.begin() + static_cast<std::ptrdiff_t>(b.offset), 0.0f);
      cursor = b.offset + b.size();
    }
  }

  // Same block names, shapes and offsets, in the same order.
  bool same_layout(const Parameters& other) const noexcept {
    return values_.size() == other.values_.size() && blocks_ == other.blocks_;
  }

 private:
  using Storage = std::vector<float, detail::CacheLineAllocator<float>>;

  static constexpr std::size_t round_up(std::size_t n) noexcept {
    return (n + block_alignment - 1) / block_alignment * block_alignment;
  }
  static Eigen::Map<Matrix> map(float* base, const ParamBlock& b) {
    return {base + b.offset, static_cast<Eigen::Index>(b.rows), static_cast<Eigen::Index>(b.cols)};
  }
  static Eigen::Map<const Matrix> map(const float* base, const ParamBlock& b) {
    return {base + b.offset, static_cast<Eigen::Index>(b.rows), static_cast<Eigen::Index>(b.cols)};
  }

  std::vector<ParamBlock> blocks_;
  Storage values_;
  Storage grads_;
};

}  // namespace rlpp::nn
