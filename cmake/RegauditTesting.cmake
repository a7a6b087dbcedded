# regaudit_add_test(NAME SOURCES src... [LIBS lib...])
#
# A GoogleTest executable registered with CTest. Tests live next to what they
# test (plugins/<rule>/) or under tests/, mirroring the tree. They keep the
# fingerprint key a run makes (fingerprint_key.hpp) in the build tree, not
# in the home directory of whoever runs them.
find_package(GTest REQUIRED)
include(GoogleTest)

function(regaudit_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE regaudit_test_support GTest::gtest_main ${ARG_LIBS})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT 600 ENVIRONMENT "XDG_CONFIG_HOME=${PROJECT_BINARY_DIR}/test-config")
endfunction()
