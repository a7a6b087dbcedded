# regaudit_add_rule_plugin(NAME SOURCES src...)
#
# A rule plugin: a MODULE library with hidden visibility, linked to the SDK,
# placed in the plugin directory of the build tree and installed into the
# plugin directory of the install tree.
function(regaudit_add_rule_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE regaudit::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${REGAUDIT_BUILD_PLUGIN_DIR}"
    # plugins live in lib/regaudit/plugins; the SDK in lib/
    INSTALL_RPATH "$ORIGIN/../.."
    BUILD_RPATH "${CMAKE_LIBRARY_OUTPUT_DIRECTORY}")
  install(TARGETS ${name} LIBRARY DESTINATION "${REGAUDIT_PLUGIN_SUBDIR}")
endfunction()

# regaudit_embed_text(TARGET FILE VARIABLE)
#
# Makes the text of FILE (a rule's doc page) available to TARGET's sources as
#   #include "<VARIABLE>.inc"   // defines: inline constexpr const char* VARIABLE
# regenerated whenever FILE changes.
function(regaudit_embed_text target file variable)
  get_filename_component(abs "${file}" ABSOLUTE)
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/embedded/${target}")
  set(out "${out_dir}/${variable}.inc")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${abs}")
  file(READ "${abs}" content)
  file(MAKE_DIRECTORY "${out_dir}")
  file(CONFIGURE OUTPUT "${out}"
    CONTENT "// Generated from ${file}; do not edit.\ninline constexpr const char* ${variable} = R\"regaudit_doc(@content@)regaudit_doc\";\n"
    @ONLY)
  target_include_directories(${target} PRIVATE "${out_dir}")
endfunction()
