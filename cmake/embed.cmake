# slipway_embed_json(OUT_CC NAMESPACE VAR FILE): generates OUT_CC at build time, defining
#   namespace NAMESPACE { extern const char VAR[] = "<FILE, minified>"; }
# so each schema's text exists once, in its .json file (cmake/embed_json.cc says why minified).
add_executable(slipway_embed_json ${CMAKE_CURRENT_LIST_DIR}/embed_json.cc)
target_link_libraries(slipway_embed_json PRIVATE nlohmann_json::nlohmann_json)

function(slipway_embed_json out_cc namespace var file)
  add_custom_command(OUTPUT ${out_cc}
    COMMAND slipway_embed_json ${file} ${out_cc} ${namespace} ${var}
    DEPENDS slipway_embed_json ${file} VERBATIM)
endfunction()
