# wirewatch_warnings: an INTERFACE target every project target links to get the warning set.
add_library(wirewatch_warnings INTERFACE)
target_compile_options(wirewatch_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wconversion -Wsign-conversion
  -Wsuggest-override -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
option(WIREWATCH_WERROR "Treat warnings as errors" OFF)
if(WIREWATCH_WERROR)
  target_compile_options(wirewatch_warnings INTERFACE -Werror)
endif()
