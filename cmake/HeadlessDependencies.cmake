# A headless build (IGN_HEADLESS) on a GPU server that may have nothing but a compiler, CMake and a
# LibTorch (for example the one inside a PyTorch installation, through CMAKE_PREFIX_PATH). The header
# libraries come from packages when there are any, else from IGN_THIRD_PARTY (a copy of their headers:
# spdlog/, fmt/, nlohmann/, CLI/, zlib.h), used header-only.
function(ign_header_only target)  # target, then compile definitions
  if(TARGET ${target})
    return()
  endif()
  if(NOT IGN_THIRD_PARTY)
    message(FATAL_ERROR "${target} not found: install its package or set IGN_THIRD_PARTY to a folder with its headers")
  endif()
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  target_include_directories(${target} INTERFACE ${IGN_THIRD_PARTY})
  target_compile_definitions(${target} INTERFACE ${ARGN})
endfunction()

find_package(spdlog QUIET)
ign_header_only(spdlog::spdlog SPDLOG_HEADER_ONLY SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY)
find_package(nlohmann_json QUIET)
ign_header_only(nlohmann_json::nlohmann_json)
find_package(CLI11 QUIET)
ign_header_only(CLI11::CLI11)
find_package(ZLIB QUIET)
if(NOT TARGET ZLIB::ZLIB)
  # The zlib every Linux has, with the header from IGN_THIRD_PARTY.
  find_library(IGN_LIBZ NAMES z libz.so.1 REQUIRED)
  add_library(ZLIB::ZLIB UNKNOWN IMPORTED GLOBAL)
  set_target_properties(ZLIB::ZLIB PROPERTIES IMPORTED_LOCATION ${IGN_LIBZ} INTERFACE_INCLUDE_DIRECTORIES ${IGN_THIRD_PARTY})
endif()
message(STATUS "headless build: ign and the gpu tests only (no Qt, OpenCV or giflib)")
