# wirewatch_sanitizers: ASan + UBSan when WIREWATCH_SANITIZE is on, nothing otherwise.
add_library(wirewatch_sanitizers INTERFACE)
if(WIREWATCH_SANITIZE)
  set(_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_compile_options(wirewatch_sanitizers INTERFACE ${_flags})
  target_link_options(wirewatch_sanitizers INTERFACE ${_flags})
endif()
