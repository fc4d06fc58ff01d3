#pragma once
// Every autodiff op (include this, or the single ops/ header you need).

#include "rlpp/autodiff/ops/binary.hpp"
#include "rlpp/autodiff/ops/indexing.hpp"
#include "rlpp/autodiff/ops/losses.hpp"
#include "rlpp/autodiff/ops/lstm.hpp"
#include "rlpp/autodiff/ops/matmul.hpp"
#include "rlpp/autodiff/ops/reduce.hpp"
#include "rlpp/autodiff/ops/rows.hpp"
#include "rlpp/autodiff/ops/softmax.hpp"
#include "rlpp/autodiff/ops/unary.hpp"
#include "rlpp/autodiff/tape.hpp"
