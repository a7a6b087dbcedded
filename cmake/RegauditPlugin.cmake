# Functions for building regaudit rule plugins, shared by the source tree and
# the installed SDK package (find_package(regaudit CONFIG)).
#
# Variables (set before use to override):
#   REGAUDIT_PLUGIN_SUBDIR      where plugins are installed, relative to the
#                               install prefix (default lib/regaudit/plugins)
#   REGAUDIT_PLUGIN_OUTPUT_DIR  where plugins are built (default: the
#                               current binary directory)

if(NOT DEFINED REGAUDIT_PLUGIN_SUBDIR)
  set(REGAUDIT_PLUGIN_SUBDIR "lib/regaudit/plugins")
endif()

# regaudit_add_rule_plugin(NAME SOURCES src...)
#
# A rule plugin: a MODULE library with hidden visibility, linked to the SDK
# (which fixes its build tag), with an install rule into the plugin directory.
function(regaudit_add_rule_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE regaudit::sdk)
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    # plugins live in <prefix>/lib/regaudit/plugins, the SDK in <prefix>/lib
    INSTALL_RPATH "$ORIGIN/../..")
  if(DEFINED REGAUDIT_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${REGAUDIT_PLUGIN_OUTPUT_DIR}")
  endif()
  install(TARGETS ${name} LIBRARY DESTINATION "${REGAUDIT_PLUGIN_SUBDIR}")
endfunction()

# regaudit_embed_text(TARGET FILE VARIABLE)
#
# Makes the text of FILE (a rule's doc page) available to TARGET's sources as
#   #include "<VARIABLE>.inc"   // defines: inline constexpr const char* VARIABLE
# regenerated whenever FILE changes. FILE must not contain ')regaudit_doc"'.
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
