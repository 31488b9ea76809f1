//===- CompiledModel.cpp - Compile a model and call it in-process ---------===//

#include "soma/Driver/CompiledModel.h"

#include "llvm/Support/FileSystem.h"

#include <dlfcn.h>

using namespace mlir;
using namespace soma;

FailureOr<std::unique_ptr<CompiledModel>>
CompiledModel::compile(ModuleOp module, const CompileOptions &options) {
  OwningOpRef<ModuleOp> copy = module.clone();
  if (failed(runSomaPipeline(*copy, options)))
    return failure();
  FailureOr<SmallVector<EntryPoint>> entries = collectEntryPoints(*copy);
  if (failed(entries))
    return failure();

  std::unique_ptr<CompiledModel> model(new CompiledModel());
  model->entryPoints = std::move(*entries);
  llvm::SmallString<128> path;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("soma-model", "so", path))
    return module.emitError() << "cannot create a temporary library: "
                              << ec.message();
  model->libraryPath = path.str().str();
  if (failed(compileToFile(*copy, options, Artifact::SharedLibrary, path)))
    return failure();

  // RTLD_LOCAL: each model keeps its own runtime, as in an application
  // that loads several.
  model->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!model->handle)
    return module.emitError() << "cannot load the compiled model: "
                              << dlerror();
  SymbolNames names{options.prefix};
  model->invoke =
      reinterpret_cast<InvokeFn>(dlsym(model->handle, names.invoke().c_str()));
  model->lastError = reinterpret_cast<LastErrorFn>(
      dlsym(model->handle, names.lastError().c_str()));
  model->setThreads = reinterpret_cast<SetThreadsFn>(
      dlsym(model->handle, names.setNumThreads().c_str()));
  if (!model->invoke || !model->lastError || !model->setThreads)
    return module.emitError() << "the compiled model lacks part of its ABI ("
                              << names.invoke() << ", " << names.lastError()
                              << ", " << names.setNumThreads() << ")";
  return model;
}

CompiledModel::~CompiledModel() {
  if (handle)
    dlclose(handle);
  if (!libraryPath.empty())
    llvm::sys::fs::remove(libraryPath);
}

/// The batch of a call: the size of the inputs' batch dimensions, which must
/// agree.
static llvm::Expected<int64_t> batchOf(const EntryPoint &entry,
                                       ArrayRef<HostTensor> inputs) {
  if (inputs.size() != entry.inputs.size())
    return llvm::createStringError(
        entry.name + ": expected " + std::to_string(entry.inputs.size()) +
        " inputs, got " + std::to_string(inputs.size()));
  std::optional<int64_t> batch;
  for (auto [i, input, signature] : llvm::enumerate(inputs, entry.inputs)) {
    bool matches = input.rank() == signature.rank();
    for (int64_t d = 0; matches && d < signature.rank(); ++d) {
      int64_t expected = signature.shape[d];
      if (expected != -1) {
        matches = expected == input.shape[d];
      } else if (batch && *batch != input.shape[d]) {
        return llvm::createStringError(entry.name + ": input " +
                                       std::to_string(i) +
                                       " has another batch size");
      } else {
        batch = input.shape[d];
      }
    }
    if (!matches)
      return llvm::createStringError(entry.name + ": input " +
                                     std::to_string(i) +
                                     " does not have the expected shape");
  }
  return batch.value_or(0);
}

llvm::Expected<SmallVector<HostTensor>>
CompiledModel::run(StringRef function, ArrayRef<HostTensor> inputs) const {
  const EntryPoint *entry = llvm::find_if(
      entryPoints, [&](const EntryPoint &e) { return e.name == function; });
  if (entry == entryPoints.end())
    return llvm::createStringError("the model has no function '" + function +
                                   "'");
  llvm::Expected<int64_t> batch = batchOf(*entry, inputs);
  if (!batch)
    return batch.takeError();

  SmallVector<HostTensor> outputs;
  for (const TensorSignature &signature : entry->outputs) {
    SmallVector<int64_t, 4> shape(signature.shape);
    for (int64_t &dim : shape)
      if (dim == -1)
        dim = *batch;
    outputs.emplace_back(shape);
  }
  // The ABI takes non-const pointers for inputs too (soma_invoke's
  // `float *const *`); the library never writes through them.
  SmallVector<float *> buffers;
  for (const HostTensor &input : inputs)
    buffers.push_back(const_cast<float *>(input.data.data()));
  for (HostTensor &output : outputs)
    buffers.push_back(output.data.data());
  // A zero-size tensor may have a null data(); the ABI rejects NULL.
  static float empty;
  for (float *&buffer : buffers)
    if (!buffer)
      buffer = &empty;

  if (llvm::Error error = call(function, buffers, *batch))
    return std::move(error);
  return outputs;
}

llvm::Error CompiledModel::call(StringRef function, ArrayRef<float *> buffers,
                                int64_t batch) const {
  std::string name = function.str();
  if (int32_t status = invoke(name.c_str(), buffers.data(), batch))
    return llvm::createStringError("status " + std::to_string(status) + ": " +
                                   lastError());
  return llvm::Error::success();
}
