# Writes the ign(1) man page: the hand-written parts of ign.1.in around a COMMANDS section made from
# the built program's own --help, so the page always lists the options the program has.
#   cmake -DIGN=path/to/ign -DVERSION=0.1.0 -DTEMPLATE=ign.1.in -DOUT=ign.1 -P make-man.cmake
cmake_minimum_required(VERSION 3.21)

function(run_help out_var)
  execute_process(COMMAND ${IGN} ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${IGN} ${ARGN} --help failed (${rc})")
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# Plain text -> roff: backslashes, hyphens (so options copy and search as ASCII) and leading dots.
function(to_roff text out_var)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

run_help(top)
string(REGEX REPLACE ".*Subcommands:\n" "" subcommand_lines "${top}")
string(REGEX MATCHALL "\n  [a-z-]+" names "\n${subcommand_lines}")
set(commands "")
foreach(entry IN LISTS names)
  string(STRIP "${entry}" name)
  run_help(help ${name})
  # First line: the summary; the rest: usage and options. (Not REGEX REPLACE with ^: CMake applies it
  # again at every match, so it would eat every line.)
  string(FIND "${help}" "\n" newline)
  string(SUBSTRING "${help}" 0 ${newline} summary)
  math(EXPR newline "${newline} + 1")
  string(SUBSTRING "${help}" ${newline} -1 body)
  string(REGEX REPLACE "Usage: [^ ]*ign " "Usage: ign " body "${body}")
  string(STRIP "${body}" body)
  to_roff("${summary}" summary)
  to_roff("${body}" body)
  string(APPEND commands ".SS ${name}\n${summary}\n.PP\n.nf\n${body}\n.fi\n")
endforeach()

file(READ ${TEMPLATE} page)
string(REPLACE "@COMMANDS@" "${commands}" page "${page}")
string(REPLACE "@VERSION@" "${VERSION}" page "${page}")
file(WRITE ${OUT} "${page}")
