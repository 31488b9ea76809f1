//===- ABIWrappers.cpp - The C entry points of a compiled model -----------===//
//
// The lowered model functions take MLIR's expanded memref descriptors
// (allocated and aligned pointer, offset, sizes, strides per operand). The
// wrappers built here give C the SPEC's signature instead: one pointer per
// tensor and a trailing batch, checked for NULL and a negative batch before
// any work, with failures reported through the runtime's thread-local error.
// Runtime entry points are declared from RuntimeABI.def, the table the
// runtime is built from.
//
//===----------------------------------------------------------------------===//

#include "soma/Target/ABIWrappers.h"

#include "soma/runtime.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"

using namespace soma;
using llvm::IRBuilder;
using llvm::StringRef;

std::string soma::implementationName(StringRef name) {
  return ("soma_impl_" + name).str();
}

namespace {

/// The runtime's internal entry points, named by the ABI table.
enum class RuntimeFunction {
#define SOMA_RUNTIME_FUNCTION(NAME, RET, ...) NAME,
#include "soma/RuntimeABI.def"
};

struct RuntimeSignature {
  const char *name;
  const char *result;
  const char *arguments;
};

const RuntimeSignature runtimeSignatures[] = {
#define SOMA_RUNTIME_FUNCTION(NAME, RET, ...) {#NAME, #RET, #__VA_ARGS__},
#include "soma/RuntimeABI.def"
};

/// Builds the wrappers of one module.
class WrapperBuilder {
public:
  WrapperBuilder(llvm::Module &module, const SymbolNames &names)
      : module(module), context(module.getContext()), names(names),
        i32(llvm::Type::getInt32Ty(context)),
        i64(llvm::Type::getInt64Ty(context)),
        ptr(llvm::PointerType::getUnqual(context)) {}

  void buildEntry(const EntryPoint &entry);
  void buildInvoke(llvm::ArrayRef<EntryPoint> entries);
  void buildAccessors(llvm::StringRef modelInfo);

private:
  llvm::Type *abiType(llvm::StringRef token);
  llvm::FunctionCallee runtime(RuntimeFunction function);
  llvm::Function *exported(llvm::StringRef name, llvm::Type *result,
                           llvm::ArrayRef<llvm::Type *> arguments);
  /// Returns `status` after recording `message` as this thread's error.
  void fail(IRBuilder<> &b, int32_t status, llvm::StringRef message);
  /// Branches to a failure block returning `status` when `condition`.
  void checkOrFail(IRBuilder<> &b, llvm::Value *condition, int32_t status,
                   llvm::StringRef message);
  /// Calls the lowered body of `entry` on `rows` rows starting at
  /// `firstRow` (null: from the start) of every batched operand.
  void callBody(IRBuilder<> &b, const EntryPoint &entry,
                llvm::ArrayRef<llvm::Value *> data, llvm::Value *firstRow,
                llvm::Value *rows);
  /// The thread-pool task computing a range of row slices of `entry`, or
  /// with `wholeBatch` (or rows that cannot be split) all of it at once.
  llvm::Function *buildTask(const EntryPoint &entry,
                            llvm::StructType *contextType, bool wholeBatch);
  void appendDescriptor(IRBuilder<> &b, llvm::Value *data,
                        const TensorSignature &tensor, llvm::Value *batch,
                        llvm::SmallVectorImpl<llvm::Value *> &arguments);

  llvm::Module &module;
  llvm::LLVMContext &context;
  const SymbolNames &names;
  llvm::Type *i32, *i64, *ptr;
};

} // namespace

llvm::Type *WrapperBuilder::abiType(StringRef token) {
  token = token.trim();
  if (token == "void")
    return llvm::Type::getVoidTy(context);
  if (token == "i32")
    return i32;
  if (token == "i64")
    return i64;
  assert(token == "ptr" && "unknown type token in RuntimeABI.def");
  return ptr;
}

llvm::FunctionCallee WrapperBuilder::runtime(RuntimeFunction function) {
  const RuntimeSignature &sig = runtimeSignatures[static_cast<int>(function)];
  llvm::SmallVector<StringRef> tokens;
  StringRef(sig.arguments).split(tokens, ',', -1, /*KeepEmpty=*/false);
  llvm::SmallVector<llvm::Type *> arguments;
  for (StringRef token : tokens)
    if (token.trim() != "void")
      arguments.push_back(abiType(token));
  auto *type = llvm::FunctionType::get(abiType(sig.result), arguments, false);
  return module.getOrInsertFunction(sig.name, type);
}

llvm::Function *WrapperBuilder::exported(StringRef name, llvm::Type *result,
                                         llvm::ArrayRef<llvm::Type *> args) {
  auto *function = llvm::Function::Create(
      llvm::FunctionType::get(result, args, false),
      llvm::GlobalValue::ExternalLinkage, name, module);
  function->setVisibility(llvm::GlobalValue::DefaultVisibility);
  function->addFnAttr(llvm::Attribute::NoUnwind);
  return function;
}

void WrapperBuilder::fail(IRBuilder<> &b, int32_t status, StringRef message) {
  llvm::Value *text = b.CreateGlobalString(message, "soma.error");
  b.CreateCall(runtime(RuntimeFunction::soma_rt_set_error),
               {b.getInt32(status), text});
  b.CreateRet(b.getInt32(status));
}

void WrapperBuilder::checkOrFail(IRBuilder<> &b, llvm::Value *condition,
                                 int32_t status, StringRef message) {
  llvm::Function *function = b.GetInsertBlock()->getParent();
  auto *failure = llvm::BasicBlock::Create(context, "fail", function);
  auto *next = llvm::BasicBlock::Create(context, "ok", function);
  b.CreateCondBr(condition, failure, next);
  IRBuilder<> failBuilder(failure);
  fail(failBuilder, status, message);
  b.SetInsertPoint(next);
}

void WrapperBuilder::appendDescriptor(
    IRBuilder<> &b, llvm::Value *data, const TensorSignature &tensor,
    llvm::Value *batch, llvm::SmallVectorImpl<llvm::Value *> &arguments) {
  // allocated pointer, aligned pointer, offset, sizes..., strides...
  arguments.append({data, data, b.getInt64(0)});
  for (int64_t dim : tensor.shape)
    arguments.push_back(dim == -1 ? batch : b.getInt64(dim));
  llvm::SmallVector<llvm::Value *> strides(tensor.shape.size());
  int64_t stride = 1;
  for (int64_t d = tensor.rank() - 1; d >= 0; --d) {
    strides[d] = b.getInt64(stride);
    // Only the leading dimension can be the batch: no stride depends on it.
    stride *= d > 0 ? tensor.shape[d] : 1;
  }
  arguments.append(strides.begin(), strides.end());
}

/// The operands of an entry in C order: inputs, then outputs.
static llvm::SmallVector<const TensorSignature *>
operandsOf(const EntryPoint &entry) {
  llvm::SmallVector<const TensorSignature *> tensors;
  for (const TensorSignature &t : entry.inputs)
    tensors.push_back(&t);
  for (const TensorSignature &t : entry.outputs)
    tensors.push_back(&t);
  return tensors;
}

void WrapperBuilder::callBody(IRBuilder<> &b, const EntryPoint &entry,
                              llvm::ArrayRef<llvm::Value *> data,
                              llvm::Value *firstRow, llvm::Value *rows) {
  llvm::SmallVector<llvm::Value *> arguments;
  for (auto [tensor, pointer] : llvm::zip_equal(operandsOf(entry), data)) {
    llvm::Value *start = pointer;
    if (firstRow && tensor->hasBatch()) {
      int64_t rowElements = 1;
      for (int64_t dim : llvm::ArrayRef(tensor->shape).drop_front())
        rowElements *= dim;
      start = b.CreateGEP(b.getFloatTy(), pointer,
                          b.CreateMul(firstRow, b.getInt64(rowElements)));
    }
    appendDescriptor(b, start, *tensor, rows, arguments);
  }
  llvm::Function *body = module.getFunction(implementationName(entry.name));
  assert(body && "lowered model function is missing");
  b.CreateCall(body, arguments);
}

llvm::Function *WrapperBuilder::buildTask(const EntryPoint &entry,
                                          llvm::StructType *contextType,
                                          bool wholeBatch) {
  // void task(context *, i64 firstTask, i64 endTask). Row-independent
  // entries compute the rows of tasks [firstTask, endTask); the others run
  // as one task over everything.
  auto *task = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(context), {ptr, i64, i64},
                              false),
      llvm::GlobalValue::InternalLinkage,
      "soma_task_" + entry.name + (wholeBatch ? "_whole" : ""), module);
  IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", task));
  llvm::Value *frame = task->getArg(0);
  size_t count = entry.inputs.size() + entry.outputs.size();
  llvm::SmallVector<llvm::Value *> data;
  for (size_t i = 0; i < count; ++i)
    data.push_back(
        b.CreateLoad(ptr, b.CreateStructGEP(contextType, frame, i)));
  llvm::Value *batch =
      b.CreateLoad(i64, b.CreateStructGEP(contextType, frame, count));
  if (entry.rowsPerTask > 0 && entry.hasBatch() && !wholeBatch) {
    llvm::Value *rowsPerTask = b.getInt64(entry.rowsPerTask);
    llvm::Value *firstRow = b.CreateMul(task->getArg(1), rowsPerTask);
    llvm::Value *endRow = b.CreateBinaryIntrinsic(
        llvm::Intrinsic::umin, b.CreateMul(task->getArg(2), rowsPerTask),
        batch);
    callBody(b, entry, data, firstRow, b.CreateSub(endRow, firstRow));
  } else {
    callBody(b, entry, data, /*firstRow=*/nullptr,
             entry.hasBatch() ? batch : nullptr);
  }
  b.CreateRetVoid();
  return task;
}

void WrapperBuilder::buildEntry(const EntryPoint &entry) {
  llvm::SmallVector<const TensorSignature *> tensors = operandsOf(entry);
  llvm::SmallVector<llvm::Type *> types(tensors.size(), ptr);
  if (entry.hasBatch())
    types.push_back(i64);
  std::string symbol = names.entry(entry.name);
  llvm::Function *function = exported(symbol, i32, types);
  IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", function));

  llvm::SmallVector<llvm::Value *> data;
  for (auto [i, tensor] : llvm::enumerate(tensors)) {
    llvm::Value *arg = function->getArg(i);
    arg->setName(tensor->name);
    checkOrFail(b, b.CreateIsNull(arg), SOMA_ERROR_NULL_POINTER,
                symbol + ": " + tensor->name + " is NULL");
    data.push_back(arg);
  }
  llvm::Value *batch = b.getInt64(0);
  if (entry.hasBatch()) {
    batch = function->getArg(tensors.size());
    batch->setName("batch");
    checkOrFail(b, b.CreateICmpSLT(batch, b.getInt64(0)),
                SOMA_ERROR_INVALID_BATCH, symbol + ": batch is negative");
  }

  // The operands go to the task in a frame on this stack. The task runs on
  // the runtime's pool, which also turns an allocation failure into a
  // status instead of a crash. With independent rows the batch is cut into
  // tasks; every task runs the same code on its rows, so results do not
  // depend on how many threads there are.
  llvm::SmallVector<llvm::Type *> fields(tensors.size(), ptr);
  fields.push_back(i64);
  auto *contextType = llvm::StructType::get(context, fields);
  llvm::Value *frame = b.CreateAlloca(contextType);
  for (auto [i, pointer] : llvm::enumerate(data))
    b.CreateStore(pointer, b.CreateStructGEP(contextType, frame, i));
  b.CreateStore(batch, b.CreateStructGEP(contextType, frame, data.size()));
  llvm::Value *tasks = b.getInt64(1);
  llvm::Value *task = buildTask(entry, contextType, /*wholeBatch=*/false);
  if (entry.rowsPerTask > 0 && entry.hasBatch()) {
    tasks = b.CreateUDiv(b.CreateAdd(batch, b.getInt64(entry.rowsPerTask - 1)),
                         b.getInt64(entry.rowsPerTask));
    // A small batch runs as one task over all its rows: its linear layers
    // split their columns between the threads instead (ModelInterface.cpp).
    if (entry.columnSplitBelowRows > 0) {
      llvm::Value *small =
          b.CreateICmpULT(batch, b.getInt64(entry.columnSplitBelowRows));
      tasks = b.CreateSelect(small, b.getInt64(1), tasks);
      task = b.CreateSelect(
          small, buildTask(entry, contextType, /*wholeBatch=*/true), task);
    }
  }
  // The frame's size lets the runtime copy it next to the job it hands to
  // another thread, which then does not fetch it from this thread's cache.
  llvm::Value *frameBytes = b.getInt64(
      module.getDataLayout().getTypeAllocSize(contextType).getFixedValue());
  b.CreateRet(
      b.CreateCall(runtime(RuntimeFunction::soma_rt_parallel_for),
                   {tasks, task, frame, frameBytes}));
}

void WrapperBuilder::buildInvoke(llvm::ArrayRef<EntryPoint> entries) {
  llvm::Function *function = exported(names.invoke(), i32, {ptr, ptr, i64});
  llvm::Value *name = function->getArg(0);
  llvm::Value *buffers = function->getArg(1);
  llvm::Value *batch = function->getArg(2);
  IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", function));
  checkOrFail(b, b.CreateIsNull(name), SOMA_ERROR_NULL_POINTER,
              names.invoke() + ": name is NULL");
  checkOrFail(b, b.CreateIsNull(buffers), SOMA_ERROR_NULL_POINTER,
              names.invoke() + ": buffers is NULL");
  llvm::FunctionCallee strcmp = module.getOrInsertFunction(
      "strcmp", llvm::FunctionType::get(i32, {ptr, ptr}, false));
  for (const EntryPoint &entry : entries) {
    llvm::Value *match = b.CreateICmpEQ(
        b.CreateCall(strcmp, {name, b.CreateGlobalString(entry.name)}),
        b.getInt32(0));
    auto *call = llvm::BasicBlock::Create(context, entry.name, function);
    auto *next = llvm::BasicBlock::Create(context, "next", function);
    b.CreateCondBr(match, call, next);

    IRBuilder<> callBuilder(call);
    llvm::SmallVector<llvm::Value *> arguments;
    size_t count = entry.inputs.size() + entry.outputs.size();
    for (size_t i = 0; i < count; ++i)
      arguments.push_back(callBuilder.CreateLoad(
          ptr, callBuilder.CreateConstGEP1_64(ptr, buffers, i)));
    if (entry.hasBatch())
      arguments.push_back(batch);
    callBuilder.CreateRet(callBuilder.CreateCall(
        module.getFunction(names.entry(entry.name)), arguments));
    b.SetInsertPoint(next);
  }
  // The message names the function asked for.
  llvm::Value *text = b.CreateGlobalString(
      names.invoke() + ": the model has no function named", "soma.error");
  b.CreateCall(runtime(RuntimeFunction::soma_rt_set_error_quoting),
               {b.getInt32(SOMA_ERROR_UNKNOWN_FUNCTION), text, name});
  b.CreateRet(b.getInt32(SOMA_ERROR_UNKNOWN_FUNCTION));
}

void WrapperBuilder::buildAccessors(StringRef modelInfo) {
  {
    llvm::Function *function = exported(names.modelInfo(), ptr, {});
    IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", function));
    b.CreateRet(b.CreateGlobalString(modelInfo, "soma.model_info"));
  }
  {
    llvm::Function *function = exported(names.lastError(), ptr, {});
    IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", function));
    b.CreateRet(b.CreateCall(runtime(RuntimeFunction::soma_rt_last_error)));
  }
  {
    llvm::Function *function = exported(names.setNumThreads(),
                                        llvm::Type::getVoidTy(context), {i32});
    IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", function));
    b.CreateCall(runtime(RuntimeFunction::soma_rt_set_num_threads),
                 {function->getArg(0)});
    b.CreateRetVoid();
  }
}

void soma::addABIWrappers(llvm::Module &module,
                          llvm::ArrayRef<EntryPoint> entries,
                          const SymbolNames &names) {
  // Everything already in the module is the model's own: keep it private so
  // two models in one program never collide and LLVM may inline freely.
  for (llvm::Function &function : module)
    if (!function.isDeclaration())
      function.setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable &global : module.globals())
    if (!global.isDeclaration())
      global.setLinkage(llvm::GlobalValue::InternalLinkage);

  WrapperBuilder builder(module, names);
  for (const EntryPoint &entry : entries)
    builder.buildEntry(entry);
  builder.buildInvoke(entries);
  builder.buildAccessors(modelInfoJson(entries));
}
