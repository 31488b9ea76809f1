# SomaModel.cmake: compile Soma models with `somac` as part of a CMake build.
#
#   list(APPEND CMAKE_MODULE_PATH /path/to/soma/cmake)
#   include(SomaModel)
#
#   soma_add_model(<target> <model.mlir>
#                  [PREFIX <p>] [TARGET_CPU <cpu>] [OPT_LEVEL <0-3>] [STATIC])
#
#   target_link_libraries(my_app PRIVATE <target>)
#
# At build time, somac compiles <model.mlir> into
# ${CMAKE_CURRENT_BINARY_DIR}/<target>/: the library lib<target>.so (or
# lib<target>.a with STATIC) and the C header <target>.h. It runs again when
# the model or somac changes. <target> is an imported library: linking it
# adds that directory to the include path, so `#include "<target>.h"` works,
# and links the library (a static one together with libmvec, libm and the thread
# library, which the runtime inside it needs).
#
#   PREFIX      exported symbols become <p>_NAME, <p>_model_info, <p>_invoke,
#               <p>_last_error, <p>_set_num_threads (somac --prefix). Give
#               each model of one program its own prefix; without one the
#               symbols are soma_*.
#   TARGET_CPU  somac --target-cpu: native (somac's default: the build
#               machine), x86-64-v3, x86-64-v4 or any LLVM CPU name. Set it
#               when the program runs on other machines than it is built on.
#   OPT_LEVEL   somac -O<n>; somac's default when absent.
#   STATIC      a static library instead of a shared one.
#
# Finding somac: the cache variable SOMAC_EXECUTABLE. When it is not set,
# a `somac` target of the same build (the Soma tree itself) is used if there
# is one, else find_program() looks in $SOMA_ROOT/bin, in the build/bin
# directory of the Soma checkout this file belongs to, and on the PATH.
# Pass -DSOMAC_EXECUTABLE=/path/to/somac to choose.

include_guard(GLOBAL)

# The Soma checkout this file belongs to: its build/bin is a place to look.
set(_SOMA_MODEL_SOURCE_ROOT "${CMAKE_CURRENT_LIST_DIR}/..")

function(soma_add_model target model)
  cmake_parse_arguments(PARSE_ARGV 2 arg "STATIC" "PREFIX;TARGET_CPU;OPT_LEVEL" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "soma_add_model(${target}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()

  # The compiler: SOMAC_EXECUTABLE when set, else the somac target of this
  # build (named in COMMAND and DEPENDS, CMake builds it first), else
  # whatever find_program() finds. The search runs here, not at include(),
  # so that inside the Soma tree an old build/bin/somac never shadows the
  # somac target defined after the include.
  if(NOT SOMAC_EXECUTABLE AND NOT TARGET somac)
    find_program(SOMAC_EXECUTABLE somac
      HINTS "$ENV{SOMA_ROOT}/bin" "${_SOMA_MODEL_SOURCE_ROOT}/build/bin"
      DOC "The Soma model compiler used by soma_add_model()")
  endif()
  if(SOMAC_EXECUTABLE)
    set(somac "${SOMAC_EXECUTABLE}")
  elseif(TARGET somac)
    set(somac somac)
  else()
    message(FATAL_ERROR "soma_add_model(${target}): somac not found; "
      "set SOMAC_EXECUTABLE to its path (-DSOMAC_EXECUTABLE=.../bin/somac)")
  endif()

  get_filename_component(model "${model}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")

  set(flags)
  if(DEFINED arg_PREFIX)
    list(APPEND flags "--prefix=${arg_PREFIX}")
  endif()
  if(DEFINED arg_TARGET_CPU)
    list(APPEND flags "--target-cpu=${arg_TARGET_CPU}")
  endif()
  if(DEFINED arg_OPT_LEVEL)
    if(NOT arg_OPT_LEVEL MATCHES "^[0-3]$")
      message(FATAL_ERROR "soma_add_model(${target}): OPT_LEVEL must be 0, 1, 2 or 3, not '${arg_OPT_LEVEL}'")
    endif()
    list(APPEND flags "-O${arg_OPT_LEVEL}")
  endif()

  if(arg_STATIC)
    set(kind STATIC)
    set(suffix "${CMAKE_STATIC_LIBRARY_SUFFIX}")
  else()
    set(kind SHARED)
    set(suffix "${CMAKE_SHARED_LIBRARY_SUFFIX}")
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  set(library "${dir}/lib${target}${suffix}")
  set(header "${dir}/${target}.h")
  # CMake rejects an imported target whose include directory does not exist
  # yet, so create it now; somac fills it at build time.
  file(MAKE_DIRECTORY "${dir}")

  # somac writes one artifact per run (the output's extension picks it), so
  # one command line per file. The header comes from the same flags: it
  # declares the prefixed names.
  # Inside the Soma tree the library also carries the runtime that somac
  # finds beside itself (lib/libsoma_runtime.a): a changed runtime must
  # relink the model too.
  set(runtime)
  if(TARGET soma_runtime AND somac STREQUAL "somac")
    set(runtime soma_runtime)
  endif()
  add_custom_command(
    OUTPUT "${library}" "${header}"
    COMMAND "${somac}" "${model}" ${flags} -o "${library}"
    COMMAND "${somac}" "${model}" ${flags} -o "${header}"
    DEPENDS "${model}" "${somac}" ${runtime}
    COMMENT "Compiling Soma model ${model} (${target})"
    VERBATIM)
  add_custom_target(${target}_somac DEPENDS "${library}" "${header}")

  # GLOBAL: usable from any directory of the project, like add_library().
  add_library(${target} ${kind} IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${library}"
    INTERFACE_INCLUDE_DIRECTORIES "${dir}")
  if(arg_STATIC)
    # The runtime inside the archive calls exp() and pthreads. The thread
    # flags are spelled out (CMAKE_THREAD_LIBS_INIT is what Threads::Threads
    # carries at link time) because a GLOBAL target may be linked from
    # directories that do not see the Threads::Threads imported target.
    find_package(Threads REQUIRED)
    set_property(TARGET ${target} PROPERTY
      INTERFACE_LINK_LIBRARIES mvec m ${CMAKE_THREAD_LIBS_INIT})
  else()
    # somac's shared libraries have no DT_SONAME. Linked by full path, the
    # program would record that absolute path; this makes CMake link with
    # -L<dir> -l<target> instead, so the program records lib<target>.so and
    # finds it through the build RPATH that CMake adds for <dir>.
    set_property(TARGET ${target} PROPERTY IMPORTED_NO_SONAME TRUE)
  endif()
  # Whoever links <target> waits for somac (followed transitively through
  # imported targets).
  add_dependencies(${target} ${target}_somac)
endfunction()
