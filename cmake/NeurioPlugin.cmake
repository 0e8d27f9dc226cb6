# neurio_add_plugin() — build a device plugin as a MODULE library.
#
#   neurio_add_plugin(NAME <name> SOURCES <files...>
#                     [LIBS <libs...>]            # extra libraries to link
#                     [INCLUDES <dirs...>]        # extra private include dirs
#                     [OUTPUT_DIRECTORY <dir>]    # default: <build>/plugins
#                     [NO_INSTALL])               # test-only plugins
#
# Creates the target `neurio-plugin-<name>` producing `neurio-<name>.so`,
# linked against neurio::sdk, compiled with hidden visibility (only the
# entry symbol emitted by NEURIO_PLUGIN_DEFINE() is exported).  The output
# goes to ${CMAKE_BINARY_DIR}/plugins so a launcher built in the same tree
# finds it without any plugin_path; `install()` puts it in the installed
# plugin directory (lib/neurio/plugins) unless NO_INSTALL is given.
#
# This file is used both inside the neurio tree and, installed, by
# out-of-tree plugins through find_package(neurio).
include_guard(GLOBAL)

if(NOT DEFINED NEURIO_PLUGIN_INSTALL_DIR)
  include(GNUInstallDirs)
  set(NEURIO_PLUGIN_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/neurio/plugins")
endif()

function(neurio_add_plugin)
  cmake_parse_arguments(P "NO_INSTALL" "NAME;OUTPUT_DIRECTORY" "SOURCES;LIBS;INCLUDES" ${ARGN})
  if(NOT P_NAME)
    message(FATAL_ERROR "neurio_add_plugin: NAME is required")
  endif()
  if(NOT P_SOURCES)
    message(FATAL_ERROR "neurio_add_plugin(${P_NAME}): SOURCES is required")
  endif()
  if(NOT P_OUTPUT_DIRECTORY)
    set(P_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/plugins")
  endif()
  set(target neurio-plugin-${P_NAME})
  add_library(${target} MODULE ${P_SOURCES})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "neurio-${P_NAME}"
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON
    LIBRARY_OUTPUT_DIRECTORY "${P_OUTPUT_DIRECTORY}"
    # installed in <prefix>/lib/neurio/plugins: find <prefix>/lib/libneurio.so
    INSTALL_RPATH "$ORIGIN/../.."
    INSTALL_RPATH_USE_LINK_PATH ON)
  if(NOT CMAKE_C_STANDARD)
    set_target_properties(${target} PROPERTIES C_STANDARD 11)
  endif()
  if(DEFINED NEURIO_WARN_FLAGS)
    target_compile_options(${target} PRIVATE ${NEURIO_WARN_FLAGS})
  endif()
  if(P_INCLUDES)
    target_include_directories(${target} PRIVATE ${P_INCLUDES})
  endif()
  target_link_libraries(${target} PRIVATE neurio::sdk ${P_LIBS})
  if(NOT P_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${NEURIO_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()
