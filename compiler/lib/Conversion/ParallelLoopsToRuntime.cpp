//===- ParallelLoopsToRuntime.cpp - scf.forall on the thread pool ---------===//
//
// The soma-parallel-loops-to-runtime pass (Passes.td describes the IR it
// makes): a one-dimensional scf.forall on buffers becomes a call of the
// runtime's soma_rt_parallel_for with an outlined body and a context
// struct on the stack.
//
// The context holds each value the body uses from outside in its LLVM form
// (a memref as its descriptor struct). Before the conversion to LLVM the
// two forms meet through unrealized_conversion_cast, which
// reconcile-unrealized-casts removes at the end of the pipeline.
//
//===----------------------------------------------------------------------===//

#include "soma/Conversion/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSwitch.h"

namespace soma {
#define GEN_PASS_DEF_PARALLELLOOPSTORUNTIMEPASS
#include "soma/Conversion/Passes.h.inc"
} // namespace soma

using namespace mlir;

namespace {

/// soma_rt_parallel_for's name and LLVM signature, from the runtime's ABI
/// table (the one the C runtime is compiled against).
struct RuntimeDeclaration {
  const char *name, *result, *arguments;
};

LLVM::LLVMFuncOp declareParallelFor(ModuleOp module) {
  static constexpr RuntimeDeclaration table[] = {
#define SOMA_RUNTIME_FUNCTION(NAME, RET, ...) {#NAME, #RET, #__VA_ARGS__},
#include "soma/RuntimeABI.def"
  };
  const RuntimeDeclaration *parallelFor =
      llvm::find_if(table, [](const RuntimeDeclaration &declaration) {
        return StringRef(declaration.name) == "soma_rt_parallel_for";
      });
  assert(parallelFor != std::end(table) && "RuntimeABI.def lost it");
  MLIRContext *context = module.getContext();
  auto typeOf = [&](StringRef token) -> Type {
    return llvm::StringSwitch<Type>(token.trim())
        .Case("i32", IntegerType::get(context, 32))
        .Case("i64", IntegerType::get(context, 64))
        .Case("ptr", LLVM::LLVMPointerType::get(context))
        .Default(LLVM::LLVMVoidType::get(context));
  };
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(parallelFor->name))
    return existing;
  SmallVector<StringRef> tokens;
  StringRef(parallelFor->arguments).split(tokens, ',');
  SmallVector<Type> arguments = llvm::map_to_vector(
      tokens, [&](StringRef token) { return typeOf(token); });
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  return LLVM::LLVMFuncOp::create(
      b, module.getLoc(), parallelFor->name,
      LLVM::LLVMFunctionType::get(typeOf(parallelFor->result), arguments));
}

/// Whether `loop` is one this pass runs on the pool: in a func.func, one
/// induction variable from 0 by 1, no results, and no buffer allocated
/// inside (whose failure a chunk could not report).
bool isOutlinable(scf::ForallOp loop) {
  if (!loop->getParentOfType<func::FuncOp>() || loop.getRank() != 1 ||
      loop.getNumResults() != 0 || !loop.isNormalized())
    return false;
  WalkResult walk = loop.getRegion().walk([](Operation *op) {
    return isa<memref::AllocOp, memref::ReallocOp>(op) ? WalkResult::interrupt()
                                                       : WalkResult::advance();
  });
  return !walk.wasInterrupted();
}

/// Whether `value` is made from nothing, without side effects (a constant,
/// a global's address): the outlined body makes its own instead of
/// receiving it.
bool isRematerializable(Value value) {
  Operation *op = value.getDefiningOp();
  return op && op->getNumOperands() == 0 && op->getNumRegions() == 0 &&
         isMemoryEffectFree(op);
}

/// `value` as `type`: itself, or through an unrealized_conversion_cast
/// between a type and its LLVM form.
Value castTo(OpBuilder &b, Location loc, Type type, Value value) {
  if (value.getType() == type)
    return value;
  return UnrealizedConversionCastOp::create(b, loc, type, value).getResult(0);
}

/// The address of field `i` of the context struct at `context`.
Value contextField(OpBuilder &b, Location loc, LLVM::LLVMStructType type,
                   Value context, int32_t i) {
  return LLVM::GEPOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()),
                             type, context, ArrayRef<LLVM::GEPArg>{0, i});
}

class Outliner {
public:
  Outliner(ModuleOp module, SymbolTable &symbols)
      : module(module), symbols(symbols), converter(module.getContext()),
        parallelFor(declareParallelFor(module)) {}

  void outline(scf::ForallOp loop);

private:
  func::FuncOp outlineBody(scf::ForallOp loop, func::FuncOp parent,
                           ArrayRef<Value> captures,
                           ArrayRef<Value> rematerialized);
  func::FuncOp buildTask(func::FuncOp body, LLVM::LLVMStructType contextType,
                         ArrayRef<Value> captures);

  ModuleOp module;
  SymbolTable &symbols;
  LLVMTypeConverter converter;
  LLVM::LLVMFuncOp parallelFor;
};

void Outliner::outline(scf::ForallOp loop) {
  auto parent = loop->getParentOfType<func::FuncOp>();
  llvm::SetVector<Value> used;
  getUsedValuesDefinedAbove(loop.getRegion(), used);
  SmallVector<Value> captures, rematerialized;
  for (Value value : used)
    (isRematerializable(value) ? rematerialized : captures).push_back(value);

  SmallVector<Type> fields;
  for (Value value : captures)
    fields.push_back(converter.convertType(value.getType()));
  auto contextType =
      LLVM::LLVMStructType::getLiteral(module.getContext(), fields);

  func::FuncOp body = outlineBody(loop, parent, captures, rematerialized);
  func::FuncOp task = buildTask(body, contextType, captures);

  // The context lives in the parent's entry block: an alloca inside a loop
  // (a sweep over K) would grow the stack on every iteration.
  MLIRContext *context = module.getContext();
  Location loc = loop.getLoc();
  auto ptrType = LLVM::LLVMPointerType::get(context);
  auto i64 = IntegerType::get(context, 64);
  OpBuilder entry = OpBuilder::atBlockBegin(&parent.getBody().front());
  Value one = LLVM::ConstantOp::create(entry, loc, i64, 1);
  Value contextPointer =
      LLVM::AllocaOp::create(entry, loc, ptrType, contextType, one,
                             /*alignment=*/8);

  OpBuilder b(loop);
  for (auto [i, value] : llvm::enumerate(captures)) {
    LLVM::StoreOp::create(b, loc, castTo(b, loc, fields[i], value),
                          contextField(b, loc, contextType, contextPointer, i));
  }
  Value count =
      arith::IndexCastOp::create(b, loc, i64, loop.getUpperBound(b).front());
  Value taskFunction = func::ConstantOp::create(b, loc, task.getFunctionType(),
                                                SymbolRefAttr::get(task));
  Value taskPointer =
      UnrealizedConversionCastOp::create(b, loc, ptrType, taskFunction)
          .getResult(0);
  int64_t size =
      DataLayout::closest(loop).getTypeSize(contextType).getFixedValue();
  Value contextBytes = LLVM::ConstantOp::create(b, loc, i64, size);
  // The status is SOMA_OK: a body without allocations cannot fail.
  LLVM::CallOp::create(
      b, loc, parallelFor,
      ValueRange{count, taskPointer, contextPointer, contextBytes});
  loop.erase();
}

func::FuncOp Outliner::outlineBody(scf::ForallOp loop, func::FuncOp parent,
                                   ArrayRef<Value> captures,
                                   ArrayRef<Value> rematerialized) {
  MLIRContext *context = module.getContext();
  Location loc = loop.getLoc();
  auto index = IndexType::get(context);
  SmallVector<Type> inputs = {index, index};
  for (Value value : captures)
    inputs.push_back(value.getType());
  OpBuilder b(context);
  auto body =
      func::FuncOp::create(b, loc, (parent.getSymName() + "_parallel").str(),
                           FunctionType::get(context, inputs, {}));
  body.setPrivate();
  symbols.insert(body, std::next(Block::iterator(parent)));

  Block *entry = body.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (auto [value, argument] :
       llvm::zip_equal(captures, entry->getArguments().drop_front(2)))
    mapping.map(value, argument);
  // Constants and globals' addresses are made again here.
  for (Value value : rematerialized)
    b.clone(*value.getDefiningOp(), mapping);

  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto chunk = scf::ForOp::create(b, loc, entry->getArgument(0),
                                  entry->getArgument(1), step);
  mapping.map(loop.getInductionVar(0), chunk.getInductionVar());
  b.setInsertionPointToStart(chunk.getBody());
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  b.setInsertionPointToEnd(entry);
  func::ReturnOp::create(b, loc);
  return body;
}

func::FuncOp Outliner::buildTask(func::FuncOp body,
                                 LLVM::LLVMStructType contextType,
                                 ArrayRef<Value> captures) {
  MLIRContext *context = module.getContext();
  Location loc = body.getLoc();
  auto ptrType = LLVM::LLVMPointerType::get(context);
  auto i64 = IntegerType::get(context, 64);
  OpBuilder b(context);
  auto task =
      func::FuncOp::create(b, loc, (body.getSymName() + "_task").str(),
                           FunctionType::get(context, {ptrType, i64, i64}, {}));
  task.setPrivate();
  symbols.insert(task, std::next(Block::iterator(body)));

  Block *entry = task.addEntryBlock();
  b.setInsertionPointToStart(entry);
  SmallVector<Value> arguments;
  for (Value bound : entry->getArguments().drop_front())
    arguments.push_back(
        arith::IndexCastOp::create(b, loc, b.getIndexType(), bound));
  for (auto [i, value] : llvm::enumerate(captures)) {
    Value field = LLVM::LoadOp::create(
        b, loc, contextType.getBody()[i],
        contextField(b, loc, contextType, entry->getArgument(0), i));
    arguments.push_back(castTo(b, loc, value.getType(), field));
  }
  func::CallOp::create(b, loc, body, arguments);
  func::ReturnOp::create(b, loc);
  return task;
}

struct ParallelLoopsToRuntimePass final
    : soma::impl::ParallelLoopsToRuntimePassBase<ParallelLoopsToRuntimePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ForallOp> loops;
    module.walk([&](scf::ForallOp loop) {
      if (isOutlinable(loop))
        loops.push_back(loop);
    });
    if (loops.empty())
      return;
    SymbolTable symbols(module);
    Outliner outliner(module, symbols);
    for (scf::ForallOp loop : loops)
      outliner.outline(loop);
  }
};

} // namespace
