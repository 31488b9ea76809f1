# lit configuration of Soma's regression tests.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Soma"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.soma_obj_root, "test")

llvm_config.with_system_environment(["HOME", "TMPDIR"])
llvm_config.use_default_substitutions()

# Each call puts its directory first: the Soma tools, then FileCheck, not,
# count, ... from LLVM 22, then the system's.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.soma_tools_dir, append_path=True)
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(
    ("%npy", config.python_executable + " " +
     os.path.join(config.soma_src_root, "test", "lit-tools", "npy.py")))
config.substitutions.append(("%soma_src", config.soma_src_root))
shared_dir = os.path.join(os.path.dirname(config.soma_src_root), "shared")
config.substitutions.append(("%shared", shared_dir))
# SPEC.md's conformance checks live beside the repository, when it is there.
if os.path.isdir(os.path.join(shared_dir, "conformance")):
    config.available_features.add("spec-conformance")

# Compiled code runs on the host: code for AVX2 (x86-64-v3) only where the
# host has it.
def host_has_cpu_flags(*flags):
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    present = set(line.split(":", 1)[1].split())
                    return all(flag in present for flag in flags)
    except OSError:
        pass
    return False


if host_has_cpu_flags("avx2", "fma", "bmi2"):
    config.available_features.add("avx2")

# ONNX tests build their models with the onnx package of the system Python
# (Debian's python3-onnx); the PyTorch export test also needs torch.
def system_python_imports(modules):
    import subprocess
    try:
        return subprocess.run(["/usr/bin/python3", "-c", "import " + modules],
                              capture_output=True, timeout=300).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


config.substitutions.append(("%system-python", "/usr/bin/python3"))
if system_python_imports("onnx"):
    config.available_features.add("onnx-python")
    if system_python_imports("torch, onnx"):
        config.available_features.add("torch")
