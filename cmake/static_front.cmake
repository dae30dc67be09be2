# The front executable (`slipway`: validate, plan, expr, schema, steps) starts for every editor
# save and pre-commit hook, and on this kind of machine most of a short command's time went to
# the dynamic loader: relocating libstdc++, libcrypto, re2, yaml-cpp and fmt at every start.
# So the front links those statically (their archives ship in the same Debian -dev packages),
# with -static-libstdc++/-static-libgcc and without PIE. slipway-full keeps the shared
# libraries: libpq and libcurl bring their own libcrypto and libstdc++, and one process must
# not hold two copies.
#
# Each dependency is an INTERFACE target whose link item depends on the executable being
# linked (the head target's SLIPWAY_STATIC_FRONT property); compiling sees the real target.
option(SLIPWAY_STATIC_FRONT "link the front executable's libraries statically" ON)

# slipway_dependency(NAME SHARED_TARGET STATIC_ITEM)
function(slipway_dependency name shared static)
  add_library(${name} INTERFACE)
  if(SLIPWAY_STATIC_FRONT AND static)
    target_link_libraries(${name} INTERFACE
      "$<IF:$<BOOL:$<TARGET_PROPERTY:SLIPWAY_STATIC_FRONT>>,${static},${shared}>")
    # Headers and definitions still come from the package's own target.
    target_include_directories(${name} SYSTEM INTERFACE
      $<TARGET_PROPERTY:${shared},INTERFACE_INCLUDE_DIRECTORIES>)
    target_compile_definitions(${name} INTERFACE
      $<TARGET_PROPERTY:${shared},INTERFACE_COMPILE_DEFINITIONS>)
  else()
    target_link_libraries(${name} INTERFACE ${shared})
  endif()
endfunction()

find_library(SLIPWAY_YAML_CPP_A libyaml-cpp.a)
find_library(SLIPWAY_RE2_A libre2.a)
find_library(SLIPWAY_CRYPTO_A libcrypto.a)
foreach(archive SLIPWAY_YAML_CPP_A SLIPWAY_RE2_A SLIPWAY_CRYPTO_A)
  if(NOT ${archive})
    set(${archive} "")
  endif()
endforeach()

slipway_dependency(slipway_dep_yaml_cpp yaml-cpp "${SLIPWAY_YAML_CPP_A}")
slipway_dependency(slipway_dep_re2 PkgConfig::RE2 "${SLIPWAY_RE2_A}")
slipway_dependency(slipway_dep_crypto OpenSSL::Crypto "${SLIPWAY_CRYPTO_A}")

# slipway_static_front(TARGET): link TARGET as the front.
function(slipway_static_front target)
  if(SLIPWAY_STATIC_FRONT)
    set_target_properties(${target} PROPERTIES SLIPWAY_STATIC_FRONT ON POSITION_INDEPENDENT_CODE OFF)
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc -no-pie)
    # Debian ships fmt as a shared library only: the front compiles fmt's own implementation
    # (fmt/format-inl.h, what libfmt.so is built from) in. As an object, not an archive, it
    # defines every symbol before libfmt.so is met, so --as-needed leaves libfmt.so out.
    target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/cmake/fmt_static.cc)
  endif()
endfunction()
