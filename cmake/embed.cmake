# slipway_embed_text(OUT_CC NAMESPACE VAR FILE): writes OUT_CC defining
#   namespace NAMESPACE { extern const char VAR[] = "<contents of FILE>"; }
# so each schema's text exists once, in its .json file. Re-runs when FILE changes.
function(slipway_embed_text out_cc namespace var file)
  file(READ ${file} content)
  string(FIND "${content}" ")slipway_embed\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  file(CONFIGURE OUTPUT ${out_cc} CONTENT
"// Generated from ${file} by cmake/embed.cmake; do not edit.
namespace ${namespace} {
extern const char ${var}[];
const char ${var}[] = R\"slipway_embed(${content})slipway_embed\";
}  // namespace ${namespace}
" @ONLY)
endfunction()
