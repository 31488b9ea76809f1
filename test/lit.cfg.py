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

# The Soma tools, then FileCheck, not, count, ... from LLVM 22.
llvm_config.with_environment("PATH", config.soma_tools_dir, append_path=False)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(
    ("%npy", config.python_executable + " " +
     os.path.join(config.soma_src_root, "test", "lit-tools", "npy.py")))
config.substitutions.append(("%soma_src", config.soma_src_root))
config.substitutions.append(
    ("%shared", os.path.join(os.path.dirname(config.soma_src_root), "shared")))
