#pragma once
// The reverse-mode autodiff tape. Values are row-major matrices (one row per sample). Every op
// evaluates eagerly and appends a Node holding its inputs and a pointer to its hand-written
// backward function; backward() walks the nodes in reverse and accumulates gradients.
// All value and gradient buffers come from arenas that reset() rewinds without freeing, so a
// training step that records the same sequence of shapes again allocates nothing.

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rlpp/core/error.hpp"

namespace rlpp::ad {

template <class T> class BasicTape;
template <class T> class BasicVar;

template <class T>
using BasicMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using BasicMap = Eigen::Map<BasicMatrix<T>>;
template <class T>
using BasicConstMap = Eigen::Map<const BasicMatrix<T>>;

using Matrix = BasicMatrix<float>;
using MatrixMap = BasicMap<float>;
using ConstMatrixMap = BasicConstMap<float>;

inline constexpr std::uint32_t no_input = 0xffffffffu;

// One recorded operation. `backward` is null for leaves; it reads the node's output gradient
// and accumulates into the gradients of its inputs (those with a non-null grad).
template <class T>
struct Node {
  using BackwardFn = void (*)(BasicTape<T>&, const Node&);
  BackwardFn backward = nullptr;
  std::uint32_t inputs[3] = {no_input, no_input, no_input};
  T scalars[2] = {T(0), T(0)};  // op parameters (clamp bounds, exponent, ...)
  std::int64_t aux = 0;          // op-specific integer (e.g. offset of gathered indices)
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
  T* value = nullptr;
  T* grad = nullptr;             // null: no gradient flows to or through this node
  T* saved = nullptr;            // what the forward pass kept for backward (see BasicTape::save)
  bool external_grad = false;    // grad points into caller memory (a model's parameters)
};

namespace detail {
// Bump allocator over 64-byte aligned chunks. rewind() keeps every chunk, so the same sequence
// of requests is served again from the same memory.
template <class T>
class Arena {
 public:
  T* allocate(std::size_t count) {
    const std::size_t rounded = (count + kAlign - 1) / kAlign * kAlign;
    while (chunk_ < chunks_.size()) {
      Chunk& chunk = chunks_[chunk_];
      if (offset_ + rounded <= chunk.size) {
        T* p = chunk.data.get() + offset_;
        offset_ += rounded;
        return p;
      }
      if (offset_ == 0) break;  // an empty chunk too small for this request: insert a bigger one
      ++chunk_;
      offset_ = 0;
    }
    const std::size_t size = std::max(rounded, kChunkElements);
    Chunk chunk{std::unique_ptr<T[], Free>(static_cast<T*>(::operator new[](size * sizeof(T), std::align_val_t{64}))),
                size};
    chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(chunk_), std::move(chunk));
    offset_ = rounded;
    return chunks_[chunk_].data.get();
  }
  void rewind() noexcept {
    chunk_ = 0;
    offset_ = 0;
  }
  std::size_t capacity() const noexcept {
    std::size_t total = 0;
    for (const auto& c : chunks_) total += c.size;
    return total;
  }

 private:
  static constexpr std::size_t kAlign = 64 / sizeof(T) > 0 ? 64 / sizeof(T) : 1;
  static constexpr std::size_t kChunkElements = std::size_t{1} << 16;
  struct Free {
    void operator()(T* p) const noexcept { ::operator delete[](p, std::align_val_t{64}); }
  };
  struct Chunk {
    std::unique_ptr<T[], Free> data;
    std::size_t size = 0;
  };
  std::vector<Chunk> chunks_;
  std::size_t chunk_ = 0;
  std::size_t offset_ = 0;
};
}  // namespace detail

template <class T>
class BasicTape {
 public:
  using scalar_type = T;
  using Map = BasicMap<T>;
  using ConstMap = BasicConstMap<T>;
  using BackwardFn = typename Node<T>::BackwardFn;

  BasicTape() = default;
  BasicTape(const BasicTape&) = delete;
  BasicTape& operator=(const BasicTape&) = delete;

  // Starts a new recording. Vars of earlier recordings become invalid; their buffers are reused.
  void reset() noexcept {
    ++recording_;
    nodes_.clear();
    index_blocks_.clear();
    values_.rewind();
    indices_.rewind();
  }

  // ---- leaves ----
  // A trainable parameter living in caller memory: backward() writes its gradient into `grad`.
  BasicVar<T> parameter(T* value, T* grad, Eigen::Index rows, Eigen::Index cols) {
    Node<T> node;
    node.rows = rows;
    node.cols = cols;
    node.value = value;
    node.grad = grad;
    node.external_grad = true;
    return push(node);
  }
  // A constant copied onto the tape (no gradient).
  BasicVar<T> constant(const T* data, Eigen::Index rows, Eigen::Index cols) {
    BasicVar<T> v = leaf(rows, cols, false);
    std::copy_n(data, rows * cols, v.node().value);
    return v;
  }
  template <class Derived>
  BasicVar<T> constant(const Eigen::DenseBase<Derived>& values) {
    BasicVar<T> v = leaf(values.rows(), values.cols(), false);
    copy_into(v, values);
    return v;
  }
  BasicVar<T> scalar(T v) { return constant(&v, 1, 1); }
  // Caller memory used in place (no copy, no gradient); it must outlive the recording.
  BasicVar<T> input(const T* data, Eigen::Index rows, Eigen::Index cols) {
    Node<T> node;
    node.rows = rows;
    node.cols = cols;
    node.value = const_cast<T*>(data);  // never written: a node without backward or grad
    return push(node);
  }
  // A tape-owned leaf that receives a gradient (inputs of gradcheck, tests).
  template <class Derived>
  BasicVar<T> variable(const Eigen::DenseBase<Derived>& values) {
    BasicVar<T> v = leaf(values.rows(), values.cols(), true);
    copy_into(v, values);
    return v;
  }

  // ---- building ops (for op implementations) ----
  // Appends an op node of the given shape with a fresh value buffer, and a gradient buffer when
  // any input carries a gradient.
  BasicVar<T> op(Eigen::Index rows, Eigen::Index cols, BackwardFn backward, std::initializer_list<BasicVar<T>> inputs,
                 T scalar0 = T(0), T scalar1 = T(0), std::int64_t aux = 0) {
    check_shape(rows, cols);
    Node<T> node;
    node.rows = rows;
    node.cols = cols;
    node.scalars[0] = scalar0;
    node.scalars[1] = scalar1;
    node.aux = aux;
    bool needs_grad = false;
    std::size_t k = 0;
    for (const BasicVar<T>& input : inputs) {
      check_owned(input);
      node.inputs[k++] = input.index();
      needs_grad = needs_grad || nodes_[input.index()].grad != nullptr;
    }
    node.value = values_.allocate(static_cast<std::size_t>(rows * cols));
    if (needs_grad) {
      node.grad = values_.allocate(static_cast<std::size_t>(rows * cols));
      node.backward = backward;
    }
    return push(node);
  }
  // `count` values of tape memory for op `v` to keep intermediate results of its forward pass
  // for its backward (Node::saved); null when no gradient flows through `v`, as its backward
  // never runs then.
  T* save(BasicVar<T> v, std::size_t count) {
    check_owned(v);
    Node<T>& node = nodes_[v.index()];
    if (!node.backward) return nullptr;
    node.saved = values_.allocate(count);
    return node.saved;
  }
  // A node sharing `source`'s value buffer, with no gradient (stop_gradient).
  BasicVar<T> alias_without_grad(BasicVar<T> source) {
    check_owned(source);
    Node<T> node;
    node.rows = source.rows();
    node.cols = source.cols();
    node.value = nodes_[source.index()].value;
    return push(node);
  }
  // Copies integer indices onto the tape; returns their offset for Node::aux.
  std::int64_t store_indices(std::span<const std::int64_t> indices) {
    std::int64_t* p = indices_.allocate(indices.size());
    std::copy(indices.begin(), indices.end(), p);
    index_blocks_.push_back(p);
    return static_cast<std::int64_t>(index_blocks_.size() - 1);
  }
  const std::int64_t* indices(std::int64_t handle) const { return index_blocks_[static_cast<std::size_t>(handle)]; }

  // ---- access ----
  const Node<T>& node(std::uint32_t index) const { return nodes_[index]; }
  std::size_t size() const noexcept { return nodes_.size(); }
  Map value(BasicVar<T> v) {
    check_owned(v);
    return Map(nodes_[v.index()].value, v.rows(), v.cols());
  }
  ConstMap value(BasicVar<T> v) const {
    check_owned(v);
    return ConstMap(nodes_[v.index()].value, v.rows(), v.cols());
  }
  Map value_of(std::uint32_t i) { return Map(nodes_[i].value, nodes_[i].rows, nodes_[i].cols); }
  Map grad_of(std::uint32_t i) { return Map(nodes_[i].grad, nodes_[i].rows, nodes_[i].cols); }
  bool has_grad(std::uint32_t i) const { return nodes_[i].grad != nullptr; }

  // Backpropagates from `loss` (its gradient seeded with ones, i.e. d sum(loss)): every node
  // recorded before it that carries a gradient receives d loss / d node. Parameter gradients
  // are overwritten unless `accumulate` is true, in which case they are added to.
  void backward(BasicVar<T> loss, bool accumulate = false) {
    check_owned(loss);
    const std::uint32_t last = loss.index();
    Node<T>& root = nodes_[last];
    if (root.grad == nullptr)
      throw Error("autodiff backward()", "the loss does not depend on any parameter or variable",
                  "build the loss from tape.parameter()/variable() values");
    for (std::uint32_t i = 0; i <= last; ++i) {
      Node<T>& n = nodes_[i];
      if (n.grad && (!n.external_grad || !accumulate)) std::fill_n(n.grad, n.rows * n.cols, T(0));
    }
    std::fill_n(root.grad, root.rows * root.cols, T(1));
    for (std::uint32_t i = last + 1; i-- > 0;) {
      const Node<T>& n = nodes_[i];
      if (n.backward) n.backward(*this, n);
    }
  }

 private:
  BasicVar<T> leaf(Eigen::Index rows, Eigen::Index cols, bool with_grad) {
    check_shape(rows, cols);
    Node<T> node;
    node.rows = rows;
    node.cols = cols;
    node.value = values_.allocate(static_cast<std::size_t>(rows * cols));
    if (with_grad) node.grad = values_.allocate(static_cast<std::size_t>(rows * cols));
    return push(node);
  }
  // Before any allocation: a negative count would reach the arena as a huge size_t.
  static void check_shape(Eigen::Index rows, Eigen::Index cols) {
    if (rows < 0 || cols < 0)
      throw Error("autodiff", "negative matrix shape " + std::to_string(rows) + "x" + std::to_string(cols));
  }
  // Coefficient by coefficient: small constants are the common case, and Eigen's packet copy
  // of a 1x3 matrix trips GCC 12's -Warray-bounds at -O3 (a false positive) in user code.
  template <class Derived>
  void copy_into(BasicVar<T> v, const Eigen::DenseBase<Derived>& values) {
    T* out = nodes_[v.index()].value;
    for (Eigen::Index r = 0; r < values.rows(); ++r)
      for (Eigen::Index c = 0; c < values.cols(); ++c) *out++ = static_cast<T>(values(r, c));
  }
  BasicVar<T> push(const Node<T>& node) {
    check_shape(node.rows, node.cols);
    nodes_.push_back(node);
    return BasicVar<T>(this, static_cast<std::uint32_t>(nodes_.size() - 1), recording_);
  }
  // On every op input and value access: the check inlines, the errors are built out of line.
  void check_owned(BasicVar<T> v) const {
    // The index alone cannot tell: a later recording reuses the same indices.
    if (v.tape_ != this || v.recording_ != recording_ || v.index_ >= nodes_.size()) [[unlikely]]
      not_owned(v.tape_ != this);
  }
  [[noreturn, gnu::cold, gnu::noinline]] static void not_owned(bool other_tape) {
    if (other_tape) throw Error("autodiff", "a value from another tape was used", "record an op's inputs on one tape");
    throw Error("autodiff", "a value recorded before the tape's last reset() was used",
                "values are valid until their tape's next reset()");
  }

  std::vector<Node<T>> nodes_;
  detail::Arena<T> values_;
  detail::Arena<std::int64_t> indices_;
  std::vector<const std::int64_t*> index_blocks_;
  std::uint32_t recording_ = 0;  // counts reset()s; a Var remembers the one it was recorded in

  friend class BasicVar<T>;
};

// A handle to a node of a tape: a matrix value and, after backward(), its gradient.
template <class T>
class BasicVar {
 public:
  BasicVar() = default;
  // False for a default-constructed Var (an absent optional input, e.g. a model's prev_actions).
  bool has_value() const noexcept { return tape_ != nullptr; }
  Eigen::Index rows() const { return node().rows; }
  Eigen::Index cols() const { return node().cols; }
  Eigen::Index size() const { return rows() * cols(); }
  std::uint32_t index() const noexcept { return index_; }
  BasicTape<T>& tape() const {
    if (!tape_) [[unlikely]] no_tape();
    return *tape_;
  }

  BasicConstMap<T> value() const { return BasicConstMap<T>(node().value, rows(), cols()); }
  // The gradient (after backward()); an Error if no gradient flows here.
  BasicConstMap<T> grad() const {
    if (!node().grad)
      throw Error("autodiff", "this value has no gradient", "only values that depend on parameters or variables have one");
    return BasicConstMap<T>(node().grad, rows(), cols());
  }
  bool requires_grad() const { return node().grad != nullptr; }
  // The value of a 1x1 result.
  T item() const {
    if (rows() != 1 || cols() != 1)
      throw Error("autodiff item()", "expected a 1x1 value, got " + std::to_string(rows()) + "x" + std::to_string(cols()));
    return node().value[0];
  }
  const Node<T>& node() const {
    tape().check_owned(*this);
    return tape_->nodes_[index_];
  }

 private:
  [[noreturn, gnu::cold, gnu::noinline]] static void no_tape() { throw Error("autodiff", "a default-constructed Var was used"); }
  BasicVar(BasicTape<T>* tape, std::uint32_t index, std::uint32_t recording)
      : tape_(tape), index_(index), recording_(recording) {}
  BasicTape<T>* tape_ = nullptr;
  std::uint32_t index_ = 0;
  std::uint32_t recording_ = 0;
  friend class BasicTape<T>;
};

using Tape = BasicTape<float>;
using Var = BasicVar<float>;

}  // namespace rlpp::ad
